"""Read side: the workbench filters, the CS queue and the detail view, shared by the API and the pages."""

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField, F, Func, Prefetch, Q
from django.db.models.functions import Collate
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.translation import gettext_lazy

from sellerdesk.core import text
from sellerdesk.core.errors import InvalidInput, NotFound, Unprocessable
from sellerdesk.core.pagination import SortKey, check_limit, paginate_sorted
from sellerdesk.identity.models import Role

from . import names, policy
from .access import aftersales_visible_to, party_of
from .actions.appeals import appeal_eligibility
from .actions.escalation import escalation_eligibility
from .error_codes import AfterSaleErrorCode as Code
from .models import (
    MERCHANT_PENDING_STATUSES,
    AfterSale,
    Appeal,
    Dispute,
    DisputeStatus,
    Evidence,
    EvidenceRequest,
    Party,
    Refund,
    Ruling,
    Status,
)
from .models.enums import status_label
from .states import allowed_actions

# 快捷筛选, the same for the API's `quick=` and the pages' chips: key -> label.
QUICK_FILTER_LABELS = {
    "todo": gettext_lazy("待处理"),  # waiting for the merchant (MERCHANT_PENDING_STATUSES)
    "disputes_pending": gettext_lazy("纠纷待处理"),
    "evidence_due_soon": gettext_lazy("举证即将超时"),
}
QUICK_FILTERS = tuple(QUICK_FILTER_LABELS)


def _supplement_asked_of(user, party) -> Q:
    # A subquery bounded by the caller's own requests: a correlated EXISTS made PostgreSQL hash every
    # open evidence request on the platform for the largest shops (docs/benchmarks.md).
    asked = (
        EvidenceRequest.objects.open()
        .of(aftersales_visible_to(user).filter(status=Status.DISPUTE_AWAITING_SUPPLEMENT))
        .filter(party=party)
        .values("dispute__aftersale_id")
    )
    return Q(status=Status.DISPUTE_AWAITING_SUPPLEMENT, pk__in=asked)


def disputes_pending_q(user) -> Q:
    """纠纷待处理: disputes waiting for the caller's side to act."""
    if user.role == Role.MERCHANT:
        return Q(status=Status.DISPUTE_AWAITING_EVIDENCE) | _supplement_asked_of(user, Party.MERCHANT)
    if user.role == "buyer":
        return _supplement_asked_of(user, Party.BUYER)
    return Q(status=Status.DISPUTE_PLATFORM_REVIEW)


# The numbers a search matches, as columns of the request: 售后单号 and 订单号 (kept on the request,
# migration 0020). Both begin with their date, so the highest numbers are the newest.
NUMBER_FIELDS = ("number", "order_no")
# A list searched by a number's beginning holds at most this many requests per number: those with
# the highest numbers, and it says so (Listing.search_capped) and asks for more of the number. To
# find the newest 20 of a month's prefix over CS's or an admin's scope, PostgreSQL otherwise read
# every newer dispute or every match: 164 ms for one older month at 1M requests, ×9 of 10k
# (docs/benchmarks.md, "Lists at scale"). The cap bounds that by the cap, whatever the table holds.
PREFIX_MATCH_CAP = 200


def number_key(field: str):
    """A number column in byte order: on PostgreSQL `COLLATE "C"`, whose indexes (migration 0020)
    both bound LIKE 'prefix%' and give the order. The column's collation is the database's, which
    LIKE cannot bound, and the varchar_pattern_ops index of a unique column cannot give an ORDER BY.
    SQLite compares text in byte order already."""
    return Collate(F(field), "C") if connection.vendor == "postgresql" else F(field)


def starts_with(field: str, prefix: str) -> Q:
    """A number column (NUMBER_FIELDS) begins with `prefix` (case as typed), in a form its index
    can bound."""
    if connection.vendor == "postgresql":
        return Q(StartsWith(number_key(field), prefix))  # LIKE 'prefix%', escaped
    # SQLite's LIKE ignores ASCII case, so it can only use a NOCASE index; the column's own
    # (BINARY, code point order) index bounds this range. No text starts with prefix + U+10FFFF.
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})


