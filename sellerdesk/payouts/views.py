"""Pages of the account centre (账户中心), in the seller-app phone shell on a phone and the merchant
workbench shell on PC (ac_render), following the help article's paths:

merchant     卖家后台 → 账户资金 → 账户中心 → 安心钱包 (查看钱包) / 微信 / 支付宝 → 商家余额提现 …
             → the arrow › on the bound card → 更换银行卡 / 更换账户 → form → 小额打款验证
distributor  卖家后台 → 佣金收入 → 账单管理 → 达人钱包 → 安心钱包 (查看钱包) / 微信 → 推广者余额提现 …

Thin: they read through queries.wallet_views / access_change and change state only through the do_*
actions (acting_user, ip, user_agent passed explicitly). A refused action re-renders the same page
with the domain's message, keeping what the user typed (never the password). Anything that is not
the user's own is 404.
"""

from dataclasses import dataclass, field
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sellerdesk.core import clock
from sellerdesk.core.addresses import client_ip
from sellerdesk.core.errors import CodedError, NotFound
from sellerdesk.core.money import format_fen
from sellerdesk.events.models import Notification
from sellerdesk.identity import stepup
from sellerdesk.identity.devices import is_phone
from sellerdesk.identity.models import Role, ShopRequired, SubjectKind

from . import actions
from .access import access_change, check_channel, owner_subject
from .actions.permissions import do_set_payout_permission, owned_membership, shop_staff
from .banks import bin_table
from .checks import step_up_missing
from .error_codes import PayoutErrorCode as Code
from .forms import AlipayChangeForm, BankCardChangeForm, VerifyForm, WithdrawForm
from .models import AccountKind, ChangeStatus, Channel, HolderRole, InstructionKind, Withdrawal, WithdrawalAccount
from .queries import wallet_views
from .rails import get_rail, sandbox_enabled
from .table import availability, holder_role_of

# The help article's facts as the product's own copy (full-width punctuation): what may be changed
# (the same subject only), where (the arrow › on the bound account), what it takes (micro-deposit
# verification for corporate accounts), and its warnings. Chinese is the msgid and the default;
# gettext_lazy lets the English catalogue replace them. Strings from table.py are marked there with
# gettext_noop (the API keeps them Chinese) and are translated here at render time.
SAME_SUBJECT_CARD = gettext_lazy(
    "仅支持更换为与绑定主体一致的银行卡，不支持更改主体：例如不能把 A 的银行卡换成 B 的银行卡。"
)
SAME_SUBJECT_ALIPAY = gettext_lazy("仅支持更换为与绑定主体一致的支付宝账号（一般为手机号或邮箱），不支持更改主体。")
WECHAT_WARNING = gettext_lazy(
    "请在这里更换微信提现银行卡，不要登录微信商户后台修改：修改错误可能导致收款停用，影响消费者付款。"
)
ALIPAY_CHANNEL_NOTE = gettext_lazy("支付渠道的货款会提现到支付宝账号，您可以在这里更换提现支付宝账号。")
ALIPAY_FILL_NOTE = gettext_lazy(
    "请填写与商户名一致的支付宝账号（一般为手机号或邮箱）。企业主体如果还没有对公支付宝账号，请先到支付宝注册。"
)
CORPORATE_NOTE = gettext_lazy(
    "更换为对公账户需要小额打款验证：平台向新账户打入一笔小额款项，您填写到账金额后更换生效，在此之前提现仍转入当前账户。"
)
TALENT_WALLET_DONE_NOTE = gettext_lazy("您已完成资质填写与绑卡，安心钱包已开通。")
DISTRIBUTOR_WECHAT_NOTE = gettext_lazy(
    "仅个体工商户和企业可以在这里更换微信提现银行卡；个人的佣金逐笔到账微信零钱，不提现至银行卡，因此无需更换。"
)
HOW_TO_CARD_CORPORATE = gettext_lazy("点击提现银行卡右侧的 ›，即可更换银行卡；更换为对公账户需要小额打款验证。")
HOW_TO_WECHAT = gettext_lazy("点击提现银行卡右侧的 ›，填写新的银行卡信息并确认绑定，即可更换。")
HOW_TO_ALIPAY = gettext_lazy("点击提现账户右侧的 ›，即可更换提现支付宝账号。")

NOTIFICATIONS_SHOWN = 5


