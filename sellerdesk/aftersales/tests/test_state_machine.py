"""Random sequences of every actor's actions and of the clock, checked against the invariants of
architecture.md ("final states stay final, refunds never exceed what was paid, every change has one
history entry, no ruling on a cancelled dispute") and against the transition table itself.

A hypothesis RuleBasedStateMachine drives the real actions (sellerdesk.aftersales.actions) with a
simulated clock `now` that only moves forward. Each example runs inside a savepoint of the test's
transaction and is rolled back in teardown(), so the users of the `world` fixture are built once and
every example starts from the same two paid orders.

The machine keeps a model of what each request's negotiation history must be; after every step the
database must match it exactly, which is how "every successful change added exactly one entry of
its kind" is checked (a missing, duplicated or half-applied entry shows up as a difference).
"""

import os
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from sellerdesk.aftersales import actions, policy
from sellerdesk.aftersales.access import aftersales_visible_to, party_of
from sellerdesk.aftersales.models import (
    FINAL_STATUSES,
    AfterSale,
    AfterSaleType,
    Dispute,
    DisputeStatus,
    Evidence,
    EvidenceRequest,
    HistoryEntry,
    Offer,
    Refund,
    Ruling,
    Status,
)
from sellerdesk.aftersales.states import TIMED_STATUSES, Action, allowed_actions, check_transition
from sellerdesk.core import clock
from sellerdesk.core.errors import CodedError
from sellerdesk.orders.models import Order
from sellerdesk.testing import factories as f

S = Status
PAID = (10000, 2500)
MAX_REQUESTS = 4
# The codes with which the transition table refuses; an action allowed_actions lists must never get one.
TABLE_REFUSALS = {"invalid_transition", "forbidden_role", "deadline_passed", "no_open_offer"}

DISPUTE_STATUS_OF = {
    S.DISPUTE_AWAITING_EVIDENCE: DisputeStatus.AWAITING_EVIDENCE,
    S.DISPUTE_PLATFORM_REVIEW: DisputeStatus.PLATFORM_REVIEW,
    S.DISPUTE_AWAITING_SUPPLEMENT: DisputeStatus.AWAITING_SUPPLEMENT,
}
# Entries that do not move the request; every status is explained by the latest entry of another kind.
NEUTRAL_KINDS = {"message", "offer_made", "offer_declined", "offer_superseded", "offer_lapsed"}
LATEST_KIND_OF = {
    S.AWAITING_MERCHANT: {"created"},
    S.AWAITING_RETURN: {"approved", "auto_approved"},
    S.AWAITING_RECEIPT: {"return_shipped"},
    S.MERCHANT_REJECTED: {"rejected", "receipt_rejected"},
    S.DISPUTE_AWAITING_EVIDENCE: {"escalated"},
    S.DISPUTE_PLATFORM_REVIEW: {"evidence_submitted", "evidence_timed_out", "supplement_timed_out"},
    S.DISPUTE_AWAITING_SUPPLEMENT: {"evidence_requested"},
    S.REFUNDED: {"refunded"},
    S.CLOSED: {"ruled", "return_timed_out", "escalation_window_closed"},
    S.CANCELLED: {"cancelled"},
}
# What each timeout does: (status it leads to, history kinds it writes); AWAITING_MERCHANT is an approval.
TIMEOUTS = {
    S.AWAITING_RETURN: (S.CLOSED, ["return_timed_out"]),
    S.AWAITING_RECEIPT: (S.REFUNDED, ["receipt_auto_confirmed", "refunded"]),
    S.MERCHANT_REJECTED: (S.CLOSED, ["escalation_window_closed"]),
    S.DISPUTE_AWAITING_EVIDENCE: (S.DISPUTE_PLATFORM_REVIEW, ["evidence_timed_out"]),
    S.DISPUTE_AWAITING_SUPPLEMENT: (S.DISPUTE_PLATFORM_REVIEW, ["supplement_timed_out"]),
}

