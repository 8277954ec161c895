"""Money decided before rail instructions existed gets its instruction, so nothing is lost:

- withdrawals `in_flight` become `processing`; they were sent inside their transaction with the
  reference `withdrawal-<id>`, so the worker re-sends that reference and the rail answers with the
  transfer it made (idempotent) and the withdrawal becomes paid;
- micro-deposits already sent are recorded as succeeded instructions (the per-day limit counts them);
- refunds, which were only rows, get a pending instruction: the worker sends them.
"""
from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Withdrawal = apps.get_model("payouts", "Withdrawal")
    AccountChange = apps.get_model("payouts", "AccountChange")
    RailInstruction = apps.get_model("payouts", "RailInstruction")
    Refund = apps.get_model("aftersales", "Refund")
    now = timezone.now()

    for w in Withdrawal.objects.filter(status="in_flight"):
        w.status, w.processing_at = "processing", w.created_at
        w.save(update_fields=["status", "processing_at"])
        RailInstruction.objects.get_or_create(
            reference=f"withdrawal-{w.pk}",
            defaults={"kind": "payout", "amount_fen": w.amount_fen, "account_id": w.account_id, "withdrawal": w,
                      "state": "pending", "next_attempt_at": now, "created_at": w.created_at, "updated_at": now,
                      "maybe_sent": True})

    for change in AccountChange.objects.exclude(rail_reference="").filter(expected_amount_fen__isnull=False):
        change.micro_deposit_sent_at = change.created_at
        change.save(update_fields=["micro_deposit_sent_at"])
        RailInstruction.objects.get_or_create(
            reference=change.rail_reference,
            defaults={"kind": "micro_deposit", "amount_fen": change.expected_amount_fen,
                      "account_id": change.new_account_id, "change": change, "state": "succeeded", "attempts": 1,
                      "created_at": change.created_at, "updated_at": now, "succeeded_at": change.created_at})

    for refund in Refund.objects.filter(rail_instruction__isnull=True):
        RailInstruction.objects.create(
            reference=refund.reference, kind="refund", amount_fen=refund.amount_fen, order_id=refund.order_id,
            refund=refund, state="pending", next_attempt_at=now, created_at=refund.created_at, updated_at=now)


def backwards(apps, schema_editor):
    apps.get_model("payouts", "Withdrawal").objects.filter(status="processing").update(status="in_flight")


class Migration(migrations.Migration):

    dependencies = [
        ("payouts", "0002_rail_instructions"),
        ("aftersales", "0004_refund_reference_required"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
