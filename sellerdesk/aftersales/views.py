"""Thin pages: the merchant workbench (PC), the seller app (/m/), the buyer's pages and the CS console.

Pages read through queries.filter_aftersales / queries.detail and change state only through the
do_* actions (acting_user=request.user, now=clock.now()). A refused action re-renders the same page
with the refusal's message next to the form and the user's input kept. Objects the user may not see
are 404 (access_aftersale), never 403.
"""

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sellerdesk.core import clock, ratelimit
from sellerdesk.core.errors import CodedError, NotFound
from sellerdesk.core.money import fen_to_yuan, format_fen
from sellerdesk.core.pagination import paginate
from sellerdesk.identity.models import Role
from sellerdesk.orders.actions import access_order, orders_visible_to

from . import actions, files, queries
from .access import access_aftersale, party_of, visible_history
from .actions import drafts
from .actions.opening import line_claimable_fen
from .actions.refunds import do_retry_refund
from .files import check_integrity
from .forms import ACTION_FORMS, EvidenceDraftForm, NewAfterSaleForm, first_error
from .models import (
    MERCHANT_PENDING_STATUSES,
    AfterSale,
    AfterSaleType,
    Attachment,
    DisputeStatus,
    Liable,
    Offer,
    Outcome,
    Party,
    RulingReason,
    Status,
)
from .queries import (
    DEFAULT_ORDERING,
    ORDERINGS,
    QUICK_FILTER_LABELS,
    QueueFilter,
    capped_count,
    detail,
    disputes_pending_q,
    failed_refunds,
    filter_aftersales,
    listing,
    load_for_detail,
    pending_appeals,
    queue_counts,
    rulings_made,
)
from .queries import cs_queue as cs_queue_page
from .states import ACTION_LABELS, Action, Choice, resolve
from .stats import workbench_summary

PAGE_SIZE = 20
# 每页条数 of the management list (the API takes any `limit` up to 100).
PAGE_SIZES = (20, 50, 100)
# 共 N 条 above the list stops at "10,000+": counting reads at most that many index entries, the
# same at a million rows as at twenty thousand.
LIST_COUNT_CAP = 10_000
CS_QUEUE_SIZE = 50
# The management list's sortable columns: ordering field -> (header, the first click's direction).
# Amounts and dates start with the largest / latest, deadlines with the soonest.
SORTABLE_COLUMNS = {
    "amount_fen": (gettext_lazy("申请金额"), "-"),
    "due_at": (gettext_lazy("截止时间"), ""),
    "created_at": (gettext_lazy("申请时间"), "-"),
}

# 快捷筛选 of the 售后单查询页: key -> (label, how it filters)
QUICK_FILTERS = {"": gettext_lazy("全部"), **QUICK_FILTER_LABELS}

# What the countdown of each timed state counts down to, in the viewer's words.
DEADLINE_LABELS = {
    Status.AWAITING_MERCHANT: gettext_lazy("商家处理剩余时间"),
    Status.AWAITING_RETURN: gettext_lazy("买家退货剩余时间"),
    Status.AWAITING_RECEIPT: gettext_lazy("商家收货剩余时间"),
    Status.MERCHANT_REJECTED: gettext_lazy("申请平台介入剩余时间"),
    Status.DISPUTE_AWAITING_EVIDENCE: gettext_lazy("举证倒计时"),
    Status.DISPUTE_AWAITING_SUPPLEMENT: gettext_lazy("补充凭证倒计时"),
}
EVIDENCE_STATUSES = (Status.DISPUTE_AWAITING_EVIDENCE, Status.DISPUTE_AWAITING_SUPPLEMENT)
# Actions whose form lives in a dialog (弹窗): a refusal re-opens that dialog with the message in it.
DIALOG_ACTIONS = {
    "submit_evidence",
    "approve",
    "reject",
    "reject_receipt",
    "make_offer",
    "escalate",
    "return_shipment",
    "cancel",
    "appeal",
}


# ------------------------------------------------------------------------------------------ helpers


def _role(request, *roles):
    if request.user.role not in roles:
        raise PermissionDenied(_("这个页面不属于您的角色。"))


def _load(request, aftersale_id: int) -> AfterSale:
    try:
        aftersale = access_aftersale(request.user, aftersale_id)
    except NotFound:
        raise Http404(_("售后单不存在。")) from None
    return load_for_detail(AfterSale.objects).get(pk=aftersale.pk)


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M:%S") if dt else ""


