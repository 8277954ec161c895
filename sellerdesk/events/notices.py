"""Who is told what, for every event that asks something of a party or decides something for them.

One table (NOTICES): an outbox event's topic → its audience, title and body (msgids with
%(name)s parameters) and whether it also goes out by e-mail. `fan_out` runs inside the
transaction that writes the event, so a notification exists exactly when its event does;
`render` turns the stored topic and parameters into text in the reader's language when read.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sellerdesk.core.money import format_fen

# Audiences: who receives the notice, read from the event's scope and payload.
MERCHANT, BUYER, BOTH, ASKED, OTHER_PARTY, SUBJECT = "merchant", "buyer", "both", "asked", "other", "subject"


@dataclass(frozen=True)
class Notice:
    audience: str
    title: str
    body: str = ""
    # A second channel (e-mail) for this notice: True, or a test of the event's payload.
    email: bool | Callable[[dict], bool] = False


def _ruled(payload: dict) -> bool:
    return bool(payload.get("liable"))


NOTICES: dict[str, Notice] = {
    "aftersale.created": Notice(
        MERCHANT, _("新的售后申请 %(number)s"), _("买家申请退款 %(amount)s，请在处理期限内同意或拒绝。")
    ),
    "aftersale.approved": Notice(BUYER, _("商家已同意售后 %(number)s"), _("商家同意了您的售后申请。")),
    "aftersale.auto_approved": Notice(
        BOTH, _("售后单 %(number)s 已自动同意"), _("商家未在期限内处理，系统已同意售后申请。")
    ),
    "aftersale.rejected": Notice(
        BUYER, _("商家拒绝了售后 %(number)s"), _("拒绝原因：%(reason)s。如有异议，可以申请平台介入。")
    ),
    "aftersale.return_shipped": Notice(MERCHANT, _("买家已退货 %(number)s"), _("收到退货后请确认收货。")),
    "aftersale.closed": Notice(BUYER, _("售后单 %(number)s 已关闭"), _("售后申请已关闭。")),
    "aftersale.cancelled": Notice(MERCHANT, _("买家已撤销售后 %(number)s"), _("买家撤销了申请，无需再处理。")),
    "aftersale.message_posted": Notice(OTHER_PARTY, _("售后单 %(number)s 有新留言"), _("请到协商历史查看。")),
    "aftersale.offer_made": Notice(
        BUYER, _("商家提出部分退款方案 %(number)s"), _("商家提出退款 %(amount)s，请接受或拒绝。")
    ),
    "aftersale.offer_accepted": Notice(
        MERCHANT, _("买家接受了退款方案 %(number)s"), _("将按方案金额 %(amount)s 退款。")
    ),
    "aftersale.offer_declined": Notice(
        MERCHANT, _("买家拒绝了退款方案 %(number)s"), _("可以重新提出方案或等待平台处理。")
    ),
    "dispute.opened": Notice(
        MERCHANT,
        _("买家申请平台介入 %(number)s"),
        _("纠纷协商期已开始：请在 %(evidence_due)s 前提交凭证或同意售后，超时未举证将由平台直接判责。"),
    ),
    "dispute.evidence_due_soon": Notice(
        ASKED,
        _("售后单 %(number)s 的凭证还有 %(hours_left)s 小时到期"),
        _("请在 %(due)s 前提交凭证，超时未举证将由平台直接判责。%(draft_text)s"),
    ),
    "dispute.evidence_submitted": Notice(
        OTHER_PARTY, _("对方已提交凭证 %(number)s"), _("平台客服将根据双方凭证判责。")
    ),
    "dispute.evidence_requested": Notice(ASKED, _("平台要求补充凭证 %(number)s"), _("请在 %(due)s 前补充凭证。")),
    "dispute.timed_out": Notice(BOTH, _("商家超时未举证 %(number)s"), _("纠纷已转平台客服处理。")),
    "dispute.supplement_timed_out": Notice(BOTH, _("补充凭证已超时 %(number)s"), _("纠纷已转平台客服处理。")),
    "dispute.resolved": Notice(BOTH, _("纠纷已完成 %(number)s"), _("结果：%(outcome)s%(liable_text)s。"), email=_ruled),
    "dispute.appealed": Notice(BOTH, _("售后单 %(number)s 的判责已被申诉"), _("平台将由另一位客服复核。")),
    "dispute.appeal_decided": Notice(BOTH, _("申诉已处理 %(number)s"), _("请到协商历史查看复核结果。"), email=True),
    "dispute.deadline_extended": Notice(BOTH, _("举证期限已延长 %(number)s"), _("平台客服将举证期限延长至 %(due)s。")),
    "refund.succeeded": Notice(BUYER, _("退款成功 %(number)s"), _("%(amount)s 已原路退回。")),
    "refund.failed": Notice(
        BUYER, _("退款暂未成功 %(number)s"), _("退款 %(amount)s 暂未成功，平台客服会跟进处理，无需重新申请。")
    ),
    "payout_account.change_requested": Notice(
        SUBJECT,
        _("提现账户更换待验证"),
        _(
            "有人申请将%(channel_label)s的提现账户更换为 %(new_account)s，平台已向该账户小额打款，请在有效期内填写到账金额完成验证。"
            "如非本人操作，请立即修改密码并联系平台客服。"
        ),
        email=True,
    ),
    "payout_account.changed": Notice(
        SUBJECT,
        _("提现账户已更换"),
        _(
            "%(channel_label)s的提现账户已更换为 %(account)s%(previous_text)s。之后的提现将转入新账户，已发起的提现仍转入原账户。"
            "如非本人操作，请立即联系平台客服。"
        ),
        email=True,
    ),
    "payout_account.change_failed": Notice(
        SUBJECT,
        _("提现账户更换未成功"),
        _("更换为 %(new_account)s 的申请未通过验证（%(reason_label)s），原提现账户继续有效。"),
        email=True,
    ),
    "withdrawal.paid": Notice(SUBJECT, _("提现已到账"), _("%(amount)s 已转入 %(account)s。")),
    "withdrawal.failed": Notice(SUBJECT, _("提现未成功"), _("%(amount)s 未能转入 %(account)s，金额已退回余额。")),
    # Not API events: what changes how a user proves themselves is told to them on both channels.
    "security.authenticator_added": Notice(
        "owner",
        _("已绑定身份验证器"),
        _(
            "您的账号已绑定身份验证器，更换提现账户和提现时可用验证码验证身份。如非本人操作，请立即修改密码并联系平台客服。"
        ),
        email=True,
    ),
    "security.authenticator_removed": Notice(
        "owner",
        _("已解除身份验证器"),
        _("您的账号已解除身份验证器，之后只能用登录密码验证身份。如非本人操作，请立即修改密码并联系平台客服。"),
        email=True,
    ),
    # Not an API event: the dispatcher tells an endpoint's owner that deliveries are dying.
    "webhook_endpoint.failing": Notice(
        "owner",
        _("消息推送地址推送失败"),
        _("事件推送到 %(url)s 多次失败，已停止重试。请检查地址，然后在消息推送页重新发送。"),
    ),
}


def _sides(event, audience: str, payload: dict) -> tuple[bool, bool] | None:
    """Whether (the shop's merchants, the buyer) receive a notice for `audience` of `event`; None for
    an audience that is not the parties of an after-sale (a subject's users, an owner)."""
    party = payload.get("party")
    if audience == MERCHANT:
        merchants, buyer = True, False
    elif audience == BUYER:
        merchants, buyer = False, True
    elif audience == BOTH:
        merchants, buyer = True, True
    elif audience == ASKED:
        merchants, buyer = party != "buyer", party == "buyer"
    elif audience == OTHER_PARTY:
        # the other party hears it; CS or the system spoke: both parties do
        merchants, buyer = party != "merchant", party != "buyer"
    else:
        return None
    return merchants and bool(event.shop_id), buyer and bool(event.buyer_id)


def _users_of(event, audience: str, payload: dict):
    from sellerdesk.identity.models import Role, User

    sides = _sides(event, audience, payload)
    if sides is not None:
        merchants, buyer = sides
        users = list(User.objects.filter(role=Role.MERCHANT, shops=event.shop_id, is_active=True)) if merchants else []
        return users + (list(User.objects.filter(pk=event.buyer_id, is_active=True)) if buyer else [])
    if audience == SUBJECT and event.subject_id:
        from sellerdesk.identity.models import Subject
        from sellerdesk.payouts.actions.changes import subject_users

        return list(subject_users(Subject(pk=event.subject_id), event.holder_role or "merchant"))
    return []


def link_for(user, event) -> str:
    """Where a notification of `event` takes `user`. It reads only whether the user is a merchant
    (fan_out_statement relies on it to pick the link in SQL)."""
    from sellerdesk.identity.models import Role

    payload = event.payload
    if event.aftersale_id:
        if user.role == Role.MERCHANT:
            return f"/workbench/aftersales/{event.aftersale_id}/"
        return f"/buyer/aftersales/{event.aftersale_id}/"
    if payload.get("change_id") and event.topic.startswith("payout_account.change_"):
        return f"/account-centre/account-changes/{payload['change_id']}/"
    if payload.get("channel"):
        return f"/account-centre/wallets/{payload['channel']}/"
    return ""


def fan_out(event) -> None:
    """Write the notifications `event` asks for. Runs in the event's transaction."""
    from .models import Notification

    notice = NOTICES.get(event.topic)
    if notice is None or notice.audience == "owner":
        return
    users = _users_of(event, notice.audience, event.payload)
    if not users:
        return
    email = notice.email(event.payload) if callable(notice.email) else notice.email
    Notification.objects.bulk_create(
        [
            Notification(
                user=u,
                topic=event.topic,
                params=event.payload,
                event=event,
                aftersale_id=event.aftersale_id,
                link=link_for(u, event),
                created_at=event.created_at,
                email_state=Notification.EmailState.PENDING if email else Notification.EmailState.NONE,
            )
            for u in {u.pk: u for u in users}.values()
        ]
    )


@functools.cache
def _notification_columns() -> tuple[str, tuple]:
    from django.db import connection

    from .models import Notification

    fields = tuple(f for f in Notification._meta.concrete_fields if not f.primary_key)
    return ", ".join(connection.ops.quote_name(f.column) for f in fields), fields


@functools.cache
def _recipient_selects() -> tuple[str, str]:
    """(a shop's active merchants, one active user): each `SELECT id, role`, one parameter."""
    from django.db import connection

    from sellerdesk.identity.models import Role, ShopMembership, User

    qn = connection.ops.quote_name
    user, member = qn(User._meta.db_table), qn(ShopMembership._meta.db_table)
    return (
        f"SELECT u.{qn('id')}, u.{qn('role')} FROM {user} u INNER JOIN {member} m ON m.{qn('user_id')} = u.{qn('id')} "
        f"WHERE m.{qn('shop_id')} = %s AND u.{qn('role')} = '{Role.MERCHANT.value}' AND u.{qn('is_active')}",
        f"SELECT u.{qn('id')}, u.{qn('role')} FROM {user} u WHERE u.{qn('id')} = %s AND u.{qn('is_active')}",
    )


def fan_out_statement(event) -> tuple[str, list] | None:
    """fan_out(event) as one INSERT … SELECT (PostgreSQL), for emit to write the event and its
    notifications in one statement: the audience's users are selected by the same rules as
    _users_of (active merchants of the shop, the active buyer, no one twice) inside the INSERT,
    and the event's id is read from the CTE `ev` that inserts it. ("", []) when the event asks for
    no notification; None when its audience is not the parties of an after-sale (a subject's
    users): call fan_out(event) once the event is written."""
    from types import SimpleNamespace

    from django.db import connection

    from sellerdesk.identity.models import Role

    from .models import Notification

    notice = NOTICES.get(event.topic)
    if notice is None or notice.audience == "owner":
        return "", []
    sides = _sides(event, notice.audience, event.payload)
    if sides is None:
        return None if notice.audience == SUBJECT and event.subject_id else ("", [])
    merchants, buyer = sides
    if not (merchants or buyer):
        return "", []
    email = notice.email(event.payload) if callable(notice.email) else notice.email
    template = Notification(
        topic=event.topic,
        params=event.payload,
        aftersale_id=event.aftersale_id,
        created_at=event.created_at,
        email_state=Notification.EmailState.PENDING if email else Notification.EmailState.NONE,
    )
    columns, fields = _notification_columns()
    values, params = [], []
    for f in fields:
        if f.attname == "user_id":
            values.append("r.id")
        elif f.attname == "event_id":
            values.append("ev.id")
        elif f.attname == "link":
            values.append("CASE WHEN r.role = %s THEN %s ELSE %s END")
            params += [
                Role.MERCHANT.value,
                link_for(SimpleNamespace(role=Role.MERCHANT), event),
                link_for(SimpleNamespace(role=Role.BUYER), event),
            ]
        else:
            values.append("%s")
            params.append(f.get_db_prep_save(f.pre_save(template, True), connection))
    of_shop, of_user = _recipient_selects()
    selects = ([of_shop] if merchants else []) + ([of_user] if buyer else [])
    params += ([event.shop_id] if merchants else []) + ([event.buyer_id] if buyer else [])
    sql = (
        f"INSERT INTO {connection.ops.quote_name(Notification._meta.db_table)} ({columns}) "
        f"SELECT {', '.join(values)} FROM ev CROSS JOIN ({' UNION '.join(selects)}) r"
    )
    return sql, params


def notify(users, *, topic: str, params: dict, link: str = "", aftersale_id=None) -> None:
    """A notification that is not an outbox event (e.g. to a webhook endpoint's owner); e-mailed too
    when its notice says so. Call it inside the transaction of what it tells about."""
    from .models import Notification

    email = NOTICES[topic].email is True
    Notification.objects.bulk_create(
        [
            Notification(
                user=u,
                topic=topic,
                params=params,
                link=link,
                aftersale_id=aftersale_id,
                email_state=Notification.EmailState.PENDING if email else Notification.EmailState.NONE,
            )
            for u in users
        ]
    )


def _local_time(value: str | None) -> str:
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    moment = parse_datetime(value) if value else None
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _label(choices_path: str, value: str) -> str:
    from django.utils.module_loading import import_string

    if not value:
        return ""
    return str(dict(import_string(choices_path).choices).get(value, value))


def _params(params: dict, reader_id=None) -> dict:
    """The stored parameters plus the derived, translated ones the texts use (`reader_id`: the
    user reading it, for what is theirs alone, such as their evidence draft)."""
    out = {k: v for k, v in params.items() if isinstance(v, (str, int, float))}
    out.setdefault("number", "")
    if "amount_fen" in params:
        out["amount"] = format_fen(params["amount_fen"])
    out["evidence_due"] = _local_time(params.get("evidence_due_at"))
    out["due"] = _local_time(params.get("due_at"))
    out["outcome"] = _label("sellerdesk.aftersales.models.Outcome", params.get("outcome", "")) or gettext(
        "双方已达成一致"
    )
    liable = _label("sellerdesk.aftersales.models.Liable", params.get("liable", ""))
    out["liable_text"] = gettext("，%(liable)s") % {"liable": liable} if liable else ""
    out["channel_label"] = _label("sellerdesk.payouts.models.Channel", params.get("channel", ""))
    out["reason_label"] = _label("sellerdesk.payouts.models.ChangeFailure", params.get("reason", ""))
    previous = params.get("previous_account")
    out["previous_text"] = gettext("（原账户 %(previous)s）") % {"previous": previous} if previous else ""
    has_draft = reader_id is not None and reader_id in (params.get("draft_author_ids") or ())
    out["draft_text"] = gettext("您有未提交的凭证草稿，可继续编辑后提交。") if has_draft else ""
    for key in ("reason", "account", "new_account", "url", "hours_left"):
        out.setdefault(key, "")
    return out


def render(notification) -> tuple[str, str]:
    """(title, body) of a stored notification in the active language."""
    notice = NOTICES.get(notification.topic)
    params = notification.params or {}
    if notice is None:  # written before notices were derived from events
        return params.get("title", notification.topic), params.get("body", "")
    values = _params(params, getattr(notification, "user_id", None))
    try:
        return str(notice.title) % values, str(notice.body) % values
    except (KeyError, ValueError, TypeError):  # a translation with a broken placeholder
        return str(notice.title), ""