def highest_numbers(rows, field: str, prefix: str, n: int) -> list[int]:
    """The ids of up to `n` of `rows` whose `field` (a number) begins with `prefix`, highest first."""
    matched = rows.filter(starts_with(field, prefix)).order_by(number_key(field).desc(), "-id")
    return list(matched.values_list("pk", flat=True)[:n])


def search_conditions(q: str, *, prefixes: bool = True) -> list[Q]:
    """What `q` may be, one condition per index that finds it: 售后单号 / 订单号, whole or (with
    `prefixes`) their beginning; or a buyer by the name the list shows them by (their nickname, or
    买家 + number when they have none) or by account, exactly."""
    if prefixes:
        numbers = [starts_with(field, q) for field in NUMBER_FIELDS]
    else:  # on each number's unique index
        numbers = [Q(number=q), Q(order__order_no=q)]
    return numbers + buyer_conditions(q)


def buyer_conditions(q: str) -> list[Q]:
    """A buyer whose shown name (nickname, or 买家 + number without one) or account is `q`."""
    users = get_user_model().objects
    conditions = [
        # Account and name as two conditions, not an OR: SQLite scanned every user for the OR.
        Q(buyer_id__in=users.filter(username=q).values("id")),
        Q(buyer_id__in=users.filter(first_name=q).values("id")),
    ]
    unnamed = names.unnamed_buyer_id(q)
    if unnamed is not None:
        conditions.append(Q(buyer_id=unnamed, buyer__first_name=""))
    return conditions


def search_q(q: str, within, *, prefixes: bool = True) -> Q:
    """`id IN (a UNION of one indexed look-up per condition)`, each within `within` (the caller's
    requests): an OR across joined tables, or of IN-subqueries, is a filter PostgreSQL can only
    apply row by row, so it scanned every request the caller may see (46 ms at 100k requests); each
    branch of the union reads only the rows that match (docs/benchmarks.md, issue 8).

    Every match, however many: a short prefix over a wide scope (CS, admin) reads them all. Lists
    page with `Listing` instead, which caps a prefix's matches and reads a page per branch."""
    first, *rest = (within.filter(c).values("id") for c in search_conditions(q, prefixes=prefixes))
    return Q(pk__in=first.union(*rest))


# 排序 of the management list and GET /aftersales `ordering`: the columns a merchant sorts by,
# 申请时间 (newest first by default), 申请金额 and the current deadline (截止时间; requests without
# one last). Each is a keyset on (column, id), with an index per scope (migration list_search).
ORDERINGS = {
    sort.name: sort
    for sort in (
        SortKey("-created_at"),
        SortKey("created_at"),
        SortKey("-amount_fen"),
        SortKey("amount_fen"),
        SortKey("due_at", nullable=True),
        SortKey("-due_at", nullable=True),
    )
}
DEFAULT_ORDERING = "-created_at"


def sort_key(ordering: str | None) -> SortKey:
    if not ordering:
        return ORDERINGS[DEFAULT_ORDERING]
    if ordering not in ORDERINGS:
        raise InvalidInput(Code.INVALID_ORDERING, details={"ordering": ordering, "allowed": list(ORDERINGS)})
    return ORDERINGS[ordering]


@dataclass(frozen=True)
class Listing:
    """The rows of the management list and GET /aftersales: `rows`, filter_aftersales' rows apart
    from the search, and with a search its `branches` (`rows` narrowed by each search condition);
    the list holds the rows in any branch. A page and the count read each branch only as far as
    they need (paginate_sorted's union_of); a number prefix's branch is its highest
    PREFIX_MATCH_CAP numbers, so `AS` over a million requests costs the cap, not a million rows."""

    rows: object
    branches: tuple = ()
    # A number's beginning matched more than PREFIX_MATCH_CAP requests: only the highest numbers
    # are in the list.
    search_capped: bool = False

    def page(self, *, ordering: str | None, cursor: str | None, limit: int | None, values=()):
        """One keyset page in `ordering` (objects, or dicts of `values`, which must hold the sort
        column and id): (rows, next cursor or None)."""
        return paginate_sorted(
            self.rows, sort_key(ordering), cursor=cursor, limit=limit, union_of=self.branches or None, values=values
        )

    def count(self, cap: int | None = None) -> int | str:
        """capped_count of the list: each branch counted up to cap + 1, their union then capped."""
        cap = cap or COUNT_CAP
        if not self.branches:
            return capped_count(self.rows, cap)
        base = AfterSale._base_manager
        first, *rest = (base.filter(pk__in=b.values("id")[: cap + 1]).values("id") for b in self.branches)
        n = first.union(*rest).count()
        return f"{cap}+" if n > cap else n


