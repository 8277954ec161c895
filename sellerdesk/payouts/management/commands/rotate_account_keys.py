"""Re-encrypt every stored account number under the newest key of SELLERDESK_ACCOUNT_KEYS.

Rotation: put the new key first in SELLERDESK_ACCOUNT_KEYS (keep the old ones after it), deploy,
run this command, then drop the old keys. Fingerprints do not change.
"""
from django.core.management.base import BaseCommand
from django.db import transaction

from sellerdesk.payouts import crypto
from sellerdesk.payouts.actions.audit import RequestMeta, record
from sellerdesk.payouts.models import AuditAction, WithdrawalAccount


class Command(BaseCommand):
    help = "Re-encrypt withdrawal account numbers with the newest SELLERDESK_ACCOUNT_KEYS key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        rotated = 0
        last_id = 0
        while True:
            with transaction.atomic():
                batch = list(WithdrawalAccount.objects.select_for_update().filter(id__gt=last_id)
                             .order_by("id")[:batch_size])
                if not batch:
                    break
                for account in batch:
                    account.number_encrypted = crypto.rotate(account.number_encrypted)
                WithdrawalAccount.objects.bulk_update(batch, ["number_encrypted"])
                rotated += len(batch)
                last_id = batch[-1].id
        with transaction.atomic():
            record(AuditAction.KEYS_ROTATED, success=True, meta=RequestMeta(), details={"accounts": rotated})
        self.stdout.write(f"Re-encrypted {rotated} account number(s) with the newest key.")
