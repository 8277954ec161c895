"""The workbench's figures (售后工作台首页): counts by state and the shop's dispute figures.

纠纷商责率 (merchant-liability rate) = rulings with the merchant liable (as an appeal left it) ÷
paid orders of the shop, both in the same period (the last 30 days by default). Disputes the buyer cancelled never count
(买家取消的订单，平台不会判责处理): they are left out of "disputes opened", and a cancelled
dispute can have no ruling. Read-only: nothing here changes state.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from django.db.models import Count

from sellerdesk.orders.models import Order

from .models import MERCHANT_PENDING_STATUSES, AfterSale, Dispute, DisputeStatus, Liable, Ruling, Status
from .queries import filter_aftersales

PERIOD = timedelta(days=30)
# 待处理: the non-dispute steps that wait for the merchant (disputes have their own count).


@dataclass(frozen=True)
class DisputeFigures:
    since: datetime
    until: datetime
    disputes_opened: int  # buyer-cancelled disputes excluded
    rulings: int  # all rulings made in the period
    merchant_liable: int  # rulings with the merchant liable
    paid_orders: int  # the shop's orders paid in the period

    @property
    def liability_rate(self) -> Fraction | None:
        """merchant_liable ÷ paid_orders, exact; None when the shop had no paid order."""
        if not self.paid_orders:
            return None
        return Fraction(self.merchant_liable, self.paid_orders)

    @property
    def liability_rate_percent(self) -> str:
        rate = self.liability_rate
        if rate is None:
            return "—"
        return f"{float(rate * 100):.2f}%"


def dispute_figures(shop_ids, *, now: datetime, period: timedelta = PERIOD) -> DisputeFigures:
    since = now - period
    in_shops = {"aftersale__shop_id__in": list(shop_ids)}
    opened = (
        Dispute.objects.filter(**in_shops, opened_at__gt=since, opened_at__lte=now)
        .exclude(status=DisputeStatus.CANCELLED)
        .count()
    )
    rulings = Ruling.objects.filter(
        dispute__aftersale__shop_id__in=list(shop_ids), ruled_at__gt=since, ruled_at__lte=now
    ).exclude(dispute__status=DisputeStatus.CANCELLED)
    # The liability that holds now: an appeal's overturn moves it (Dispute.liable), the ruling stays.
    merchant_liable = rulings.filter(dispute__liable=Liable.MERCHANT).count()
    paid_orders = Order.objects.filter(shop_id__in=list(shop_ids), paid_at__gt=since, paid_at__lte=now).count()
    return DisputeFigures(
        since=since,
        until=now,
        disputes_opened=opened,
        rulings=rulings.count(),
        merchant_liable=merchant_liable,
        paid_orders=paid_orders,
    )


def counts_by_status(user) -> dict[str, int]:
    """Every state of the merchant's requests with its count (0 included), in table order."""
    rows = AfterSale.objects.filter(shop_id__in=user.shop_ids()).values("status").annotate(n=Count("id")).order_by()
    found = {row["status"]: row["n"] for row in rows}
    return {status: found.get(status, 0) for status in Status.values}


def workbench_summary(user, *, now: datetime) -> dict:
    by_status = counts_by_status(user)
    return {
        "by_status": by_status,
        "todo": sum(by_status[s] for s in MERCHANT_PENDING_STATUSES),
        "disputes_pending": filter_aftersales(user, quick="disputes_pending", now=now).count(),
        "evidence_due_soon": filter_aftersales(user, quick="evidence_due_soon", now=now).count(),
        "figures": dispute_figures(user.shop_ids(), now=now),
    }