def listing(user, *, q: str | None = None, **filters) -> Listing:
    """filter_aftersales(user, q=q, **filters) as a Listing (the same rows, the same refusals)."""
    rows = filter_aftersales(user, **filters)
    q = text.cleaned(q)
    if not q:
        return Listing(rows)
    branches, capped = [], False
    for field in NUMBER_FIELDS:
        ids = highest_numbers(rows, field, q, PREFIX_MATCH_CAP + 1)  # one more tells if there are more
        capped = capped or len(ids) > PREFIX_MATCH_CAP
        if ids:
            branches.append(rows.filter(pk__in=ids[:PREFIX_MATCH_CAP]))
    branches += [rows.filter(c) for c in buyer_conditions(q)]
    return Listing(rows, tuple(branches), search_capped=capped)


def _aware(moment: datetime | None) -> datetime | None:
    # A date and time without an offset is the site's time (Asia/Shanghai), as the pages' dates are.
    return timezone.make_aware(moment) if moment is not None and timezone.is_naive(moment) else moment


def filter_aftersales(
    user,
    *,
    statuses=(),
    quick: str | None = None,
    q: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    now=None,
):
    qs = within = aftersales_visible_to(user)
    created_from, created_to = _aware(created_from), _aware(created_to)
    if created_from and created_to and created_from > created_to:
        raise Unprocessable(
            Code.INVALID_DATE_RANGE,
            details={"created_from": created_from.isoformat(), "created_to": created_to.isoformat()},
        )
    bad = [s for s in statuses if s not in Status.values]
    if bad:
        raise InvalidInput(Code.INVALID_STATUS, details={"status": ", ".join(bad), "allowed": Status.values})
    if statuses:
        qs = qs.filter(status__in=statuses)
    if quick:
        if quick not in QUICK_FILTERS:
            raise InvalidInput(Code.INVALID_QUICK_FILTER, details={"quick": quick, "allowed": list(QUICK_FILTERS)})
        if quick == "todo":
            qs = qs.filter(status__in=MERCHANT_PENDING_STATUSES)
        else:
            qs = qs.filter(disputes_pending_q(user))
        if quick == "evidence_due_soon":
            qs = qs.filter(due_at__gte=now, due_at__lte=now + policy.evidence_due_soon())
    q = text.cleaned(q)  # no NUL or other control characters reach the database
    if q:
        qs = qs.filter(search_q(q, within))
    if created_from:
        qs = qs.filter(created_at__gte=created_from)
    if created_to:
        qs = qs.filter(created_at__lte=created_to)
    return qs.select_related("order", "buyer", "dispute")


def detail(aftersale, user, now) -> dict:
    """Everything the refund detail page (退款详情页) and GET /aftersales/{id} show."""
    party = party_of(user, aftersale)
    order = aftersale.order
    dispute = getattr(aftersale, "dispute", None)
    dispute_out = None
    if dispute is not None:
        ruling = getattr(dispute, "ruling", None)
        evidence = Evidence.objects.filter(dispute=dispute).prefetch_related("attachments").order_by("id")
        dispute_out = {
            **{
                f: getattr(dispute, f)
                for f in (
                    "round",
                    "status",
                    "opened_at",
                    "evidence_due_at",
                    "evidence_submitted_at",
                    "timed_out",
                    "outcome",
                    "liable",
                    "resolved_at",
                    "escalation_reason",
                )
            },
            "evidence_requests": list(dispute.evidence_requests.order_by("id")),
            "evidence": [
                {
                    "id": e.id,
                    "party": e.party,
                    "statement": e.statement,
                    "submitted_at": e.submitted_at,
                    "attachments": list(e.attachments.all()),
                }
                for e in evidence
            ],
            "ruling": None
            if ruling is None
            else {
                "outcome": ruling.outcome,
                "amount_fen": ruling.amount_fen,
                "liable": ruling.liable,
                "reason_code": ruling.reason_code,
                "note": ruling.note,
                "evidence_considered": ruling.evidence_considered,
                "ruled_by": names.cs_name(ruling.ruled_by),
                "ruled_at": ruling.ruled_at,
            },
            "appeal": appeal_out(getattr(aftersale, "appeal", None)),
            # Who took the case is the platform's business, not the parties'.
            "claimed_by": names.cs_name(dispute.claimed_by) if party == Party.CS and dispute.claimed_by_id else None,
            "claimed_at": dispute.claimed_at if party == Party.CS else None,
            **appeal_eligibility(aftersale, party=party, now=now),
        }
    return {
        **{
            f: getattr(aftersale, f)
            for f in (
                "id",
                "number",
                "type",
                "status",
                "amount_fen",
                "reason",
                "description",
                "rejection_reason",
                "return_carrier",
                "return_tracking_no",
                "created_at",
                "updated_at",
                "due_at",
                "version",
                "buyer_id",
            )
        },
        "status_label": status_label(aftersale.status),
        "buyer_name": names.buyer_name(aftersale.buyer),
        "order": order,
        "items": claim_lines(aftersale),
        "attachments": list(aftersale.attachments.filter(evidence__isnull=True, history_entry__kind="created")),
        "dispute": dispute_out,
        "offers": list(aftersale.offers.order_by("id")),
        "refund": aftersale.refund,
        "refunds": list(aftersale.refunds.all()),
        "escalation": escalation_eligibility(aftersale, party=party, now=now),
        "allowed_actions": allowed_actions(aftersale, party=party, now=now, user=user),
    }