@dataclass(frozen=True)
class Texts:
    """Where each note goes for one wallet: on its withdrawal page, above the form, next to the
    对公账户 checkbox, under the account field, and under the form."""

    page_notes: tuple[str, ...] = ()
    form_warnings: tuple[str, ...] = ()
    corporate_note: str = ""
    field_help: str = ""
    form_notes: tuple[str, ...] = ()
    submit_label: str = gettext_lazy("确认更换")
    how_to: str = ""


TEXTS = {
    (HolderRole.MERCHANT, Channel.ANXIN): Texts(
        corporate_note=CORPORATE_NOTE,
        form_notes=(SAME_SUBJECT_CARD,),
        how_to=HOW_TO_CARD_CORPORATE,
    ),
    (HolderRole.MERCHANT, Channel.WECHAT): Texts(
        page_notes=(WECHAT_WARNING,),
        form_warnings=(WECHAT_WARNING,),
        form_notes=(SAME_SUBJECT_CARD,),
        submit_label=gettext_lazy("确认绑定"),
        how_to=HOW_TO_WECHAT,
    ),
    (HolderRole.MERCHANT, Channel.ALIPAY): Texts(
        page_notes=(ALIPAY_CHANNEL_NOTE,),
        field_help=ALIPAY_FILL_NOTE,
        form_notes=(SAME_SUBJECT_ALIPAY,),
        how_to=HOW_TO_ALIPAY,
    ),
    (HolderRole.DISTRIBUTOR, Channel.ANXIN): Texts(
        page_notes=(TALENT_WALLET_DONE_NOTE,),
        corporate_note=CORPORATE_NOTE,
        form_notes=(SAME_SUBJECT_CARD,),
        how_to=HOW_TO_CARD_CORPORATE,
    ),
    (HolderRole.DISTRIBUTOR, Channel.WECHAT): Texts(
        page_notes=(DISTRIBUTOR_WECHAT_NOTE,),
        form_notes=(SAME_SUBJECT_CARD,),
        submit_label=gettext_lazy("确认绑定"),
        how_to=HOW_TO_WECHAT,
    ),
}

CHANNEL_BADGE = {
    Channel.ANXIN: pgettext_lazy("wallet badge", "安"),
    Channel.WECHAT: pgettext_lazy("wallet badge", "微"),
    Channel.ALIPAY: pgettext_lazy("wallet badge", "支"),
}


# ------------------------------------------------------------------------------------------ helpers

SHOP_SESSION_KEY = "account_centre_shop_id"
NO_PERMISSION = Code.FORBIDDEN_PERMISSION.template


def seller_page(view):
    """A page of the account centre: logged in, and acting for the shop chosen in this session
    (a merchant with several shops who has not chosen is sent to 选择店铺, never given the first)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        chosen = request.session.get(SHOP_SESSION_KEY)
        if chosen is not None and user.role == Role.MERCHANT:
            try:
                user.act_for_shop(chosen)
            except NotFound:
                request.session.pop(SHOP_SESSION_KEY, None)  # no longer a member of it
        try:
            return view(request, *args, **kwargs)
        except ShopRequired:
            return redirect(f"{reverse('payouts:choose_shop')}?{urlencode({'next': request.get_full_path()})}")

    return wrapped


def _membership(user):
    """The membership the merchant acts through (None for distributors and shop-less users)."""
    return user.acting_membership() if user.role == Role.MERCHANT and not user.subject_id else None


def _meta(request) -> dict:
    return {"ip": client_ip(request), "user_agent": request.META.get("HTTP_USER_AGENT", "")[:400]}


def _seller(request):
    """The subject the merchant or distributor acts for; every other role gets a 404 (not a 403)."""
    if request.user.role not in (Role.MERCHANT, Role.DISTRIBUTOR):
        raise Http404("账户中心只对商家和分销者开放。")
    return owner_subject(request.user)


def _is_distributor(user) -> bool:
    return holder_role_of(user) == HolderRole.DISTRIBUTOR


@dataclass
class Crumb:
    label: str
    url: str = ""


def _path(user, *tail: Crumb) -> list[Crumb]:
    """The article's path to this page, as links back up it."""
    if _is_distributor(user):
        head = [
            Crumb(gettext("卖家后台"), "/"),
            Crumb(gettext("佣金收入"), reverse("payouts:account_centre")),
            Crumb(gettext("账单管理"), reverse("payouts:account_centre") + "#bills"),
            Crumb(gettext("达人钱包"), reverse("payouts:talent_wallet")),
        ]
    else:
        head = [
            Crumb(gettext("卖家后台"), "/"),
            Crumb(gettext("账户资金"), reverse("payouts:account_centre")),
            Crumb(gettext("账户中心"), reverse("payouts:account_centre")),
        ]
    return head + list(tail)