def _countdown(aftersale: AfterSale):
    """The current state's deadline, for the countdown: (label, due_at) or None."""
    if aftersale.due_at is None or aftersale.is_final:
        return None
    return {
        "label": DEADLINE_LABELS.get(aftersale.status, _("剩余时间")),
        "due_at": aftersale.due_at,
        "in_dispute_box": aftersale.status in EVIDENCE_STATUSES,
    }


def _order_lines(order, claimed: list[dict]) -> list:
    """The order's lines, each with `claim` (the request's claim on it) when the request names lines."""
    claims = {c["order_item_id"]: c for c in claimed}
    lines = list(order.items.all())
    for line in lines:
        line.claim = claims.get(line.pk)
    return lines


def _detail_context(request, aftersale, *, form_error=None, form_data=None) -> dict:
    now = clock.now()
    d = detail(aftersale, request.user, now)
    party = party_of(request.user, aftersale)
    allowed = d["allowed_actions"]
    open_offer = next((o for o in d["offers"] if o.state == Offer.State.OPEN), None)
    dispute = d["dispute"]
    open_request = None
    if dispute:
        open_request = next((r for r in dispute["evidence_requests"] if r.state == "open"), None)
        for ev in dispute["evidence"]:
            ev["party_label"] = Party(ev["party"]).label
    refundable = min(aftersale.amount_fen, aftersale.order.refundable_fen)
    if form_error:
        form_error["in_dialog"] = form_error["action"] in DIALOG_ACTIONS and form_error["action"] in allowed
    return {
        "a": aftersale,
        "d": d,
        "party": party,
        "allowed": allowed,
        "buttons": {x: str(ACTION_LABELS[Action(x)]) for x in allowed},
        # 同意售后's dialog says whether agreeing refunds now or waits for the goods.
        "approve_awaits_return": resolve(Choice.REFUND_OR_AWAIT_RETURN, aftersale) == Status.AWAITING_RETURN,
        "open_offer": open_offer,
        "open_request": open_request,
        "countdown": _countdown(aftersale),
        "history": list(visible_history(aftersale, party)),
        "items": _order_lines(aftersale.order, d["items"]),
        "refundable_fen": refundable,
        "form_error": form_error,
        "form_data": form_data or {},
        "file_limits": _file_limits(),
        "evidence_draft": _evidence_draft(request.user, aftersale, allowed),
        "outcomes": Outcome.choices,
        "liables": Liable.choices,
        "now": now,
    }


def _file_limits() -> dict:
    return {
        "max_files": files.MAX_FILES,
        "max_bytes": files.MAX_FILE_BYTES,
        "max_video_bytes": files.MAX_VIDEO_BYTES,
        "max_mb": files.MAX_FILE_BYTES // 2**20,
        "max_video_mb": files.MAX_VIDEO_BYTES // 2**20,
        "allowed": ",".join(files.ALLOWED),
        "accept": ",".join(list(files.ALLOWED) + list(files.ALLOWED.values())),
        "max_statement": files.MAX_STATEMENT_CHARS,
    }


def _uploads(request):
    return [f for f in request.FILES.getlist("files") if f is not None]


# What each action says when it is done.
DONE = {
    Action.APPROVE: gettext_lazy("已同意售后。"),
    Action.REJECT: gettext_lazy("已拒绝售后申请。"),
    Action.CONFIRM_RECEIPT: gettext_lazy("已确认收货，退款已发起。"),
    Action.REJECT_RECEIPT: gettext_lazy("已拒绝收货。"),
    Action.RETURN_SHIPMENT: gettext_lazy("退货物流已提交。"),
    Action.ESCALATE: gettext_lazy("已申请平台介入，纠纷协商期开始。"),
    Action.SUBMIT_EVIDENCE: gettext_lazy("凭证已提交，平台客服将尽快处理。"),
    Action.MESSAGE: gettext_lazy("留言已发送。"),
    Action.MAKE_OFFER: gettext_lazy("部分退款方案已发送给买家。"),
    Action.ACCEPT_OFFER: gettext_lazy("已接受方案，退款已发起。"),
    Action.DECLINE_OFFER: gettext_lazy("已拒绝方案。"),
    Action.CANCEL: gettext_lazy("售后申请已撤销。"),
    Action.REQUEST_EVIDENCE: gettext_lazy("已要求补充凭证。"),
    Action.RULE: gettext_lazy("判责完成。"),
    Action.APPEAL: gettext_lazy("申诉已提交，将由另一位平台客服复核。"),
    Action.DECIDE_APPEAL: gettext_lazy("申诉复核完成，双方会收到通知。"),
    Action.CLAIM: gettext_lazy("已认领，其他客服不能再判责或要求补充凭证。"),
    Action.RELEASE: gettext_lazy("已释放，其他客服可以认领。"),
    Action.CS_NOTE: gettext_lazy("内部备注已添加，仅平台客服可见。"),
    Action.EXTEND_DEADLINE: gettext_lazy("期限已延长，双方会收到通知。"),
}