def claim_lines(aftersale) -> list[dict]:
    """The lines a request claims (none: the whole order), with what its refunds gave each."""
    return [
        {
            "order_item_id": line.order_item_id,
            "sku": line.order_item.sku,
            "title": line.order_item.title,
            "quantity": line.quantity,
            "amount_fen": line.amount_fen,
            "refunded_fen": line.refunded_fen,
        }
        for line in aftersale.lines.select_related("order_item").order_by("id")
    ]


def appeal_out(appeal) -> dict | None:
    if appeal is None:
        return None
    return {
        "status": appeal.status,
        "appellant": appeal.appellant,
        "reason": appeal.reason,
        "filed_at": appeal.filed_at,
        "decided_by": names.cs_name(appeal.decided_by) if appeal.decided_by_id else None,
        "decision": appeal.decision or None,
        "decided_at": appeal.decided_at,
        "note": appeal.note,
        "outcome": appeal.outcome or None,
        "amount_fen": appeal.amount_fen,
        "liable": appeal.liable or None,
        "compensation_fen": appeal.compensation_fen,
    }


def load_for_detail(qs):
    return qs.select_related(
        "order__shop", "buyer", "dispute__ruling__ruled_by", "dispute__claimed_by", "appeal__decided_by"
    ).prefetch_related("order__items", Prefetch("offers"), Prefetch("refunds", queryset=Refund.objects.order_by("id")))


def pending_appeals(user):
    """The CS console's appeals queue (申诉待复核): pending appeals, oldest first (appeal_pending_queue)."""
    if user.role not in (Role.CS, Role.ADMIN):
        return Appeal.objects.none()
    return (
        Appeal.objects.filter(status=Appeal.Status.PENDING)
        .select_related("aftersale__order__shop", "aftersale__buyer", "ruling__ruled_by")
        .order_by("filed_at", "id")
    )


def rulings_made(user, *, ruled_by_me: bool = False):
    """The CS console's 已判责 list: rulings, newest first (by id, the order they were made)."""
    if user.role not in (Role.CS, Role.ADMIN):
        return Ruling.objects.none()
    qs = Ruling.objects.select_related(
        "dispute__aftersale__order", "dispute__aftersale__shop", "dispute__aftersale__buyer", "ruled_by", "appeal"
    )
    return qs.filter(ruled_by=user) if ruled_by_me else qs


def failed_refunds():
    """The CS console's refund cases: every failed refund (with or without a dispute), oldest first."""
    return (
        Refund.objects.filter(status=Refund.Status.FAILED)
        .select_related("aftersale__order__shop", "aftersale__buyer", "aftersale__dispute", "rail_instruction")
        .order_by("failed_at", "id")
    )


# ----------------------------------------------------------------------------------------- CS queue