def _wallet_home(user) -> str:
    return reverse("payouts:talent_wallet") if _is_distributor(user) else reverse("payouts:account_centre")


@dataclass
class WalletCard:
    """One wallet as the pages show it."""

    channel: str
    label: str
    title: str
    balance: str
    account: WithdrawalAccount | None
    account_label: str
    change_label: str
    can_change: bool
    blocked_reason: str
    pending_change: object
    texts: Texts
    badge: str
    url: str
    change_url: str
    payout_to: str = ""
    notes: list = field(default_factory=list)


def _page_message(err: CodedError) -> str:
    """What a page shows for a refused action: the domain's message, in the page's language."""
    return err.message


def _tr(text: str) -> str:
    """A table.py string (marked with gettext_noop) in the page's language; "" stays ""."""
    return gettext(text) if text else ""


def _card(user, view) -> WalletCard:
    spec, allowed = view.availability.spec, view.availability
    account = view.account
    payout_to = ""
    if account is None and not allowed.can_change and view.channel == Channel.WECHAT:
        payout_to = gettext("微信零钱（佣金逐笔到账）")
    return WalletCard(
        channel=view.channel,
        label=gettext(spec.label),
        title=_tr(spec.page_title),
        balance=format_fen(view.balance_fen),
        account=account,
        account_label=gettext("提现账户") if spec.account_kind == AccountKind.ALIPAY else gettext("提现银行卡"),
        change_label=_tr(spec.change_label),
        can_change=allowed.can_change,
        blocked_reason=allowed.blocked_reason,
        pending_change=view.pending_change,
        texts=TEXTS[(holder_role_of(user), view.channel)],
        badge=CHANNEL_BADGE[view.channel],
        url=reverse("payouts:wallet", args=[view.channel]),
        change_url=reverse("payouts:change", args=[view.channel]),
        payout_to=payout_to,
    )


def _wallet_card(user, channel: str) -> WalletCard:
    """The user's own wallet on `channel`, or 404 (no such wallet, e.g. not yet qualified)."""
    try:
        check_channel(channel)
    except NotFound:
        raise Http404("没有这个钱包。") from None
    for view in wallet_views(user):
        if view.channel == channel:
            return _card(user, view)
    raise Http404("没有这个钱包。")


def _notifications(user):
    return list(
        Notification.objects.filter(user=user, topic__startswith="payout_account.").order_by("-id")[
            :NOTIFICATIONS_SHOWN
        ]
    )


def _simulator() -> bool:
    return sandbox_enabled()


SHELL_PHONE = "payouts/_shell_m.html"
SHELL_PC = "payouts/_shell_pc.html"


def ac_render(request, template: str, context: dict, status: int = 200):
    """Render an account-centre page in the shell for the device: the seller app's phone shell on a
    phone, the merchant workbench shell otherwise (identity.devices.is_phone)."""
    response = render(
        request, template, {**context, "ac_shell": SHELL_PHONE if is_phone(request) else SHELL_PC}, status=status
    )
    patch_vary_headers(response, ("Sec-CH-UA-Mobile", "User-Agent"))
    return response


# ------------------------------------------------------------------------------------------ pages


@seller_page
def account_centre(request):
    """Merchant: 账户中心 with 安心钱包 (查看钱包), 微信 and 支付宝. Distributor: 佣金收入 → 账单管理 (达人钱包)."""
    subject = _seller(request)
    user = request.user
    cards = [_card(user, v) for v in wallet_views(user)] if subject else []
    membership = _membership(user)
    return ac_render(
        request,
        "payouts/account_centre.html",
        {
            "subject": subject,
            "cards": cards,
            "is_distributor": _is_distributor(user),
            "notifications": _notifications(user),
            "simulator": _simulator(),
            "path": _path(user)[:-1] if _is_distributor(user) else _path(user),
            "membership": membership,
            "several_shops": user.role == Role.MERCHANT and len(user.memberships()) > 1,
            "no_permission": NO_PERMISSION if membership and not membership.may_manage_payout_accounts else "",
        },
    )