ACTORS = ("buyer", "merchant", "cs", "stranger")
pick = st.integers(0, MAX_REQUESTS - 1)


def actor(usual):
    """Mostly the actor the rule is meant for, often anyone else (wrong roles must be refused)."""
    return st.sampled_from((usual,) * 4 + ACTORS)


# Starting states for the first request, reached by its rightful actors through the real actions.
REJECT, ESCALATE = ("reject", "merchant"), ("escalate", "buyer")
EVIDENCE, APPROVE = ("submit_evidence", "merchant", "发货前质检视频"), ("approve", "merchant")
PATHS = {
    "awaiting_merchant": [],
    "merchant_rejected": [REJECT],
    "dispute_awaiting_evidence": [REJECT, ESCALATE],
    "dispute_platform_review": [REJECT, ESCALATE, EVIDENCE],
    "dispute_awaiting_supplement": [REJECT, ESCALATE, EVIDENCE, ("request_evidence", "cs", ("buyer", 24))],
    "merchant_agreed_in_dispute": [REJECT, ESCALATE, APPROVE],
    "approved": [APPROVE],
    "return_shipped": [APPROVE, ("return_shipment", "buyer")],
    "receipt_rejected": [APPROVE, ("return_shipment", "buyer"), ("reject_receipt", "merchant")],
    "agreed_in_dispute_then_return_refused": [
        REJECT,
        ESCALATE,
        APPROVE,
        ("return_shipment", "buyer"),
        ("reject_receipt", "merchant"),
    ],
}


class Unchanged:
    """Marker: a successful action that leaves status, due_at and version as they were."""