# The queue is read from the dispute table: its status moves with the request's in the same action
# (platform_review <-> dispute_platform_review, awaiting_supplement <-> dispute_awaiting_supplement),
# so one partial index (dispute_review_queue) gives the filter and the "oldest first" order, and a
# page costs the same at any table size. (Filtering on the request's status as well made PostgreSQL
# misjudge the two as independent, and hash-join and sort the whole queue instead.)
# test_lists_at_scale checks that the queue follows every action.
QUEUE_DISPUTE_STATUSES = (DisputeStatus.AWAITING_SUPPLEMENT, DisputeStatus.PLATFORM_REVIEW)
# Counts shown beside a list stop at this: "1000+" says as much as an exact figure that would cost
# a scan growing with the table.
COUNT_CAP = 1000


def capped_count(qs, cap: int = COUNT_CAP) -> int | str:
    """The exact count up to `cap`, "cap+" beyond it: reads at most cap + 1 index entries."""
    n = qs[: cap + 1].count()
    return f"{cap}+" if n > cap else n


# `status IN ('awaiting_supplement', 'platform_review')` with the values written out, as in
# dispute_review_queue's WHERE. SQLite uses a partial index only when the query's own terms match
# its WHERE, and a bound parameter matches nothing: with `IN (?, ?)` it read every queued dispute
# through dispute_queue (dropped since, migration 0006) and sorted them (x2.2-2.7 at 100k rows).
# PostgreSQL plans both the same. The values are the enum's constants (checked here), never input.
if not all(s.isidentifier() for s in QUEUE_DISPUTE_STATUSES):
    raise ValueError("queue statuses must be plain words to be written into SQL")
_IN_QUEUE_SQL = "%(expressions)s IN (" + ", ".join(f"'{s}'" for s in QUEUE_DISPUTE_STATUSES) + ")"


def _in_queue() -> Func:
    return Func(F("status"), template=_IN_QUEUE_SQL, output_field=BooleanField())


@dataclass(frozen=True)
class QueueFilter:
    """The CS queue's filters (page chips and GET /cs/queue): all optional, combined with AND.

    status: platform_review / awaiting_supplement; claimed: me / none / others; older_than_hours:
    waiting on the platform at least that long; shop_id; q: a whole after-sales or order number, or
    a buyer, as the workbench search finds them (not by a number's beginning)."""

    status: str = ""
    claimed: str = ""
    older_than_hours: int | None = None
    shop_id: int | None = None
    q: str = ""

    CLAIMED = ("me", "none", "others")

    def checked(self) -> "QueueFilter":
        if self.status and self.status not in QUEUE_DISPUTE_STATUSES:
            raise InvalidInput(
                Code.INVALID_STATUS, details={"status": self.status, "allowed": list(QUEUE_DISPUTE_STATUSES)}
            )
        if self.claimed and self.claimed not in self.CLAIMED:
            raise InvalidInput(
                Code.INVALID_CLAIMED_FILTER, details={"claimed": self.claimed, "allowed": list(self.CLAIMED)}
            )
        if self.older_than_hours is not None and not 0 <= self.older_than_hours <= 24 * 365:
            raise InvalidInput(Code.INVALID_AGE_FILTER, details={"max_hours": 24 * 365})
        return self

    @property
    def active(self) -> bool:
        return any((self.status, self.claimed, self.older_than_hours is not None, self.shop_id, self.q))

    def apply(self, qs, user, now):
        if self.status:
            qs = qs.filter(status=self.status)
        if self.claimed == "me":
            qs = qs.filter(claimed_by=user)
        elif self.claimed == "none":
            qs = qs.filter(claimed_by__isnull=True)
        elif self.claimed == "others":
            qs = qs.filter(claimed_by__isnull=False).exclude(claimed_by=user)
        if self.older_than_hours is not None:
            qs = qs.filter(review_started_at__lte=now - timedelta(hours=self.older_than_hours))
        if self.shop_id:
            qs = qs.filter(aftersale__shop_id=self.shop_id)
        q = text.cleaned(self.q)
        if q:
            # Whole numbers only: the queue's keyset pages cannot bound a prefix's matches.
            within = aftersales_visible_to(user)
            qs = qs.filter(current_of__in=within.filter(search_q(q, within, prefixes=False)).values("id"))
        return qs


NO_FILTER = QueueFilter()