@seller_page
def talent_wallet(request):
    """达人钱包 (distributors): the 安心钱包 card with 查看钱包 and the 微信 card."""
    subject = _seller(request)
    user = request.user
    if not _is_distributor(user):
        raise Http404("达人钱包只对分销者开放。")
    cards = [_card(user, v) for v in wallet_views(user)] if subject else []
    anxin = availability(user, subject, Channel.ANXIN)
    return ac_render(
        request,
        "payouts/talent_wallet.html",
        {
            "subject": subject,
            "cards": cards,
            "simulator": _simulator(),
            "path": _path(user),
            "anxin_missing_reason": "" if anxin.has_wallet else anxin.blocked_reason,
        },
    )


@seller_page
@require_http_methods(["GET", "POST"])
def wallet(request, channel: str):
    """商家余额提现 / 微信余额提现 / 支付宝余额提现 / 推广者余额提现: balance, bound account with the
    arrow › to 更换银行卡 / 更换账户, and a withdrawal form."""
    subject = _seller(request)
    user = request.user
    card = _wallet_card(user, channel)
    form = WithdrawForm(request.POST or None, otp_enabled=stepup.has_otp(user))
    status = 200
    if request.method == "POST" and not form.is_valid():
        if not form.proof_given():
            form.show_refusals([step_up_missing(user)])  # with the amount's error, not after it
    elif request.method == "POST":
        try:
            w = actions.do_request_withdrawal(
                acting_user=user,
                channel=channel,
                amount_fen=form.cleaned_data["amount"],
                **form.step_up_kwargs(),
                **_meta(request),
            )
        except NotFound:
            raise Http404("没有这个钱包。") from None
        except CodedError as err:
            form.show_refusals([err])
            status = err.status if err.code == "forbidden_permission" else 200
        else:
            messages.success(
                request,
                gettext("已提交提现 %(amount)s，转入 %(account)s。")
                % {"amount": format_fen(w.amount_fen), "account": w.account.masked},
            )
            return redirect(card.url)
    withdrawals = []
    if subject is not None:
        rows = (
            Withdrawal.objects.filter(
                wallet__subject=subject, wallet__holder_role=holder_role_of(user), wallet__channel=channel
            )
            .select_related("account")
            .order_by("-id")[:5]
        )
        withdrawals = [{"w": w, "amount": format_fen(w.amount_fen)} for w in rows]
    membership = _membership(user)
    return ac_render(
        request,
        "payouts/wallet.html",
        {
            "card": card,
            "subject": subject,
            "form": form,
            "withdrawals": withdrawals,
            "back_url": _wallet_home(user),
            "path": _path(user, Crumb(card.label, _wallet_home(user)), Crumb(card.title)),
            "no_permission": NO_PERMISSION if membership and not membership.may_manage_payout_accounts else "",
        },
        status=status,
    )


