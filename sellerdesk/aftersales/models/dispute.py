from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sellerdesk.core import clock

from .aftersale import AfterSale
from .enums import DisputeStatus, Liable, Outcome, Party, RulingReason


class DisputeQuerySet(models.QuerySet):
    def current_of(self, aftersale_ids):
        """The current round of each of these after-sales (ids or a queryset of them)."""
        return self.filter(current_of__in=aftersale_ids)


class Dispute(models.Model):
    """One round of the dispute (纠纷单) opened when the buyer requests platform intervention.

    A request escalated again (the merchant agreed in round 1, then refused the returned goods)
    gets a new row with the next round number; `AfterSale.dispute` names the current one."""

    aftersale = models.ForeignKey(AfterSale, on_delete=models.PROTECT, related_name="dispute_rounds")
    round = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=24, choices=DisputeStatus.choices, default=DisputeStatus.AWAITING_EVIDENCE)
    escalation_reason = models.CharField(max_length=500)
    opened_at = models.DateTimeField(default=clock.now)
    evidence_due_at = models.DateTimeField()
    evidence_submitted_at = models.DateTimeField(null=True, blank=True)
    # The merchant let the 24 h pass without evidence (recorded as "no evidence").
    timed_out = models.BooleanField(default=False)
    review_started_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True, default="")
    liable = models.CharField(max_length=16, choices=Liable.choices, blank=True, default="")
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The CS agent who took the case (认领): another agent's ruling or request is 409 case_claimed.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["aftersale", "round"], name="one_dispute_row_per_round"),
        ]
        indexes = [
            # The CS queue (queries.cs_queue): filter and "oldest first" order in one index, so a
            # keyset page reads its 50 entries whatever the table's size. The only index on status
            # here: SQLite, without ANALYZE figures, took a (status, review_started_at) index for
            # the queue's filter and sorted every queued dispute (docs/benchmarks.md, issue 8).
            models.Index(
                fields=["review_started_at", "id"],
                name="dispute_review_queue",
                condition=Q(status__in=["awaiting_supplement", "platform_review"]),
            ),
        ]

    def __str__(self):
        return f"dispute of {self.aftersale_id}, round {self.round}"


class EvidenceRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=EvidenceRequest.State.OPEN)

    def of(self, aftersales):
        """The requests of one after-sale (an instance or id), or of several (ids or a queryset)."""
        if isinstance(aftersales, int | models.Model):
            return self.filter(dispute__aftersale=aftersales)
        return self.filter(dispute__aftersale__in=aftersales)


class EvidenceRequest(models.Model):
    """One request for evidence: who is asked, for what, by when, and what happened.

    The merchant's first 24 h window is the `initial` request; CS's supplements follow it.
    """

    class State(models.TextChoices):
        OPEN = "open", "open"
        FULFILLED = "fulfilled", "fulfilled"
        LAPSED = "lapsed", "lapsed"
        WITHDRAWN = "withdrawn", "withdrawn"

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="evidence_requests")
    party = models.CharField(
        max_length=16, choices=[(Party.MERCHANT, Party.MERCHANT.label), (Party.BUYER, Party.BUYER.label)]
    )
    initial = models.BooleanField(default=False)
    note = models.CharField(max_length=1000, blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=clock.now)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The "due soon" reminders already sent for this request, as hours before due_at (4, then 1).
    reminders_sent = models.JSONField(default=list, blank=True)

    objects = EvidenceRequestQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dispute"], condition=Q(state="open"), name="one_open_evidence_request"),
        ]
        indexes = [
            # The sweeper's reminders (actions.deadlines.sweep_reminders): the open requests due
            # within the largest reminder mark, in deadline order, whatever the table's size.
            # Partial, so that no other query takes it for `state = ?`: SQLite did for 纠纷待处理
            # and read every open request (x1.9 at 100k rows), with (state, due_at).
            models.Index(fields=["due_at"], name="evidence_request_open_due", condition=Q(state="open")),
        ]


class Ruling(models.Model):
    """CS's adjudication (判责): outcome, amount, liable party, reason, evidence considered, who ruled."""

    dispute = models.OneToOneField(Dispute, on_delete=models.PROTECT, related_name="ruling")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    amount_fen = models.BigIntegerField(default=0)
    liable = models.CharField(max_length=16, choices=Liable.choices)
    # Required when the outcome and the liability disagree (RulingReason), empty otherwise.
    reason_code = models.CharField(max_length=32, choices=RulingReason.choices, blank=True, default="")
    note = models.TextField()
    evidence_considered = models.JSONField(default=list)
    ruled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ruled_at = models.DateTimeField(default=clock.now)


class Appeal(models.Model):
    """An appeal of a ruling (售后申诉) by the party it went against: once per request, within the
    appeal window, decided by a CS agent other than the one who ruled.

    The ruling stays as it was made; an overturn's outcome and liability are written here and on
    the dispute (`Dispute.outcome`/`liable` are what holds now, which 纠纷商责率 counts)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待复核")
        DECIDED = "decided", _("已复核")

    class Decision(models.TextChoices):
        UPHOLD = "uphold", _("维持原判")
        OVERTURN = "overturn", _("改判")

    aftersale = models.OneToOneField(AfterSale, on_delete=models.PROTECT, related_name="appeal")
    ruling = models.OneToOneField(Ruling, on_delete=models.PROTECT, related_name="appeal")
    appellant = models.CharField(
        max_length=16, choices=[(Party.MERCHANT, Party.MERCHANT.label), (Party.BUYER, Party.BUYER.label)]
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    filed_at = models.DateTimeField(default=clock.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    # On overturn: what now holds. The amount is the refund's total after the appeal.
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True, default="")
    amount_fen = models.BigIntegerField(null=True, blank=True)
    liable = models.CharField(max_length=16, choices=Liable.choices, blank=True, default="")
    reason_code = models.CharField(max_length=32, choices=RulingReason.choices, blank=True, default="")
    # The platform's compensation to the merchant's 安心钱包 (an overturn in the merchant's favour).
    compensation_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(compensation_fen__gte=0), name="appeal_compensation_not_negative"),
        ]
        indexes = [
            # The CS console's appeals queue: pending appeals, oldest first.
            models.Index(fields=["filed_at", "id"], name="appeal_pending_queue", condition=Q(status="pending")),
        ]

    def __str__(self):
        return f"appeal of {self.aftersale_id} by {self.appellant}"