def _run_action(request, aftersale_id: int, action: Action, data: dict) -> None:
    """Call the domain action with the cleaned form `data`. Raises CodedError."""
    common = {"acting_user": request.user, "now": clock.now()}
    uploads = _uploads(request)
    if action in (Action.MESSAGE, Action.MAKE_OFFER):
        ratelimit.enforce(request, "messages" if action == Action.MESSAGE else "offers")
    if uploads and action in (Action.MESSAGE, Action.SUBMIT_EVIDENCE, Action.APPEAL):
        ratelimit.enforce(request, "uploads")
    run = {
        Action.APPROVE: lambda: actions.do_approve(aftersale_id, **common),
        Action.REJECT: lambda: actions.do_reject(aftersale_id, reason=data["reason"], **common),
        Action.CONFIRM_RECEIPT: lambda: actions.do_confirm_receipt(aftersale_id, **common),
        Action.REJECT_RECEIPT: lambda: actions.do_reject_receipt(aftersale_id, reason=data["reason"], **common),
        Action.RETURN_SHIPMENT: lambda: actions.do_submit_return(
            aftersale_id, carrier=data["carrier"], tracking_no=data["tracking_no"], **common
        ),
        Action.ESCALATE: lambda: actions.do_escalate(aftersale_id, reason=data["reason"], **common),
        Action.SUBMIT_EVIDENCE: lambda: actions.do_submit_evidence(
            aftersale_id, statement=data["statement"], uploads=uploads, **common
        ),
        Action.MESSAGE: lambda: actions.do_post_message(aftersale_id, body=data["body"], uploads=uploads, **common),
        Action.MAKE_OFFER: lambda: actions.do_make_offer(
            aftersale_id, amount_fen=data["amount"], note=data["note"], **common
        ),
        Action.ACCEPT_OFFER: lambda: actions.do_accept_offer(aftersale_id, data["offer_id"], **common),
        Action.DECLINE_OFFER: lambda: actions.do_decline_offer(aftersale_id, data["offer_id"], **common),
        Action.CANCEL: lambda: actions.do_cancel(aftersale_id, **common),
        Action.REQUEST_EVIDENCE: lambda: actions.do_request_evidence(
            aftersale_id, party=data["party"], note=data["note"], due_hours=data["due_hours"], **common
        ),
        Action.RULE: lambda: actions.do_rule(
            aftersale_id,
            outcome=data["outcome"],
            amount_fen=data["amount"],
            liable=data["liable"],
            note=data["note"],
            reason_code=data["reason_code"] or None,
            **common,
        ),
        Action.CLAIM: lambda: actions.do_claim(aftersale_id, **common),
        Action.RELEASE: lambda: actions.do_release(aftersale_id, **common),
        Action.CS_NOTE: lambda: actions.do_add_cs_note(aftersale_id, body=data["body"], **common),
        Action.EXTEND_DEADLINE: lambda: actions.do_extend_deadline(
            aftersale_id, hours=data["hours"], reason=data["reason"], **common
        ),
        Action.APPEAL: lambda: actions.do_appeal(aftersale_id, reason=data["reason"], uploads=uploads, **common),
        Action.DECIDE_APPEAL: lambda: actions.do_decide_appeal(
            aftersale_id,
            decision=data["decision"],
            note=data["note"],
            outcome=data["outcome"],
            amount_fen=data["amount"],
            liable=data["liable"],
            compensation_fen=data["compensation"],
            **common,
        ),
    }
    run[action]()


