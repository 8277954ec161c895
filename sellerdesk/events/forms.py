"""The form of the 消息推送 page. It only shapes what the merchant typed; whether a URL may be
called and which event types exist is decided by webhooks.do_register_endpoint, whose coded
errors come back here (add_coded_error) beside the field they concern."""

from django import forms
from django.utils.translation import gettext_lazy

from sellerdesk.core.errors import CodedError

from . import webhooks
from .labels import ALL_EVENTS, event_groups


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("接收地址（URL）"),
        max_length=500,
        error_messages={
            "required": gettext_lazy("请填写接收推送的地址。"),
            "max_length": gettext_lazy("地址最长 500 个字符。"),
        },
        widget=forms.URLInput(
            attrs={
                "placeholder": "https://erp.example.com/sellerdesk/webhook",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("订阅事件"), required=False, initial=["*"], widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(
        label=gettext_lazy("备注"),
        required=False,
        max_length=200,
        error_messages={"max_length": gettext_lazy("备注最长 200 个字符。")},
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("例如：ERP 正式环境"), "autocomplete": "off"}),
    )
    shop = forms.TypedChoiceField(label=gettext_lazy("店铺"), coerce=int, required=False)

    # Which field an action's error belongs to (by its code); others are shown above the form.
    FIELD_OF_CODE = {
        "invalid_webhook_url": "url",
        "webhook_url_has_credentials": "url",
        "webhook_url_too_long": "url",
        "webhook_url_not_https": "url",
        "webhook_target_unresolvable": "url",
        "webhook_target_not_allowed": "url",
        "invalid_event_types": "event_types",
        "shop_required": "shop",
        "not_found": "shop",
    }

    def __init__(self, *args, shops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = event_groups(webhooks.event_types())
        self.fields["event_types"].choices = [("*", ALL_EVENTS)] + [
            (value, label) for _title, items in self.groups for value, label in items
        ]
        self.shops = list(shops)
        if len(self.shops) > 1:
            self.fields["shop"].choices = [("", gettext_lazy("请选择店铺"))] + [(s.pk, s.name) for s in self.shops]
        else:
            del self.fields["shop"]

    @property
    def chosen(self) -> set[str]:
        """The event types ticked, for re-rendering the checkboxes."""
        value = self["event_types"].value() or []
        return set(value if isinstance(value, (list, tuple)) else [value])

    def register_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "url": d["url"],
            "event_types": d["event_types"],
            "description": d["description"],
            "shop_id": d.get("shop") or None,
        }

    def add_coded_error(self, err: CodedError) -> None:
        field = self.FIELD_OF_CODE.get(err.code)
        if field not in self.fields:
            field = None
        self.add_error(field, err.message)
