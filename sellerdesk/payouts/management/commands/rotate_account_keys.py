"""Re-encrypt every stored account number, and every subject's ID number, under the newest key of
SELLERDESK_ACCOUNT_KEYS.

Rotation: put the new key first in SELLERDESK_ACCOUNT_KEYS (keep the old ones after it), deploy,
run this command, then drop the old keys. Fingerprints do not change.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from sellerdesk.identity.models import Subject
from sellerdesk.payouts import crypto
from sellerdesk.payouts.actions.audit import RequestMeta, record
from sellerdesk.payouts.models import AuditAction, WithdrawalAccount


class Command(BaseCommand):
    help = "Re-encrypt withdrawal account numbers and subjects' ID numbers with the newest SELLERDESK_ACCOUNT_KEYS key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        rotated = _rotate(WithdrawalAccount, "number_encrypted", batch_size)
        subjects = _rotate(Subject, "id_number_encrypted", batch_size)
        with transaction.atomic():
            record(
                AuditAction.KEYS_ROTATED,
                success=True,
                meta=RequestMeta(),
                details={"accounts": rotated, "subjects": subjects},
            )
        self.stdout.write(f"Re-encrypted {rotated} account number(s) and {subjects} ID number(s) with the newest key.")


def _rotate(model, field: str, batch_size: int) -> int:
    """Re-encrypt `field` of every row of `model`, a locked batch per transaction."""
    rotated = 0
    last_id = 0
    while True:
        with transaction.atomic():
            batch = list(model.objects.select_for_update().filter(id__gt=last_id).order_by("id")[:batch_size])
            if not batch:
                return rotated
            for row in batch:
                setattr(row, field, crypto.rotate(getattr(row, field)))
            model.objects.bulk_update(batch, [field])
            rotated += len(batch)
            last_id = batch[-1].id