class AfterSalesMachine(RuleBasedStateMachine):
    world = None  # set by the test: users and shops built once, outside the per-example savepoint

    def __init__(self):
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        w = self.world
        self.users = {"buyer": w.buyer, "merchant": w.merchant, "cs": w.cs, "stranger": w.other_merchant}
        self.now = clock.now()
        self.orders = [f.make_order(shop=w.shop, buyer=w.buyer, paid_fen=paid) for paid in PAID]
        self.ids: list[int] = []
        self.expected_kinds: dict[int, list[str]] = {}
        self.had_open_offer = False  # whether an offer was open when attempt() began (lapsed())
        self.final_snapshots: dict[int, tuple] = {}
        self.stats = STATS
        self._last_snapshot = None

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # -------------------------------------------------------------------------------- observation

    def snapshot(self) -> dict:
        """Everything the actions may write for this example's orders, to prove a refusal changed nothing.

        Cached until the next change (`changed()`): the invariants' read after a step is the next step's
        "before"."""
        if self._last_snapshot is not None:
            return self._last_snapshot
        orders, ids = [o.pk for o in self.orders], self.ids
        disputes = list(Dispute.objects.filter(aftersale_id__in=ids).order_by("pk").values())
        dispute_ids = [d["id"] for d in disputes]
        self._last_snapshot = {
            "orders": list(Order.objects.filter(pk__in=orders).order_by("pk").values_list("pk", "refunded_fen")),
            "aftersales": list(AfterSale.objects.filter(order_id__in=orders).order_by("pk").values()),
            "history": list(
                HistoryEntry.objects.filter(aftersale_id__in=ids)
                .order_by("pk")
                .values_list("pk", "aftersale_id", "kind")
            ),
            "refunds": list(Refund.objects.filter(order_id__in=orders).order_by("pk").values()),
            "disputes": disputes,
            "requests": list(EvidenceRequest.objects.filter(dispute_id__in=dispute_ids).order_by("pk").values()),
            "evidence": list(Evidence.objects.filter(dispute_id__in=dispute_ids).order_by("pk").values()),
            "offers": list(Offer.objects.filter(aftersale_id__in=ids).order_by("pk").values()),
            "rulings": list(Ruling.objects.filter(dispute_id__in=dispute_ids).order_by("pk").values()),
        }
        return self._last_snapshot

    def changed(self):
        """Something was written: the next snapshot must read the database again."""
        self._last_snapshot = None

    def grouped(self, data=None):
        """The snapshot per request: {id: (row, {history, refunds, dispute, requests, offers, rulings, evidence})}."""
        data = data or self.snapshot()
        parts = {
            pk: {
                "history": [],
                "refunds": [],
                "dispute": None,
                "requests": [],
                "offers": [],
                "rulings": [],
                "evidence": [],
            }
            for pk in self.ids
        }
        dispute_of = {}
        for d in data["disputes"]:
            parts[d["aftersale_id"]]["dispute"] = d
            dispute_of[d["id"]] = d["aftersale_id"]
        for _, aftersale_id, kind in data["history"]:
            parts[aftersale_id]["history"].append(kind)
        for r in data["refunds"]:
            parts[r["aftersale_id"]]["refunds"].append(r)
        for o in data["offers"]:
            parts[o["aftersale_id"]]["offers"].append(o)
        for name in ("requests", "rulings", "evidence"):
            for r in data[name]:
                parts[dispute_of[r["dispute_id"]]][name].append(r)
        rows = {a["id"]: a for a in data["aftersales"]}
        assert set(rows) == set(self.ids)
        return {pk: (rows[pk], parts[pk]) for pk in self.ids}

    def target(self, i) -> int:
        return self.ids[i % len(self.ids)]

    # -------------------------------------------------------------------------------- the one way to act

    def attempt(self, action: Action, i, who, call, expect):
        """Call an action as `who` on request i and check it against allowed_actions and the model.

        `expect(before_row) -> (status, due_at, new_kinds, refund_fen)`, or Unchanged for status.
        """
        aftersale_id = self.target(i)
        user = self.users[who]
        aftersale = AfterSale.objects.get(pk=aftersale_id)
        party = party_of(user, aftersale)
        visible = aftersales_visible_to(user).filter(pk=aftersale_id).exists()
        listed = action.value in allowed_actions(aftersale, party=party, now=self.now)
        table_says = None
        try:
            check_transition(aftersale, action, party=party, now=self.now)
        except CodedError as exc:
            table_says = exc.code
        assert listed == (table_says is None and party is not None)
        before = self.snapshot()
        self.had_open_offer = Offer.objects.filter(aftersale_id=aftersale_id, state=Offer.State.OPEN).exists()
        self.changed()
        try:
            call(user, aftersale_id)
        except CodedError as exc:
            self.stats["refused", action.value, exc.code] += 1
            assert self.snapshot() == before, f"{action} was refused with {exc.code} but changed something"
            if not visible:
                assert exc.code == "not_found"
            elif listed:
                assert exc.code not in TABLE_REFUSALS, f"{action} is in allowed_actions but was refused: {exc.code}"
            else:
                assert exc.code == table_says, (exc.code, table_says)
            return
        self.stats["done", action.value] += 1
        assert visible and listed, f"{action} by {who} succeeded in {aftersale.status} but was not allowed"
        status, due_at, kinds, refund_fen = expect(aftersale)
        self.check_change(aftersale, status, due_at, kinds, refund_fen)

    def check_change(self, before: AfterSale, status, due_at, kinds, refund_fen):
        after = AfterSale.objects.get(pk=before.pk)
        if status is Unchanged:
            assert (after.status, after.due_at, after.version) == (before.status, before.due_at, before.version)
        else:
            assert after.status == status
            assert after.due_at == due_at
            assert after.version == before.version + 1
        self.expected_kinds[before.pk] += kinds
        refunds = list(Refund.objects.filter(aftersale_id=before.pk).values_list("amount_fen", flat=True))
        assert refunds == ([] if refund_fen is None else [refund_fen])

    def approval(self, aftersale, first_kind, lapsed=()):
        """The merchant (or the system for them) agreed: refund now, or first wait for the goods."""
        if aftersale.type == AfterSaleType.RETURN_REFUND and not aftersale.return_tracking_no:
            return S.AWAITING_RETURN, self.now + policy.return_shipment(), [first_kind, *lapsed], None
        return S.REFUNDED, None, [first_kind, *lapsed, "refunded"], aftersale.amount_fen

    def lapsed(self, kind="offer_lapsed") -> list[str]:
        """The history entry of the offer the action just ended, if one was open before it."""
        return [kind] if self.had_open_offer else []

    # -------------------------------------------------------------------------------- the first request

    @initialize(
        type=st.sampled_from(AfterSaleType.values), pct=st.integers(1, 100), path=st.sampled_from(sorted(PATHS))
    )
    def first_request(self, type, pct, path):
        """The first request, walked by its rightful actors to a random starting state (so that the
        random steps start as often in the dispute as before it)."""
        self.open_request(0, type, PAID[0] * pct // 100)
        for name, *args in PATHS[path]:
            getattr(self, name)(0, *args)

    def open_request(self, order_index, type, amount):
        order = Order.objects.get(pk=self.orders[order_index].pk)
        before = self.snapshot()
        self.changed()
        try:
            aftersale = actions.do_open_aftersale(
                order_id=order.pk,
                type=type,
                amount_fen=amount,
                reason="质量问题",
                description="",
                acting_user=self.users["buyer"],
                now=self.now,
            )
        except CodedError as exc:
            self.stats["refused", "open", exc.code] += 1
            assert self.snapshot() == before
            still_open = AfterSale.objects.filter(order=order).exclude(status__in=FINAL_STATUSES).exists()
            expected = (
                "invalid_amount"
                if amount <= 0
                else "amount_exceeds_refundable"
                if amount > order.refundable_fen
                else "aftersale_already_open"
            )
            assert exc.code == expected, (exc.code, amount, order.refundable_fen, still_open)
            return
        self.stats["done", "open"] += 1
        assert 0 < amount <= order.refundable_fen
        assert (aftersale.status, aftersale.due_at) == (S.AWAITING_MERCHANT, self.now + policy.merchant_response())
        self.ids.append(aftersale.pk)
        self.changed()
        self.expected_kinds[aftersale.pk] = ["created"]

    # -------------------------------------------------------------------------------- the clock

    @rule(
        seconds=st.one_of(st.integers(1, 120), st.integers(121, 6 * 3600), st.integers(6 * 3600, 12 * 86400)),
        sweeper_runs=st.booleans(),
    )
    def time_passes(self, seconds, sweeper_runs):
        self.now += timedelta(seconds=seconds)
        if sweeper_runs:
            self.sweep()

    @precondition(lambda self: self.ids)
    @rule(i=pick, offset=st.sampled_from([-1, 0, 1]), sweeper_runs=st.booleans())
    def clock_reaches_a_deadline(self, i, offset, sweeper_runs):
        """To the second around one request's deadline: met at due_at, missed one second later."""
        due_at = AfterSale.objects.get(pk=self.target(i)).due_at
        if due_at is not None and due_at + timedelta(seconds=offset) > self.now:
            self.now = due_at + timedelta(seconds=offset)
        if sweeper_runs:
            self.sweep()

    @rule()
    def sweeper_runs(self):
        self.sweep()

    def sweep(self):
        rows = {a.pk: a for a in AfterSale.objects.filter(pk__in=self.ids)}
        due = [a for a in rows.values() if a.status in TIMED_STATUSES and a.due_at < self.now]
        with_offer = set(
            Offer.objects.filter(aftersale_id__in=self.ids, state=Offer.State.OPEN).values_list(
                "aftersale_id", flat=True
            )
        )
        before = self.grouped()
        self.changed()
        fired = actions.sweep(now=self.now)
        assert fired == len(due)
        after = self.grouped()
        self.changed()
        for pk, aftersale in rows.items():
            if aftersale not in due:
                assert after[pk] == before[pk], "the sweeper touched a request that was not due"
                continue
            self.stats["timeout", aftersale.status] += 1
            if aftersale.status == S.AWAITING_MERCHANT:
                self.check_change(aftersale, *self.approval(aftersale, "auto_approved"))
            else:
                status, kinds = TIMEOUTS[aftersale.status]
                if aftersale.status == S.MERCHANT_REJECTED and pk in with_offer:  # the window closing ends it
                    kinds = [*kinds, "offer_lapsed"]
                refund = aftersale.amount_fen if status == S.REFUNDED else None
                self.check_change(aftersale, status, None, kinds, refund)
            if aftersale.status == S.DISPUTE_AWAITING_EVIDENCE:
                assert Dispute.objects.get(current_of=pk).timed_out is True
        assert actions.sweep(now=self.now) == 0, "a second sweep at the same moment fired again"

    # -------------------------------------------------------------------------------- merchant

    @rule(i=pick, who=actor("merchant"))
    def approve(self, i, who):
        self.attempt(
            Action.APPROVE,
            i,
            who,
            lambda u, a: actions.do_approve(a, acting_user=u, now=self.now),
            lambda before: self.approval(before, "approved", self.lapsed()),
        )

    @rule(i=pick, who=actor("merchant"))
    def reject(self, i, who):
        self.attempt(
            Action.REJECT,
            i,
            who,
            lambda u, a: actions.do_reject(a, reason="已发货，无质量问题", acting_user=u, now=self.now),
            lambda before: (S.MERCHANT_REJECTED, self.now + policy.escalation_window(), ["rejected"], None),
        )

    @rule(i=pick, who=actor("merchant"))
    def confirm_receipt(self, i, who):
        self.attempt(
            Action.CONFIRM_RECEIPT,
            i,
            who,
            lambda u, a: actions.do_confirm_receipt(a, acting_user=u, now=self.now),
            lambda before: (S.REFUNDED, None, ["receipt_confirmed", "refunded"], before.amount_fen),
        )

    @rule(i=pick, who=actor("merchant"))
    def reject_receipt(self, i, who):
        self.attempt(
            Action.REJECT_RECEIPT,
            i,
            who,
            lambda u, a: actions.do_reject_receipt(a, reason="退回商品已损坏", acting_user=u, now=self.now),
            lambda before: (S.MERCHANT_REJECTED, self.now + policy.escalation_window(), ["receipt_rejected"], None),
        )

    @rule(i=pick, who=actor("merchant"), statement=st.sampled_from(["发货前质检视频", "补充照片", "   "]))
    def submit_evidence(self, i, who, statement):
        """The merchant's evidence, or whoever CS asked for a supplement (the buyer too)."""
        self.attempt(
            Action.SUBMIT_EVIDENCE,
            i,
            who,
            lambda u, a: actions.do_submit_evidence(a, statement=statement, acting_user=u, now=self.now),
            lambda before: (S.DISPUTE_PLATFORM_REVIEW, None, ["evidence_submitted"], None),
        )

    @rule(i=pick, who=actor("merchant"), pct=st.integers(0, 100))
    def make_offer(self, i, who, pct):
        amount = AfterSale.objects.get(pk=self.target(i)).amount_fen * pct // 100
        self.attempt(
            Action.MAKE_OFFER,
            i,
            who,
            lambda u, a: actions.do_make_offer(a, amount_fen=amount, note="部分退款", acting_user=u, now=self.now),
            lambda before: (Unchanged, None, [*self.lapsed("offer_superseded"), "offer_made"], None),
        )

    # -------------------------------------------------------------------------------- buyer

    @rule(i=pick, who=actor("buyer"))
    def return_shipment(self, i, who):
        self.attempt(
            Action.RETURN_SHIPMENT,
            i,
            who,
            lambda u, a: actions.do_submit_return(
                a, carrier="顺丰", tracking_no="SF1234567890", acting_user=u, now=self.now
            ),
            lambda before: (S.AWAITING_RECEIPT, self.now + policy.receipt(), ["return_shipped"], None),
        )

    @rule(i=pick, who=actor("buyer"))
    def escalate(self, i, who):
        self.attempt(
            Action.ESCALATE,
            i,
            who,
            lambda u, a: actions.do_escalate(a, reason="商家拒绝不合理", acting_user=u, now=self.now),
            lambda before: (S.DISPUTE_AWAITING_EVIDENCE, self.now + policy.evidence(), ["escalated"], None),
        )

    @rule(i=pick, who=actor("buyer"), body=st.sampled_from(["请尽快处理", ""]))
    def message(self, i, who, body):
        self.attempt(
            Action.MESSAGE,
            i,
            who,
            lambda u, a: actions.do_post_message(a, body=body, acting_user=u, now=self.now),
            lambda before: (Unchanged, None, ["message"], None),
        )

    def offer_to_answer(self, i, stale):
        offers = Offer.objects.filter(aftersale_id=self.target(i)).order_by("-pk")
        offer = (offers.exclude(state=Offer.State.OPEN) if stale else offers.filter(state=Offer.State.OPEN)).first()
        return offer or offers.first()

    @rule(i=pick, who=actor("buyer"), stale=st.booleans())
    def accept_offer(self, i, who, stale):
        offer = self.offer_to_answer(i, stale)
        self.attempt(
            Action.ACCEPT_OFFER,
            i,
            who,
            lambda u, a: actions.do_accept_offer(a, offer.pk if offer else 0, acting_user=u, now=self.now),
            lambda before: (S.REFUNDED, None, ["offer_accepted", "refunded"], offer.amount_fen),
        )

    @rule(i=pick, who=actor("buyer"), stale=st.booleans())
    def decline_offer(self, i, who, stale):
        offer = self.offer_to_answer(i, stale)
        self.attempt(
            Action.DECLINE_OFFER,
            i,
            who,
            lambda u, a: actions.do_decline_offer(a, offer.pk if offer else 0, acting_user=u, now=self.now),
            lambda before: (Unchanged, None, ["offer_declined"], None),
        )

    @rule(i=pick, who=actor("buyer"))
    def cancel(self, i, who):
        self.attempt(
            Action.CANCEL,
            i,
            who,
            lambda u, a: actions.do_cancel(a, acting_user=u, now=self.now),
            lambda before: (S.CANCELLED, None, ["cancelled", *self.lapsed()], None),
        )

    # -------------------------------------------------------------------------------- platform CS

    # (Arguments are packed into tuples: hypothesis draws rules with fewer arguments more often.)
    @rule(
        i=pick,
        who=actor("cs"),
        ask=st.tuples(st.sampled_from(["merchant", "buyer", "cs"]), st.sampled_from([None, 1, 24, 168, 0, 169])),
    )
    def request_evidence(self, i, who, ask):
        party, due_hours = ask
        window = policy.supplement() if due_hours is None else timedelta(hours=due_hours)
        self.attempt(
            Action.REQUEST_EVIDENCE,
            i,
            who,
            lambda u, a: actions.do_request_evidence(
                a, party=party, note="请补充物流签收凭证", due_hours=due_hours, acting_user=u, now=self.now
            ),
            lambda before: (S.DISPUTE_AWAITING_SUPPLEMENT, self.now + window, ["evidence_requested"], None),
        )

    @rule(
        i=pick,
        who=actor("cs"),
        ruling=st.tuples(
            st.sampled_from(["refund", "partial_refund", "no_refund", "maybe"]),
            st.integers(0, 100),
            st.sampled_from(["merchant", "buyer", "none"]),
        ),
    )
    def rule_dispute(self, i, who, ruling):
        outcome, pct, liable = ruling
        amount = AfterSale.objects.get(pk=self.target(i)).amount_fen * pct // 100

        def expect(before):
            refund = {"refund": before.amount_fen, "partial_refund": amount, "no_refund": None}[outcome]
            if refund is None:
                return S.CLOSED, None, ["ruled", *self.lapsed()], None
            return S.REFUNDED, None, ["ruled", *self.lapsed(), "refunded"], refund

        self.attempt(
            Action.RULE,
            i,
            who,
            lambda u, a: actions.do_rule(
                a,
                outcome=outcome,
                amount_fen=amount,
                liable=liable,
                note="依据双方凭证判定",
                acting_user=u,
                now=self.now,
            ),
            expect,
        )

    # -------------------------------------------------------------------------------- buyer opens another

    @precondition(lambda self: len(self.ids) < MAX_REQUESTS and self.an_order_is_free())
    @rule(
        order=st.integers(0, 1),
        type=st.sampled_from(AfterSaleType.values),
        amount=st.one_of(st.integers(1, 10000), st.integers(-1, 12000)),
    )
    def buyer_opens_request(self, order, type, amount):
        self.open_request(order, type, amount)

    def an_order_is_free(self) -> bool:
        """Opening is tried only where it can succeed: "one open request per order" is raced elsewhere."""
        busy = set(
            AfterSale.objects.filter(pk__in=self.ids)
            .exclude(status__in=FINAL_STATUSES)
            .values_list("order_id", flat=True)
        )
        return len(busy) < len(self.orders)

    # -------------------------------------------------------------------------------- invariants

    @invariant()
    def every_invariant_holds(self):
        """All the invariants, from one read of the example's rows (a handful of queries per step)."""
        self.stats["step",] += 1
        self.changed()
        data = self.snapshot()
        requests = self.grouped(data)
        # Refunds never exceed what was paid, and sum(Refund.amount) == order.refunded_fen.
        for order_id, refunded_fen in data["orders"]:
            order_refunds = [r["amount_fen"] for r in data["refunds"] if r["order_id"] == order_id]
            assert sum(order_refunds) == refunded_fen
            assert 0 <= refunded_fen <= PAID[[o.pk for o in self.orders].index(order_id)]

        for pk, (a, mine) in requests.items():
            status, dispute, rulings = a["status"], mine["dispute"], mine["rulings"]

            # Every change added exactly the entries of its kind: the history is the model's.
            assert mine["history"] == self.expected_kinds[pk]

            # Final states stay final: nothing about a final request changes again.
            if pk in self.final_snapshots:
                assert (a, mine) == self.final_snapshots[pk], "a final request changed"
            elif status in FINAL_STATUSES:
                self.final_snapshots[pk] = (a, mine)

            # At most one refund per request, exactly for refunded ones, never above what was asked.
            assert len(mine["refunds"]) == (1 if status == S.REFUNDED else 0)
            assert all(0 < r["amount_fen"] <= a["amount_fen"] for r in mine["refunds"])

            # Every status is explained by its latest state-changing entry.
            latest = [k for k in mine["history"] if k not in NEUTRAL_KINDS][-1]
            assert latest in LATEST_KIND_OF[status], (status, latest)

            # due_at is None exactly in states without a deadline; closed_at exactly in final ones.
            assert (a["due_at"] is not None) == (status in TIMED_STATUSES), status
            assert (a["closed_at"] is not None) == (status in FINAL_STATUSES), status

            # The dispute's status matches the request's; no ruling on a cancelled dispute.
            assert len(rulings) <= 1
            if status in DISPUTE_STATUS_OF:
                assert dispute is not None and dispute["status"] == DISPUTE_STATUS_OF[status]
                assert rulings == []
            elif dispute is not None and dispute["status"] == DisputeStatus.CANCELLED:
                assert status == S.CANCELLED
                assert rulings == [], "a ruling on a cancelled dispute"
                assert (dispute["outcome"], dispute["liable"]) == ("", "")
            elif dispute is not None:
                assert dispute["status"] == DisputeStatus.RESOLVED, (status, dispute["status"])
                if rulings:
                    assert status in (S.REFUNDED, S.CLOSED)
                    assert (dispute["outcome"], dispute["liable"]) == (rulings[0]["outcome"], rulings[0]["liable"])
                else:
                    # Completed without a ruling: the merchant agreed or the buyer accepted an offer;
                    # nobody is liable. After agreeing to a return-and-refund the goods still come back
                    # (and may be refused again on arrival: merchant_rejected, with the escalation window).
                    assert dispute["liable"] == ""
                    assert status in FINAL_STATUSES or status in (
                        S.AWAITING_RETURN,
                        S.AWAITING_RECEIPT,
                        S.MERCHANT_REJECTED,
                    ), status

            # One open evidence request exactly while someone is asked, due when the request is.
            open_requests = [r for r in mine["requests"] if r["state"] == EvidenceRequest.State.OPEN]
            if status in (S.DISPUTE_AWAITING_EVIDENCE, S.DISPUTE_AWAITING_SUPPLEMENT):
                assert [r["due_at"] for r in open_requests] == [a["due_at"]]
            else:
                assert open_requests == []
            # At most one open offer, and none once final.
            open_offers = [o for o in mine["offers"] if o["state"] == Offer.State.OPEN]
            assert len(open_offers) <= (0 if status in FINAL_STATUSES else 1)


STATS: Counter = Counter()


@pytest.mark.django_db
def test_random_actions_and_clock_jumps_keep_every_invariant(world):
    STATS.clear()
    AfterSalesMachine.world = world
    run_state_machine_as_test(
        AfterSalesMachine,
        settings=settings(
            # SELLERDESK_STATE_MACHINE_EXAMPLES=500 for a long exploratory run.
            max_examples=int(os.environ.get("SELLERDESK_STATE_MACHINE_EXAMPLES", "30")),
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print(
        "state machine:",
        sum(n for key, n in STATS.items() if key[0] == "step"),
        "steps;",
        sorted((key, n) for key, n in STATS.items() if key[0] != "step"),
    )


@pytest.mark.django_db
def test_second_escalation_after_the_merchant_agreed_and_then_refused_the_return(world):
    # given a return-and-refund the merchant agreed to during the dispute, then refused on arrival
    now = clock.now()
    aftersale = actions.do_open_aftersale(
        order_id=world.order.pk,
        type="return_refund",
        amount_fen=5000,
        reason="质量问题",
        acting_user=world.buyer,
        now=now,
    )
    actions.do_reject(aftersale.pk, reason="无质量问题", acting_user=world.merchant, now=now)
    actions.do_escalate(aftersale.pk, reason="商品破损", acting_user=world.buyer, now=now)
    actions.do_approve(aftersale.pk, acting_user=world.merchant, now=now)
    actions.do_submit_return(aftersale.pk, carrier="顺丰", tracking_no="SF1", acting_user=world.buyer, now=now)
    actions.do_reject_receipt(aftersale.pk, reason="退回商品已损坏", acting_user=world.merchant, now=now)
    aftersale.refresh_from_db()
    assert aftersale.status == S.MERCHANT_REJECTED
    assert "escalate" in allowed_actions(aftersale, party="buyer", now=now)

    # when the buyer requests platform intervention again, as allowed_actions offers
    actions.do_escalate(aftersale.pk, reason="商家拒收退货", acting_user=world.buyer, now=now)

    # then round 2 of the dispute is open with a new 24 h window, and both rounds are in the history
    aftersale.refresh_from_db()
    dispute = aftersale.dispute
    assert (dispute.round, Dispute.objects.filter(aftersale=aftersale).count()) == (2, 2)
    assert (aftersale.status, aftersale.due_at) == (S.DISPUTE_AWAITING_EVIDENCE, now + policy.evidence())
    assert (dispute.status, dispute.evidence_due_at, dispute.outcome, dispute.resolved_at) == (
        DisputeStatus.AWAITING_EVIDENCE,
        now + policy.evidence(),
        "",
        None,
    )
    assert list(EvidenceRequest.objects.filter(dispute=dispute, state="open").values_list("party", "due_at")) == [
        ("merchant", now + policy.evidence())
    ]
    assert list(HistoryEntry.objects.filter(aftersale=aftersale).order_by("pk").values_list("kind", flat=True)) == [
        "created",
        "rejected",
        "escalated",
        "approved",
        "return_shipped",
        "receipt_rejected",
        "escalated",
    ]