def _detail_page(request, aftersale_id: int, template: str, roles, url_name: str, extra=None):
    """GET renders; POST runs the action named by the form, then redirects (or re-renders with the error)."""
    _role(request, *roles)
    aftersale = _load(request, aftersale_id)
    if request.method == "POST":
        name = request.POST.get("action", "")
        if name in DRAFT_ACTIONS:
            return _draft_post(request, aftersale, url_name)
        action = Action(name) if name in set(Action) else None
        form = ACTION_FORMS[action](request.POST) if action else None
        error = None
        if form is None:
            error = (_("未知的操作。"), "unknown_action", 400)
        elif not form.is_valid():
            error = (first_error(form), "invalid_input", 400)
        else:
            try:
                _run_action(request, aftersale.pk, action, form.cleaned_data)
            except CodedError as err:
                error = (err.message, err.code, err.status)
        if error is None:
            messages.success(request, DONE[action])
            return redirect(reverse(url_name, args=[aftersale.pk]))
        message, code, status = error
        aftersale = _load(request, aftersale_id)
        ctx = _detail_context(
            request, aftersale, form_data=request.POST, form_error={"action": name, "message": message, "code": code}
        )
        ctx.update(extra or {})
        return render(request, template, ctx, status=status)
    ctx = _detail_context(request, aftersale)
    ctx.update(extra or {})
    return render(request, template, ctx)


# ------------------------------------------------------------------- the evidence draft editor

# The 提交凭证 dialog's draft actions (evidence_draft.js posts them with fetch and reads JSON).
DRAFT_ACTIONS = {"save_draft", "remove_draft_file", "submit_draft"}
DRAFT_DONE = {
    "save_draft": gettext_lazy("草稿已保存，可以稍后回来继续编辑。"),
    "remove_draft_file": gettext_lazy("已从草稿中删除这个文件。"),
}


def _evidence_draft(user, aftersale, allowed) -> dict | None:
    """The user's draft of the open evidence request, for the dialog, when they may submit."""
    if "submit_evidence" not in allowed:
        return None
    draft = drafts.latest_draft(aftersale, user)
    if draft is None or draft.request.state != "open":
        return None
    return drafts.describe_draft(draft)


def _draft_post(request, aftersale, url_name: str):
    """保存草稿 / 删除草稿中的文件 / 提交凭证 from the dialog. JSON for the dialog's fetch (a refusal
    keeps the dialog as it was, with the saved draft); a plain form post is redirected back."""
    name = request.POST["action"]
    form = EvidenceDraftForm(request.POST)
    form.is_valid()
    common = {"acting_user": request.user, "now": clock.now()}
    page = reverse(url_name, args=[aftersale.pk])
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        if form.errors:
            raise NotFound(drafts.Code.DRAFT_FILE_NOT_FOUND)
        if name == "save_draft":
            uploads = _uploads(request)
            if uploads:
                ratelimit.enforce(request, "uploads")
            statement = form.cleaned_data["statement"] if "statement" in request.POST else None
            draft = drafts.do_save_draft(aftersale.pk, statement=statement, uploads=uploads, **common)
        elif name == "remove_draft_file":
            draft = drafts.do_remove_draft_file(aftersale.pk, form.cleaned_data["file_id"] or 0, **common)
        else:
            drafts.do_submit_draft(aftersale.pk, **common)
            messages.success(request, DONE[Action.SUBMIT_EVIDENCE])
            return JsonResponse({"redirect": page}) if wants_json else redirect(page)
    except CodedError as err:
        if not wants_json:
            messages.error(request, err.message)
            return redirect(page)
        draft = drafts.latest_draft(aftersale, request.user)
        body = {"error": {"code": err.code, "message": err.message}}
        body["draft"] = drafts.describe_draft(draft) if draft is not None else None
        return JsonResponse(body, status=err.status)
    if not wants_json:
        messages.success(request, DRAFT_DONE[name])
        return redirect(page)
    return JsonResponse({"message": str(DRAFT_DONE[name]), "draft": drafts.describe_draft(draft)})


def _date(raw: str):
    # The date input sends YYYY-MM-DD or nothing; an edited URL's impossible date (02-30) is no date.
    try:
        return parse_date(raw or "")
    except ValueError:
        return None


def _date_bounds(raw_from: str, raw_to: str):
    """Dates typed as YYYY-MM-DD are whole days in the site's time zone (Asia/Shanghai)."""
    tz = timezone.get_current_timezone()
    d_from, d_to = _date(raw_from), _date(raw_to)
    start = timezone.make_aware(datetime.combine(d_from, time.min), tz) if d_from else None
    end = timezone.make_aware(datetime.combine(d_to, time.max.replace(microsecond=0)), tz) if d_to else None
    return start, end


# ------------------------------------------------------------------------------------- merchant, PC


@login_required
def workbench(request):
    """售后工作台首页."""
    _role(request, Role.MERCHANT)
    now = clock.now()
    summary = workbench_summary(request.user, now=now)
    urgent = list(filter_aftersales(request.user, quick="disputes_pending", now=now).order_by("due_at", "id")[:5])
    states = [{"status": s, "label": label, "count": summary["by_status"][s]} for s, label in Status.choices]
    return render(
        request,
        "aftersales/workbench.html",
        {
            "summary": summary,
            "states": states,
            "urgent": urgent,
            "now": now,
            "due_soon_hours": settings.SELLERDESK_EVIDENCE_DUE_SOON_SECONDS // 3600,
        },
    )


