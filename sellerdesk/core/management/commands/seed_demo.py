"""Demo data of api.md (Operations), loaded by the run command on an empty database.

Every after-sale is moved to its state by the real actions, with `now` set in the past where
a deadline has to be near, so the demo shows what production would. Each timeline is laid out
backwards from now in fractions of the deadlines configured (SELLERDESK_*_SECONDS), so it is valid
however short they are; and it is one transaction: a failure leaves the database empty, and the
next start loads it again.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.db import transaction

from sellerdesk.core import clock
from sellerdesk.identity.models import Role, Shop, Subject, SubjectKind, User
from sellerdesk.orders.actions import do_record_paid_order

DEMO_PASSWORD = "sellerdesk-demo"


class Command(BaseCommand):
    help = "Load the demo users, orders and after-sales (embedded default only, empty database only)."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is never loaded in production settings.")
        if User.objects.exists():
            self.stdout.write("database not empty: demo data not loaded")
            return
        from sellerdesk.payouts.demo import seed_payouts

        with transaction.atomic():
            users = self._people()
            self._aftersales(users)
            seed_payouts(users)
        self.stdout.write(
            self.style.SUCCESS(f"demo data loaded: users {', '.join(sorted(users))} (password {DEMO_PASSWORD})")
        )

    def _people(self) -> dict[str, User]:
        acme = Subject.objects.create(
            kind=SubjectKind.ENTERPRISE, legal_name="杭州好物优选科技有限公司", id_number="91330106MA2CFHQ09H"
        )
        other = Subject.objects.create(
            kind=SubjectKind.ENTERPRISE, legal_name="深圳市隔壁小店贸易有限公司", id_number="91440300MA5FPXL362"
        )
        person = Subject.objects.create(
            kind=SubjectKind.INDIVIDUAL, legal_name="李小红", id_number="110105199003071238"
        )
        biz = Subject.objects.create(
            kind=SubjectKind.INDIVIDUAL_BUSINESS, legal_name="成都市锦江区小王百货店", id_number="92510104MA6CK8XX48"
        )
        shop = Shop.objects.create(name="好物优选旗舰店", subject=acme)
        shop2 = Shop.objects.create(name="隔壁小店", subject=other)

        def user(name, role, **extra):
            u = User.objects.create_user(username=name, password=DEMO_PASSWORD, role=role, **extra)
            return u

        users = {
            "buyer": user("buyer", Role.BUYER, first_name="张三"),
            "buyer2": user("buyer2", Role.BUYER, first_name="王五"),
            "merchant": user("merchant", Role.MERCHANT),
            "merchant_staff": user("merchant_staff", Role.MERCHANT, first_name="小周"),
            "merchant2": user("merchant2", Role.MERCHANT),
            "cs": user("cs", Role.CS),
            "cs2": user("cs2", Role.CS),  # a second agent: an appeal is decided by one who did not rule
            "distributor": user("distributor", Role.DISTRIBUTOR, subject=person, distributor_qualified=True),
            "distributor_biz": user("distributor_biz", Role.DISTRIBUTOR, subject=biz, distributor_qualified=True),
            "platform": user("platform", Role.PLATFORM),
            "admin": user("admin", Role.ADMIN, is_staff=True, is_superuser=True),
        }
        users["merchant"].shops.add(shop, through_defaults={"is_owner": True})
        # 子账号: handles the shop's after-sales; may not change withdrawal accounts or withdraw
        # until the owner grants manage_payout_accounts (账户中心 → 子账号权限).
        users["merchant_staff"].shops.add(shop, through_defaults={"is_owner": False})
        users["merchant2"].shops.add(shop2, through_defaults={"is_owner": True})
        self.shop, self.shop2 = shop, shop2
        return users

    def _aftersales(self, u):
        from sellerdesk.aftersales import actions as a
        from sellerdesk.aftersales import policy
        from sellerdesk.aftersales.models import AfterSaleType as T

        now = clock.now()
        h = timedelta(hours=1)
        R, S, RC = policy.merchant_response(), policy.return_shipment(), policy.receipt()
        E, V = policy.escalation_window(), policy.evidence()
        P, W = policy.appeal_window(), policy.aftersale_window()
        items = [
            ("SKU-TEA", "西湖龙井 250g 礼盒", 1, 26800),
            ("SKU-CUP", "手工陶瓷茶杯 两只装", 2, 5900),
            ("SKU-SCARF", "真丝围巾", 1, 19900),
            ("SKU-HONEY", "土蜂蜜 500g", 3, 4500),
        ]
        counter = iter(range(1, 1000))

        def order(buyer, shop=None, when=now - 72 * h, delivered=None, lines=1):
            picked = [items[next(counter) % len(items)] for _ in range(lines)]
            o, _ = do_record_paid_order(
                order_no=f"KS{when:%Y%m%d}{next(counter):06d}",
                shop_id=(shop or self.shop).id,
                buyer_id=buyer.id,
                items=[{"sku": sku, "title": t, "quantity": q, "unit_price_fen": p} for sku, t, q, p in picked],
                paid_fen=sum(q * p for _, _, q, p in picked),
                paid_at=when,
                delivered_at=delivered,
            )
            return o

        def opened(buyer=u["buyer"], kind=T.REFUND_ONLY, at=now - 30 * h, shop=None, reason="商品与描述不符"):
            # Delivered shortly before the request, inside the after-sales window however short.
            o = order(buyer, shop, when=at - h, delivered=at - min(0.5 * h, W))
            return a.do_open_aftersale(
                order_id=o.id,
                type=kind,
                amount_fen=o.paid_fen,
                reason=reason,
                description="收到的商品颜色和页面图片差别很大。",
                acting_user=buyer,
                now=at,
            )

        def disputed(buyer, escalated_at, reason="申请平台介入"):
            """Opened, refused and escalated, each step well inside the window before it."""
            rejected_at = escalated_at - 0.1 * E
            x = opened(buyer, at=rejected_at - 0.1 * R)
            a.do_reject(
                x.id,
                reason="不同意" if reason == "申请平台介入" else "买家未提供质量问题照片",
                acting_user=m,
                now=rejected_at,
            )
            a.do_escalate(x.id, reason=reason, acting_user=buyer, now=escalated_at)
            return x

        m, cs, b1, b2 = u["merchant"], u["cs"], u["buyer"], u["buyer2"]
        # 待商家处理
        opened(at=now - 0.1 * R)
        opened(b2, kind=T.RETURN_REFUND, at=now - 0.2 * R, reason="尺码不合适")
        # 待买家退货 / 待商家收货
        approved_at = now - 0.3 * S
        x = opened(kind=T.RETURN_REFUND, at=approved_at - 0.1 * R, reason="七天无理由退货")
        a.do_approve(x.id, acting_user=m, now=approved_at)
        shipped_at = now - 0.3 * RC
        approved_at = shipped_at - 0.3 * S
        x = opened(kind=T.RETURN_REFUND, at=approved_at - 0.1 * R, reason="质量问题")
        a.do_approve(x.id, acting_user=m, now=approved_at)
        a.do_submit_return(x.id, carrier="顺丰速运", tracking_no="SF1234567890123", acting_user=b1, now=shipped_at)
        # 商家已拒绝 (the buyer may still escalate)
        rejected_at = now - 0.3 * E
        x = opened(at=rejected_at - 0.1 * R)
        a.do_reject(x.id, reason="商品已按描述发货，不支持仅退款", acting_user=m, now=rejected_at)
        # 待商家提供凭证: one near its deadline, one fresh
        for left in (0.05, 0.9):
            escalated_at = now - (1 - left) * V
            x = disputed(b1, escalated_at, reason="商家拒绝退款，申请平台介入")
            a.do_post_message(
                x.id, body="您好，请提供商品问题的照片，我们核实后处理。", acting_user=m, now=escalated_at + 0.01 * V
            )
        # 平台处理中: with evidence, and one where the merchant timed out
        evidence_at = now - 47 * h
        x = disputed(b1, evidence_at - 0.05 * V)
        a.do_submit_evidence(x.id, statement="商品签收已超过7天，详见物流签收记录。", acting_user=m, now=evidence_at)
        timed_out_at = now - 33 * h
        x = disputed(b2, timed_out_at - V - timedelta(seconds=1), reason="商家无理拒绝")  # met at due_at, late after
        a.apply_timeout(x.id, now=timed_out_at)
        # 待补充凭证
        evidence_at = now - 67 * h
        x = disputed(b1, evidence_at - 0.05 * V)
        a.do_submit_evidence(x.id, statement="发货前已质检，附质检记录。", acting_user=m, now=evidence_at)
        a.do_request_evidence(
            x.id, party="merchant", note="请补充发货前的商品实拍照片。", due_hours=24, acting_user=cs, now=now - 3 * h
        )
        # 退款成功 / 售后关闭 / 已撤销
        approved_at = now - 99 * h
        x = opened(at=approved_at - 0.1 * R)
        a.do_approve(x.id, acting_user=m, now=approved_at)
        ruled_at = now - 110 * h
        x = disputed(b1, ruled_at - 7 * h - 0.05 * V)
        a.do_submit_evidence(x.id, statement="商品无质量问题。", acting_user=m, now=ruled_at - 7 * h)
        a.do_rule(
            x.id,
            outcome="no_refund",
            liable="buyer",
            note="商家提供的凭证显示商品无质量问题。",
            acting_user=cs,
            now=ruled_at,
        )
        # 申诉待复核: the buyer appealed a ruling of cs, for cs2 to decide (an agent never decides
        # an appeal of their own ruling); ruled and appealed inside the appeal window, however short.
        ruled_at = now - 0.5 * P
        x = disputed(b2, ruled_at - 0.2 * V)
        a.do_submit_evidence(x.id, statement="发货时商品完好，附打包视频。", acting_user=m, now=ruled_at - 0.1 * V)
        a.do_rule(x.id, outcome="no_refund", liable="buyer", note="凭证显示发货时完好。", acting_user=cs, now=ruled_at)
        a.do_appeal(x.id, reason="收货时外箱已破损，附签收照片。", acting_user=b2, now=now - 0.4 * P)
        cancelled_at = now - 77 * h
        x = disputed(b1, cancelled_at - 0.05 * V)
        a.do_cancel(x.id, acting_user=b1, now=cancelled_at)
        # The other shop's business, which merchant must never see.
        opened(b2, shop=self.shop2, at=now - 0.1 * R)
        # Orders with nothing requested yet, to try 申请售后 on (one of several lines, one not yet
        # delivered), and one whose window has closed.
        order(u["buyer"], delivered=now - min(24 * h, W), lines=3)
        order(u["buyer"], delivered=now - min(2 * h, W))
        order(u["buyer"])
        order(u["buyer"], when=now - W - 96 * h, delivered=now - W - 48 * h)
        # A claim on one unit of one line of two.
        o = order(u["buyer"], when=now - 50 * h, delivered=now - min(20 * h, W), lines=2)
        line = max(o.items.all(), key=lambda i: i.quantity)
        a.do_open_aftersale(
            order_id=o.id,
            type=T.REFUND_ONLY,
            items=[{"order_item_id": line.id, "quantity": 1, "amount_fen": line.paid_fen // line.quantity}],
            reason="少件/漏发",
            description="收到的包裹里少了一件。",
            acting_user=u["buyer"],
            now=now - min(10 * h, W / 2),
        )