@seller_page
@require_http_methods(["GET", "POST"])
def change(request, channel: str):
    """更换银行卡 / 更换账户: the new account, and the login password again (step-up)."""
    subject = _seller(request)
    user = request.user
    card = _wallet_card(user, channel)
    membership = _membership(user)
    if request.method == "GET" and membership and not membership.may_manage_payout_accounts:
        messages.error(request, NO_PERMISSION)
        return redirect(card.url)
    if not card.can_change:
        messages.info(request, card.blocked_reason)
        return redirect(card.url)
    if card.pending_change is not None:
        messages.info(request, gettext("已有一笔待验证的更换，请先完成小额打款验证或取消它。"))
        return redirect("payouts:change_detail", card.pending_change.pk)
    form_class = AlipayChangeForm if card.channel == Channel.ALIPAY else BankCardChangeForm
    initial = {}
    if form_class is BankCardChangeForm and subject is not None:
        initial = {"holder_name": subject.legal_name, "is_corporate": subject.kind == SubjectKind.ENTERPRISE}
    form = form_class(request.POST or None, initial=initial, otp_enabled=stepup.has_otp(user))
    status = 200
    if request.method == "POST" and form.is_valid():
        typed = actions.ChangeRequest(**form.change_request_kwargs())
        try:
            done = actions.do_request_change(acting_user=user, channel=channel, request=typed, **_meta(request))
        except NotFound:
            raise Http404("没有这个钱包。") from None
        except CodedError as err:
            # The action stops at the first problem (and audits it); the page shows every problem
            # of what was typed at once when that first one is one of them.
            problems = actions.change_input_problems(acting_user=user, channel=channel, request=typed)
            form.show_refusals(problems if any(p.code == err.code for p in problems) else [err])
            if err.code == "forbidden_permission":
                status = err.status
            if err.code == "change_already_pending" and err.details.get("change_id"):
                form.pending_change_id = err.details["change_id"]
        else:
            if done.status == ChangeStatus.PENDING_VERIFICATION:
                messages.info(
                    request,
                    gettext("平台已向 %(account)s 小额打款，请查看到账金额完成验证。")
                    % {"account": done.new_account.masked},
                )
                return redirect("payouts:change_detail", done.pk)
            messages.success(
                request,
                gettext("%(label)s已更换为 %(account)s。")
                % {"label": card.account_label, "account": done.new_account.masked},
            )
            return redirect(card.url)
    return ac_render(
        request,
        "payouts/change.html",
        {
            "card": card,
            "subject": subject,
            "form": form,
            "is_alipay": card.channel == Channel.ALIPAY,
            "show_corporate": subject is not None and subject.kind != SubjectKind.INDIVIDUAL,
            "bin_table": bin_table() if form_class is BankCardChangeForm else None,
            "path": _path(
                user, Crumb(card.label, _wallet_home(user)), Crumb(card.title, card.url), Crumb(card.change_label)
            ),
        },
        status=status,
    )


@seller_page
@require_http_methods(["GET", "POST"])
def change_detail(request, change_id: int):
    """小额打款验证: what was sent where, attempts left, expiry, and the amount field."""
    _seller(request)
    user = request.user
    try:
        item = access_change(user, change_id)
    except NotFound:
        raise Http404("没有找到这条更换记录。") from None
    form = VerifyForm(request.POST or None)
    if request.method == "POST":
        if item.status != ChangeStatus.PENDING_VERIFICATION:
            messages.error(request, gettext("这条更换已经结束，不能再验证。"))
            return redirect("payouts:change_detail", item.pk)
        if form.is_valid():
            try:
                done = actions.do_verify_change(
                    acting_user=user, change_id=item.pk, amount_fen=form.cleaned_data["amount"], **_meta(request)
                )
            except NotFound:
                raise Http404("没有找到这条更换记录。") from None
            except CodedError as err:
                form.show_refusals([err])
                item = access_change(user, change_id)  # attempts left / status as the action left them
            else:
                messages.success(
                    request,
                    gettext("小额打款验证通过，提现银行卡已更换为 %(account)s。")
                    % {"account": done.new_account.masked},
                )
                return redirect("payouts:wallet", done.wallet.channel)
    now = clock.now()
    card = _wallet_card(user, item.wallet.channel)
    return ac_render(
        request,
        "payouts/change_detail.html",
        {
            "change": item,
            "status": item.effective_status(now),
            "card": card,
            "form": form,
            "now": now,
            "simulator": _simulator(),
            "path": _path(
                user,
                Crumb(card.label, _wallet_home(user)),
                Crumb(card.title, card.url),
                Crumb(
                    gettext("小额打款验证") if item.status == ChangeStatus.PENDING_VERIFICATION else gettext("更换记录")
                ),
            ),
        },
    )


@seller_page
@require_POST
def change_cancel(request, change_id: int):
    _seller(request)
    try:
        item = actions.do_cancel_change(acting_user=request.user, change_id=change_id, **_meta(request))
    except NotFound:
        raise Http404("没有找到这条更换记录。") from None
    except CodedError as err:
        messages.error(request, _page_message(err))
        return redirect("payouts:change_detail", change_id)
    messages.success(request, gettext("已取消本次更换，原提现账户继续有效。"))
    return redirect("payouts:wallet", item.wallet.channel)