def _list_params(params: dict, **changes) -> dict:
    """The list's URL parameters with `changes` (a None drops one), in a stable order."""
    merged = {**params, **changes}
    return {k: v for k, v in merged.items() if v not in (None, "")}


def _list_url(params: dict, **changes) -> str:
    query = urlencode(_list_params(params, **changes))
    return reverse("aftersales:query") + (f"?{query}" if query else "")


def _sort_headers(params: dict, ordering: str) -> dict:
    """For each sortable column: its header link (its own order, or the other way round when it is
    the current one, back on the first page) and aria-sort."""
    headers = {}
    for field, (label, first) in SORTABLE_COLUMNS.items():
        active = ordering.removeprefix("-") == field
        descending = ordering.startswith("-")
        if active:
            target = field if descending else f"-{field}"
        else:
            target = f"{first}{field}"
        headers[field] = {
            "label": label,
            "href": _list_url(params, ordering=None if target == DEFAULT_ORDERING else target),
            "aria_sort": ("descending" if descending else "ascending") if active else "",
            "hint": _("点击降序") if target.startswith("-") else _("点击升序"),
        }
    return headers


def _shown_count(n) -> str:
    """capped_count's answer for people: 1,234 or 1,000+."""
    return f"{n:,}" if isinstance(n, int) else f"{int(n.rstrip('+')):,}+"


def _query_list(request, *, default_quick=""):
    """The PC query page: read the filter form, its page size and order; return (ctx, error)."""
    g = request.GET
    quick = g.get("quick", default_quick)
    if quick not in QUICK_FILTERS:
        quick = ""
    status = g.get("status", "")
    q = g.get("q", "").strip()
    # An order or a page size the page never offered (an edited URL) is the default, like `quick`.
    ordering = g.get("ordering", "") if g.get("ordering", "") in ORDERINGS else DEFAULT_ORDERING
    limit = int(g["limit"]) if g.get("limit", "") in {str(n) for n in PAGE_SIZES} else PAGE_SIZE
    created_from, created_to = _date_bounds(g.get("from", ""), g.get("to", ""))
    statuses = [status] if status else []
    error = date_error = None
    now = clock.now()
    rows, next_cursor, total, search_capped = [], None, None, False
    try:
        found = listing(
            request.user,
            statuses=statuses,
            quick=quick or None,
            q=q or None,
            created_from=created_from,
            created_to=created_to,
            now=now,
        )
        rows, next_cursor = found.page(ordering=ordering, cursor=g.get("cursor") or None, limit=limit)
        total = _shown_count(found.count(LIST_COUNT_CAP))
        search_capped = found.search_capped
    except CodedError as err:
        # The range is the two date fields' problem: its message goes next to them.
        if err.code == "invalid_date_range":
            date_error = err.message
        else:
            error = err.message
    filters = _list_params({}, quick=quick, status=status, q=q, **{"from": g.get("from", ""), "to": g.get("to", "")})
    kept = _list_params(
        {}, ordering=None if ordering == DEFAULT_ORDERING else ordering, limit=None if limit == PAGE_SIZE else limit
    )
    params = {**filters, **kept}
    return {
        "rows": [_row(a) for a in rows],
        "next_cursor": next_cursor,
        "is_first_page": not g.get("cursor"),
        "params": params,
        "kept": kept,
        "reset_href": _list_url(kept),
        "total": total,
        "sort": _sort_headers(params, ordering),
        "page_sizes": [
            {"n": n, "href": _list_url(params, limit=None if n == PAGE_SIZE else n), "current": n == limit}
            for n in PAGE_SIZES
        ],
        "quick": quick,
        "quick_filters": list(QUICK_FILTERS.items()),
        "status": status,
        "statuses": Status.choices,
        "q": q,
        "search_capped": search_capped,
        "prefix_match_cap": queries.PREFIX_MATCH_CAP,
        "date_from": g.get("from", ""),
        "date_to": g.get("to", ""),
        "error": error or date_error,
        "date_error": date_error,
        "filtered": bool(filters),
        "now": now,
    }


