"""Forms of the after-sales pages. They shape what was typed into the actions' arguments (yuan to
fen, whole hours, ids); every rule (lengths, who may do what, amounts against the order) stays in
the actions and comes back as a coded error (error_codes.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sellerdesk.core.fields import MAX_FEN
from sellerdesk.core.money import YuanField

from . import policy
from .models import Outcome
from .states import Action


def _text(max_length=None):
    # Lengths are the action's rule (check_text), measured as sent; the form only passes the text on.
    return forms.CharField(required=False, strip=False, max_length=max_length)


def _amount(required=True):
    return YuanField(
        required=required,
        min_fen=1,
        max_fen=MAX_FEN,
        error_messages={"required": _("请填写金额。")},
        range_message=_("金额须大于 ¥0.00。"),
    )


class NoInputForm(forms.Form):
    pass


class ReasonForm(forms.Form):
    reason = _text()


class ReturnShipmentForm(forms.Form):
    carrier = _text()
    tracking_no = _text()


class StatementForm(forms.Form):
    statement = _text()


class MessageForm(forms.Form):
    body = _text()


class OfferForm(forms.Form):
    amount = _amount()
    note = _text()


class OfferAnswerForm(forms.Form):
    offer_id = forms.IntegerField(
        min_value=1, error_messages={"required": _("方案不存在。"), "invalid": _("方案不存在。")}
    )


class RequestEvidenceForm(forms.Form):
    party = _text()
    note = _text()
    due_hours = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=policy.MAX_SUPPLEMENT_HOURS,
        error_messages={"invalid": _("时限请填写整数小时。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = _("补充凭证时限须在 1 到 %(n)s 小时之间。") % {"n": policy.MAX_SUPPLEMENT_HOURS}
        self.fields["due_hours"].error_messages.update(min_value=limit, max_value=limit)


class RulingForm(forms.Form):
    outcome = _text()
    amount = _amount(required=False)
    liable = _text()
    note = _text()
    reason_code = _text()

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Outcome.PARTIAL_REFUND and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("部分退款请填写金额。"))
        elif data.get("outcome") != Outcome.PARTIAL_REFUND:
            data["amount"] = None  # only a partial refund names an amount
        return data


class NoteForm(forms.Form):
    body = _text()


class ExtendDeadlineForm(forms.Form):
    hours = forms.IntegerField(
        error_messages={"required": _("请填写延长的小时数。"), "invalid": _("延长时间须为整数小时。")}
    )
    reason = _text()


class AppealForm(forms.Form):
    reason = _text()


class AppealDecisionForm(forms.Form):
    decision = _text()
    note = _text()
    outcome = _text()
    amount = _amount(required=False)
    liable = _text()
    compensation = YuanField(required=False, min_fen=0, max_fen=MAX_FEN, range_message=_("补偿金额不能小于 ¥0.00。"))

    def clean(self):
        data = super().clean()
        if data.get("decision") != "overturn":
            data.update(outcome=None, amount=None, liable=None, compensation=None)
        elif data.get("outcome") != Outcome.PARTIAL_REFUND:
            data["amount"] = None  # only a partial refund names an amount
        data["compensation"] = data.get("compensation") or 0
        return data


class NewAfterSaleForm(forms.Form):
    """申请售后: on the whole order (退款金额), or on some of its lines (a box per line, with how many
    and how much; the amount is then their total, worked out by the action)."""

    type = _text()
    amount = _amount(required=False)
    reason = _text()
    description = _text()

    def __init__(self, *args, order_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.order_items = list(order_items)
        for item in self.order_items:
            self.fields[f"line_{item.pk}"] = forms.BooleanField(required=False)
            self.fields[f"qty_{item.pk}"] = forms.IntegerField(
                required=False,
                min_value=1,
                max_value=1_000_000,
                error_messages={
                    "invalid": _("“%(title)s”的数量请填写整数。") % {"title": item.title},
                    "min_value": _("“%(title)s”的数量须大于零。") % {"title": item.title},
                    "max_value": _("“%(title)s”的数量太大。") % {"title": item.title},
                },
            )
            self.fields[f"amount_{item.pk}"] = _amount(required=False)

    def clean(self):
        data = super().clean()
        data["items"] = [
            {
                "order_item_id": item.pk,
                "quantity": data.get(f"qty_{item.pk}") or item.refundable_quantity,
                "amount_fen": data.get(f"amount_{item.pk}") or 0,
            }
            for item in self.order_items
            if data.get(f"line_{item.pk}")
        ]
        if data["items"]:
            data["amount"] = None  # the lines' total
        elif data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("请填写金额。"))
        return data


# The form of each action a detail page can post (its `action` field names it).
ACTION_FORMS: dict[Action, type[forms.Form]] = {
    Action.APPROVE: NoInputForm,
    Action.REJECT: ReasonForm,
    Action.CONFIRM_RECEIPT: NoInputForm,
    Action.REJECT_RECEIPT: ReasonForm,
    Action.RETURN_SHIPMENT: ReturnShipmentForm,
    Action.ESCALATE: ReasonForm,
    Action.SUBMIT_EVIDENCE: StatementForm,
    Action.MESSAGE: MessageForm,
    Action.MAKE_OFFER: OfferForm,
    Action.ACCEPT_OFFER: OfferAnswerForm,
    Action.DECLINE_OFFER: OfferAnswerForm,
    Action.CANCEL: NoInputForm,
    Action.REQUEST_EVIDENCE: RequestEvidenceForm,
    Action.RULE: RulingForm,
    Action.APPEAL: AppealForm,
    Action.DECIDE_APPEAL: AppealDecisionForm,
    Action.CLAIM: NoInputForm,
    Action.RELEASE: NoInputForm,
    Action.CS_NOTE: NoteForm,
    Action.EXTEND_DEADLINE: ExtendDeadlineForm,
}


def first_error(form: forms.Form) -> str:
    """The form's errors as one sentence for the page's error box, field errors first."""
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


class EvidenceDraftForm(forms.Form):
    """The 提交凭证 dialog's draft editor (views._draft_post): 保存草稿, remove one saved file, submit."""

    statement = _text()
    file_id = forms.IntegerField(required=False, min_value=1, error_messages={"invalid": _("草稿中没有这个文件。")})