def _queue_disputes(user, filters: QueueFilter = NO_FILTER, now=None):
    # CS and admins see every dispute (access.aftersales_visible_to); nobody else has a queue.
    if user.role not in (Role.CS, Role.ADMIN):
        return Dispute.objects.none()
    qs = Dispute.objects.filter(_in_queue())
    return filters.apply(qs, user, now) if filters.active else qs


def _encode_queue_cursor(dispute, direction: str) -> str:
    raw = json.dumps({"t": dispute.review_started_at.isoformat(), "id": dispute.id, "d": direction})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_queue_cursor(cursor: str):
    try:
        data = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        if data["d"] not in ("after", "before") or not isinstance(data["id"], int):
            raise ValueError
        return datetime.fromisoformat(data["t"]), data["id"], data["d"]
    except (ValueError, KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise NotFound(Code.INVALID_CURSOR) from exc


def _after(at, pk) -> Q:
    # (review_started_at, id) > (at, pk), spelt so that the index bounds review_started_at >= at.
    return Q(review_started_at__gte=at) & (Q(review_started_at__gt=at) | Q(id__gt=pk))


def _before(at, pk) -> Q:
    return Q(review_started_at__lte=at) & (Q(review_started_at__lt=at) | Q(id__lt=pk))


def cs_queue_queryset(user, cursor: str | None = None, filters: QueueFilter = NO_FILTER, now=None):
    """(the queue's rows from `cursor` on, in the order they are read; "after" or "before")."""
    qs = _queue_disputes(user, filters, now).select_related(
        "aftersale__order", "aftersale__shop", "aftersale__buyer", "claimed_by"
    )
    if not cursor:
        return qs.order_by("review_started_at", "id"), "after"
    at, pk, direction = _decode_queue_cursor(cursor)
    if direction == "after":
        return qs.filter(_after(at, pk)).order_by("review_started_at", "id"), direction
    return qs.filter(_before(at, pk)).order_by("-review_started_at", "-id"), direction


def cs_queue(
    user,
    *,
    cursor: str | None = None,
    limit: int | None = None,
    default_limit: int = 50,
    filters: QueueFilter = NO_FILTER,
    now=None,
):
    """The disputes awaiting a ruling, oldest first (by review_started_at, then id), one keyset page.

    Returns (disputes with their request, order, shop and buyer loaded; next cursor or None;
    previous cursor or None). A cursor keeps its place when cases are ruled meanwhile: no case is
    skipped or shown twice when paging on.
    """
    limit = check_limit(limit, default=default_limit)
    filters = filters.checked()
    base = _queue_disputes(user, filters, now)
    qs, direction = cs_queue_queryset(user, cursor, filters, now)
    if direction == "after":
        rows = list(qs[: limit + 1])
        more, rows = len(rows) > limit, rows[:limit]
        has_next = more
        has_prev = bool(cursor) and bool(rows) and base.filter(_before(rows[0].review_started_at, rows[0].id)).exists()
    else:
        rows = list(qs[: limit + 1])
        more, rows = len(rows) > limit, rows[:limit][::-1]
        has_prev = more
        has_next = True
    if not rows:
        # Past the end (every case on it was ruled): offer the way back to the first page only.
        return [], None, None
    next_cursor = _encode_queue_cursor(rows[-1], "after") if has_next else None
    prev_cursor = _encode_queue_cursor(rows[0], "before") if has_prev else None
    return rows, next_cursor, prev_cursor


def queue_counts(user, *, filters: QueueFilter = NO_FILTER, now=None) -> dict:
    """The queue's size and the disputes still in the merchant's evidence window, capped."""
    # The request's status moves with its dispute's (awaiting_evidence <-> dispute_awaiting_evidence),
    # and is indexed: aftersale_status_recent (status, -id).
    waiting = (
        AfterSale.objects.filter(status=Status.DISPUTE_AWAITING_EVIDENCE)
        if user.role in (Role.CS, Role.ADMIN)
        else AfterSale.objects.none()
    )
    # Ordered as the indexes are, so the capped count walks an index instead of the table.
    return {
        "total": capped_count(_queue_disputes(user).order_by("review_started_at", "id")),
        "matching": capped_count(_queue_disputes(user, filters, now).order_by("review_started_at", "id"))
        if filters.active
        else None,
        "negotiating": capped_count(waiting.order_by("status", "-id")),
    }