def _row(a: AfterSale) -> dict:
    dispute = getattr(a, "dispute", None)
    return {
        "a": a,
        "due_at": a.due_at,  # what the 截止时间 column shows and sorts by
        "evidence_due_at": a.due_at if a.status in EVIDENCE_STATUSES else None,
        "timed_out": bool(dispute and dispute.timed_out),
        "is_dispute": dispute is not None,
        "deadline_label": DEADLINE_LABELS.get(a.status, ""),
    }


@login_required
def aftersale_query(request):
    """售后单查询页 with the 售后单管理页 list under it."""
    _role(request, Role.MERCHANT)
    ctx = _query_list(request)
    return render(request, "aftersales/query.html", ctx, status=400 if ctx["error"] else 200)


@login_required
@require_http_methods(["GET", "POST"])
def merchant_detail(request, aftersale_id: int):
    """退款详情页 (PC)."""
    return _detail_page(
        request, aftersale_id, "aftersales/merchant_detail.html", (Role.MERCHANT,), "aftersales:merchant_detail"
    )


@login_required
def history_page(request, aftersale_id: int):
    """协商历史页: the whole exchange, oldest first. Merchants on PC; buyers and CS use it too."""
    _role(request, Role.MERCHANT, Role.BUYER, Role.CS, Role.ADMIN)
    aftersale = _load(request, aftersale_id)
    party = party_of(request.user, aftersale)
    back = {Role.MERCHANT: "aftersales:merchant_detail", Role.BUYER: "aftersales:buyer_detail"}.get(
        request.user.role, "aftersales:cs_case"
    )
    template = "aftersales/m_history.html" if request.path.startswith("/m/") else "aftersales/history.html"
    return render(
        request,
        template,
        {
            "a": aftersale,
            "history": list(visible_history(aftersale, party)),
            "party": party,
            "back_url": reverse("aftersales:m_detail" if request.path.startswith("/m/") else back, args=[aftersale.pk]),
        },
    )


# ------------------------------------------------------------------------------- merchant, seller app


def _waiting_for_refund(user, now):
    """等待退款: the requests waiting for the merchant, 待商家举证 disputes included."""
    return filter_aftersales(user, now=now).filter(Q(status__in=MERCHANT_PENDING_STATUSES) | disputes_pending_q(user))


def _page_of_orders(request, orders):
    """A page of orders from `?cursor=`; a cursor this server cannot read (edited, too long, from an
    older page) shows the first page with the reason, never an error page."""
    try:
        return paginate(orders, cursor=request.GET.get("cursor") or None, limit=PAGE_SIZE)
    except CodedError as err:
        messages.error(request, err.message)
        return paginate(orders, cursor=None, limit=PAGE_SIZE)


