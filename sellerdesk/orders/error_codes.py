"""Refusals of the order push (core/errors.py)."""

from django.utils.translation import gettext_lazy as _

from sellerdesk.core.errors import ErrorCode


class OrderErrorCode(ErrorCode):
    ORDER_NOT_FOUND = "not_found", _("订单不存在。")
    UNKNOWN_SHOP = "unknown_shop", _("店铺 %(shop_id)s 不存在。")
    UNKNOWN_BUYER = "unknown_buyer", _("买家 %(buyer_id)s 不存在。")
    INVALID_ITEMS = "invalid_items", _("订单至少要有一件商品。")
    INVALID_AMOUNT = "invalid_amount", _("实付金额须在 ¥0.01 到 %(max_fen)s 之间。")
    ORDER_NO_CONFLICT = "order_no_conflict", _("订单 %(order_no)s 已用另一个店铺、买家或金额推送过。")
    DELIVERED_AT_CONFLICT = "delivered_at_conflict", _("订单 %(order_no)s 的签收时间已经是 %(delivered_at)s。")
    DELIVERED_BEFORE_PAID = "delivered_before_paid", _("签收时间不能早于付款时间 %(paid_at)s。")