def sandbox_only(view):
    """Without the sandbox the page does not exist: 404 for everyone, before the login check."""

    def wrapped(request, *args, **kwargs):
        if not sandbox_enabled():
            raise Http404("只有沙箱环境提供银行流水。")
        return view(request, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


@sandbox_only
@seller_page
def bank_statement(request):
    """银行流水 (sandbox): what the rail simulator sent to the user's own accounts, newest first.

    Stands in for the user's banking app: this is where the micro-deposit amount is read. Only
    where the simulator is the rail adapter and never in production; 404 otherwise.
    """
    subject = _seller(request)
    rail = get_rail()
    fingerprints = (
        list(WithdrawalAccount.objects.filter(subject=subject).values_list("fingerprint", flat=True)) if subject else []
    )
    last4 = (request.GET.get("last4") or "").strip()[:4] or None
    lines = rail.statement(fingerprints=fingerprints, last4=last4) if fingerprints else []
    back = None
    change_id = request.GET.get("change", "")
    if change_id.isdigit():
        try:
            back = access_change(request.user, int(change_id))
        except NotFound:
            back = None
    return ac_render(
        request,
        "payouts/bank_statement.html",
        {
            "lines": [
                {"line": ln, "amount": format_fen(ln.amount_fen), "kind_label": str(InstructionKind(ln.kind).label)}
                for ln in lines
            ],
            "last4": last4 or "",
            "back": back,
            "path": _path(request.user, Crumb(gettext("银行流水"))),
        },
    )


# ------------------------------------------------------------------------------------------ shops and staff


@login_required
@require_http_methods(["GET", "POST"])
def choose_shop(request):
    """选择店铺: a merchant with several shops says which one the account centre acts for (kept in the
    session). Only the user's own shops; the choice is never guessed."""
    user = request.user
    if user.role != Role.MERCHANT:
        raise Http404("只有商家需要选择店铺。")
    memberships = user.memberships()
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    error = ""
    if request.method == "POST":
        chosen = next((m for m in memberships if str(m.shop_id) == request.POST.get("shop", "")), None)
        if chosen is None:
            error = gettext("请选择一个店铺。")
        else:
            request.session[SHOP_SESSION_KEY] = chosen.shop_id
            messages.success(request, gettext("已切换到店铺：%(shop)s。") % {"shop": chosen.shop.name})
            return redirect(next_url or "payouts:account_centre")
    return ac_render(
        request,
        "payouts/choose_shop.html",
        {
            "memberships": memberships,
            "current": request.session.get(SHOP_SESSION_KEY),
            "next": next_url,
            "error": error,
            "path": _path(user, Crumb(gettext("选择店铺"))),
        },
        status=400 if error else 200,
    )


@seller_page
@require_http_methods(["GET", "POST"])
def staff(request):
    """子账号权限: the shop's owner grants or revokes 管理提现账户 (manage_payout_accounts) for each
    staff member. Owner only: staff see a refusal (403), and a refused grant is audited."""
    user = request.user
    if user.role != Role.MERCHANT:
        raise Http404("只有商家有子账号。")
    membership = _membership(user)
    if membership is None:
        raise Http404("没有店铺。")
    if request.method == "POST":
        member = request.POST.get("member", "")
        try:
            if not member.isdigit():
                raise NotFound(Code.STAFF_NOT_FOUND)
            done = do_set_payout_permission(
                acting_user=user,
                shop_id=membership.shop_id,
                member_id=int(member),
                granted=request.POST.get("grant") == "1",
                **_meta(request),
            )
        except NotFound:
            raise Http404("这个店铺没有这个子账号。") from None
        except CodedError as err:
            return _staff_refused(request, user, err)
        name = done.user.get_full_name() or done.user.username
        messages.success(
            request,
            (
                gettext("已授予 %(name)s “管理提现账户”权限。")
                if done.can_manage_payout_accounts
                else gettext("已收回 %(name)s 的“管理提现账户”权限。")
            )
            % {"name": name},
        )
        return redirect("payouts:staff")
    try:
        owner = owned_membership(user, membership.shop_id)
    except CodedError as err:
        return _staff_refused(request, user, err)
    return ac_render(
        request,
        "payouts/staff.html",
        {
            "shop": owner.shop,
            "staff": shop_staff(owner),
            "refused": "",
            "path": _path(user, Crumb(gettext("子账号权限"))),
        },
    )


def _staff_refused(request, user, err):
    return ac_render(
        request,
        "payouts/staff.html",
        {
            "shop": None,
            "staff": [],
            "refused": gettext("只有店铺主账号可以管理子账号权限。"),
            "path": _path(user, Crumb(gettext("子账号权限"))),
        },
        status=err.status,
    )