@login_required
def m_orders(request):
    """我的订单 (商家后台): tabs 全部 / 等待退款 / 售后记录."""
    _role(request, Role.MERCHANT)
    now = clock.now()
    tab = request.GET.get("tab", "refund")
    waiting = _waiting_for_refund(request.user, now)
    ctx = {"tab": tab, "waiting_count": waiting.count(), "now": now}
    if tab == "all":
        orders, next_cursor = _page_of_orders(
            request, orders_visible_to(request.user).prefetch_related("items", "aftersales")
        )
        ctx.update(orders=orders, next_cursor=next_cursor)
    else:
        tab = ctx["tab"] = "refund"
        rows = list(waiting.order_by("due_at", "id")[:100])
        ctx.update(rows=[_row(a) for a in rows])
    return render(request, "aftersales/m_orders.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def m_detail(request, aftersale_id: int):
    """退款详情页 (seller app)."""
    return _detail_page(request, aftersale_id, "aftersales/m_detail.html", (Role.MERCHANT,), "aftersales:m_detail")


# ------------------------------------------------------------------------------------------- buyer


@login_required
def buyer_orders(request):
    """我的订单 (buyer): each order says until when a request can be opened (售后申请期)."""
    _role(request, Role.BUYER)
    now = clock.now()
    orders, next_cursor = _page_of_orders(
        request, orders_visible_to(request.user).select_related("shop").prefetch_related("items", "aftersales")
    )
    rows = []
    for order in orders:
        requests_ = sorted(order.aftersales.all(), key=lambda a: a.id, reverse=True)
        open_one = next((a for a in requests_ if not a.is_final), None)
        rows.append(
            {
                "order": order,
                "open": open_one,
                "latest": requests_[0] if requests_ else None,
                "window_ends_at": order.aftersale_window_ends_at,
                "window_closed": now > order.aftersale_window_ends_at,
            }
        )
    return render(
        request,
        "aftersales/buyer_orders.html",
        {"rows": rows, "next_cursor": next_cursor, "is_first_page": not request.GET.get("cursor")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def buyer_new(request, order_id: int):
    """申请售后: type, the whole order's amount (pre-filled with what is refundable) or some of its
    lines, reason, description, photos; closed once the order's after-sales window has ended."""
    _role(request, Role.BUYER)
    try:
        order = access_order(request.user, order_id)
    except NotFound:
        raise Http404(_("订单不存在。")) from None
    now = clock.now()
    order_items = list(order.items.all())
    form = {
        "type": AfterSaleType.REFUND_ONLY,
        "amount": fen_to_yuan(order.refundable_fen),
        "reason": "",
        "description": "",
    }
    lines = [
        {
            "item": it,
            "chosen": False,
            "qty": it.refundable_quantity,
            "amount": fen_to_yuan(line_claimable_fen(it, it.refundable_quantity)),
        }
        for it in order_items
    ]
    error = None
    status = 200
    if request.method == "POST":
        form.update({k: request.POST.get(k, "") for k in form})
        for line in lines:
            pk = line["item"].pk
            line.update(
                chosen=bool(request.POST.get(f"line_{pk}")),
                qty=request.POST.get(f"qty_{pk}", ""),
                amount=request.POST.get(f"amount_{pk}", ""),
            )
        typed = NewAfterSaleForm(request.POST, order_items=order_items)
        if not typed.is_valid():
            error, status = first_error(typed), 400
        else:
            data = typed.cleaned_data
            try:
                aftersale = actions.do_open_aftersale(
                    order_id=order.pk,
                    type=data["type"],
                    amount_fen=data["amount"],
                    items=data["items"],
                    reason=data["reason"],
                    description=data["description"],
                    uploads=_uploads(request),
                    acting_user=request.user,
                    now=now,
                )
            except CodedError as err:
                error, status = err.message, err.status
            else:
                messages.success(request, _("售后申请已提交，等待商家处理。"))
                return redirect("aftersales:buyer_detail", aftersale.pk)
    return render(
        request,
        "aftersales/buyer_new.html",
        {
            "order": order,
            "form": form,
            "lines": lines,
            "by_lines": any(line["chosen"] for line in lines),
            "window_closed": now > order.aftersale_window_ends_at,
            "error": error,
            "types": AfterSaleType.choices,
            "reasons": [
                _("商品与描述不符"),
                _("质量问题"),
                _("少件/漏发"),
                _("收到商品破损"),
                _("七天无理由退货"),
                _("其他"),
            ],
            "file_limits": _file_limits(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def buyer_detail(request, aftersale_id: int):
    return _detail_page(request, aftersale_id, "aftersales/buyer_detail.html", (Role.BUYER,), "aftersales:buyer_detail")


# ----------------------------------------------------------------------------------------- CS console


# How long a case may wait on the platform before its age turns amber, then red (SLA colours).
SLA_WARN_HOURS, SLA_LATE_HOURS = 12, 24


def _sla(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return "ok" if hours < SLA_WARN_HOURS else "warn" if hours < SLA_LATE_HOURS else "late"


def _queue_filter(request) -> tuple[QueueFilter, str | None]:
    """The queue's filters from the query string, and a message for any that could not be read."""
    get = request.GET
    raw = {k: (get.get(k) or "").strip() for k in ("status", "claimed", "age", "shop", "q")}
    problems, numbers = [], {}
    for key, label in (("age", _("等待时长")), ("shop", _("店铺 ID"))):
        if raw[key]:
            if raw[key].isdigit() and len(raw[key]) <= 18:
                numbers[key] = int(raw[key])
            else:
                problems.append(_("%(field)s须为整数。") % {"field": label})
    filters = QueueFilter(
        status=raw["status"],
        claimed=raw["claimed"],
        older_than_hours=numbers.get("age"),
        shop_id=numbers.get("shop"),
        q=raw["q"][:100],
    )
    try:
        return filters.checked(), " ".join(problems) or None
    except CodedError as err:
        return QueueFilter(q=filters.q), " ".join([*problems, err.message])


@login_required
def cs_queue(request):
    """Disputes awaiting a ruling, oldest first, with their age (SLA colours), claim and the
    no-evidence marker; filters; the 已判责 tab; appeals and failed refunds below.

    Keyset pages (上一页 / 下一页 carry a cursor of review_started_at and id) and capped counts: the
    page reads the same few rows whatever the size of the tables (docs/benchmarks.md, issue 8).
    """
    _role(request, Role.CS, Role.ADMIN)
    now = clock.now()
    tab = "ruled" if request.GET.get("tab") == "ruled" else "queue"
    filters, filter_error = _queue_filter(request)
    cursor = request.GET.get("cursor") or None
    ctx = {
        "tab": tab,
        "filters": filters,
        "filter_error": filter_error,
        "now": now,
        "paged": bool(cursor),
        "age_choices": (SLA_WARN_HOURS, SLA_LATE_HOURS, 72),
    }
    ctx["filter_query"] = urlencode({k: v for k, v in request.GET.items() if k not in ("cursor",) and v})
    if tab == "ruled":
        mine = request.GET.get("mine") == "1"
        try:
            rulings, next_cursor = paginate(
                rulings_made(request.user, ruled_by_me=mine), cursor=cursor, limit=CS_QUEUE_SIZE
            )
        except CodedError:
            return redirect(reverse("aftersales:cs_queue") + "?tab=ruled")
        ctx.update(rulings=rulings, next_cursor=next_cursor, mine=mine)
        return render(request, "aftersales/cs_queue.html", ctx)
    try:
        disputes, next_cursor, prev_cursor = cs_queue_page(
            request.user, cursor=cursor, limit=CS_QUEUE_SIZE, filters=filters, now=now
        )
    except CodedError:
        return redirect("aftersales:cs_queue")  # a stale or hand-made cursor: back to the oldest cases
    rows = []
    for d in disputes:
        waiting_since = d.review_started_at or d.opened_at
        rows.append(
            {
                "a": d.aftersale,
                "dispute": d,
                "waiting_since": waiting_since,
                "age": _age(now - waiting_since),
                "sla": _sla(now - waiting_since),
            }
        )
    counts = queue_counts(request.user, filters=filters, now=now)
    refunds = failed_refunds()
    appeals = pending_appeals(request.user)
    ctx.update(
        {
            "rows": rows,
            "total": counts["total"],
            "matching": counts["matching"],
            "negotiating": counts["negotiating"],
            "next_cursor": next_cursor,
            "prev_cursor": prev_cursor,
            "failed_refunds": list(refunds[:CS_QUEUE_SIZE]),
            "failed_refund_total": capped_count(refunds),
            "appeals": [
                {
                    "appeal": ap,
                    "a": ap.aftersale,
                    "age": _age(now - ap.filed_at),
                    "mine": ap.ruling.ruled_by_id == request.user.pk,
                }
                for ap in appeals[:CS_QUEUE_SIZE]
            ],
            "appeal_total": capped_count(appeals),
            "sla_warn_hours": SLA_WARN_HOURS,
            "sla_late_hours": SLA_LATE_HOURS,
        }
    )
    return render(request, "aftersales/cs_queue.html", ctx)


@login_required
@require_POST
def cs_retry_refund(request, refund_id: int):
    """重新退款: a failed refund sent again with its own reference (never a second transfer)."""
    _role(request, Role.CS, Role.ADMIN)
    try:
        refund = do_retry_refund(refund_id, acting_user=request.user, now=clock.now())
    except NotFound:
        raise Http404(_("没有这笔退款。")) from None
    except CodedError as err:
        messages.error(request, err.message)
    else:
        messages.success(
            request,
            _("已重新发起退款 %(amount)s（售后单 %(number)s），结果会在这里更新。")
            % {"amount": format_fen(refund.amount_fen), "number": refund.aftersale.number},
        )
    return redirect(reverse("aftersales:cs_queue") + "#failed-refunds")


def _age(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s天%(h)s小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s小时%(m)s分") % {"h": hours, "m": mins}
    return _("%(m)s分钟") % {"m": mins}


@login_required
def cs_integrity(request, attachment_id: int):
    """防篡改校验 of one file, for CS: the recorded and the recomputed SHA-256, and whether they match."""
    _role(request, Role.CS, Role.ADMIN)
    try:
        check = check_integrity(request.user, attachment_id, now=clock.now())
    except NotFound:
        raise Http404(_("文件不存在。")) from None
    attachment = Attachment.objects.select_related("aftersale").get(pk=attachment_id)
    return render(request, "aftersales/cs_integrity.html", {"check": check, "f": attachment, "a": attachment.aftersale})


@login_required
@require_http_methods(["GET", "POST"])
def cs_case(request, aftersale_id: int):
    return _detail_page(
        request,
        aftersale_id,
        "aftersales/cs_case.html",
        (Role.CS, Role.ADMIN),
        "aftersales:cs_case",
        extra={"dispute_statuses": DisputeStatus.choices, "ruling_reasons": RulingReason.choices},
    )
