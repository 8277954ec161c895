"""The appeals contract of api.md ("Appeals"), through HTTP: POST /appeal and /decide-appeal, the
dispute's `appeal`, `can_appeal` and `appeal_window_ends_at`. The PostgreSQL races are in
test_races.py."""

import io
from datetime import datetime, timedelta

import time_machine
from PIL import Image

from sellerdesk.aftersales.actions import do_appeal, do_rule
from sellerdesk.aftersales.models import Appeal
from sellerdesk.identity.models import Role
from sellerdesk.testing import factories as f

from .test_rules_lifecycle import HOUR, SECOND, fresh, reach

WINDOW = timedelta(days=7)


def _ruled(world, **ruling):
    aftersale, t = reach(world, "dispute_platform_review")
    t += HOUR
    args = {"outcome": "no_refund", "amount_fen": None, "liable": "buyer", **ruling}
    do_rule(aftersale.pk, note="证据不足", acting_user=world.cs, now=t, **args)
    return fresh(aftersale), t


def _png(name="photo.png"):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    buf.seek(0)
    buf.name = name
    return buf


def test_the_detail_says_who_can_appeal_and_until_when(world, api_as):
    aftersale, t = _ruled(world)
    with time_machine.travel(t + HOUR, tick=False):
        buyer = api_as(world.buyer).get(f"/aftersales/{aftersale.pk}").json()
        merchant = api_as(world.merchant).get(f"/aftersales/{aftersale.pk}").json()
    assert buyer["dispute"]["can_appeal"] is True and "appeal" in buyer["allowed_actions"]
    assert datetime.fromisoformat(buyer["dispute"]["appeal_window_ends_at"]) == t + WINDOW
    assert buyer["dispute"]["appeal"] is None
    assert merchant["dispute"]["can_appeal"] is False
    assert merchant["dispute"]["appeal_blocked_reason"] == "appeal_not_allowed"


def test_an_appeal_over_http_with_files_shows_as_pending_to_both_parties(world, api_as):
    aftersale, t = _ruled(world)
    with time_machine.travel(t + HOUR, tick=False):
        answer = api_as(world.buyer).post(
            f"/aftersales/{aftersale.pk}/appeal", {"reason": "物流签收照片证明破损"}, files=[_png()]
        )
        assert answer.status_code == 200, answer.content
        appeal = answer.json()["dispute"]["appeal"]
        assert (appeal["status"], appeal["appellant"], appeal["reason"]) == ("pending", "buyer", "物流签收照片证明破损")
        assert answer.json()["dispute"]["can_appeal"] is False
        seen = api_as(world.merchant).get(f"/aftersales/{aftersale.pk}").json()["dispute"]["appeal"]
        assert seen["status"] == "pending"
        history = api_as(world.merchant).get(f"/aftersales/{aftersale.pk}/history").json()
    entry = history[-1]
    assert (entry["kind"], entry["kind_label"], len(entry["attachments"])) == ("appealed", "提交售后申诉", 1)
    assert len(entry["attachments"][0]["sha256"]) == 64


def test_an_appeal_in_json_without_a_reason_is_400_and_keeps_nothing(world, api_as):
    aftersale, t = _ruled(world)
    with time_machine.travel(t + HOUR, tick=False):
        answer = api_as(world.buyer).post(f"/aftersales/{aftersale.pk}/appeal", {"reason": ""})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "empty_reason"
    assert not Appeal.objects.exists()


def test_an_appeal_after_the_window_is_409_with_the_windows_end(world, api_as):
    aftersale, t = _ruled(world)
    with time_machine.travel(t + WINDOW + SECOND, tick=False):
        answer = api_as(world.buyer).post(f"/aftersales/{aftersale.pk}/appeal", {"reason": "太晚了"})
        detail = api_as(world.buyer).get(f"/aftersales/{aftersale.pk}").json()
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "appeal_window_closed"
    assert datetime.fromisoformat(error["details"]["window_ends_at"]) == t + WINDOW
    assert detail["dispute"]["can_appeal"] is False
    assert detail["dispute"]["appeal_blocked_reason"] == "appeal_window_closed"


def test_decide_appeal_over_http_by_another_agent_and_never_by_the_one_who_ruled(world, api_as):
    cs2 = f.make_user("cs2", role=Role.CS)
    aftersale, t = _ruled(world)
    do_appeal(aftersale.pk, reason="有凭证", acting_user=world.buyer, now=t + HOUR)
    body = {"decision": "overturn", "note": "商家凭证不实", "outcome": "refund", "liable": "merchant"}
    with time_machine.travel(t + 2 * HOUR, tick=False):
        same = api_as(world.cs).post(f"/aftersales/{aftersale.pk}/decide-appeal", body)
        assert same.status_code == 403 and same.json()["error"]["code"] == "same_agent_ruled"
        merchant = api_as(world.merchant).post(f"/aftersales/{aftersale.pk}/decide-appeal", body)
        assert merchant.status_code == 403 and merchant.json()["error"]["code"] == "forbidden_role"
        other = api_as(cs2).post(f"/aftersales/{aftersale.pk}/decide-appeal", body)
    assert other.status_code == 200, other.content
    detail = other.json()
    assert detail["status"] == "refunded"
    assert detail["dispute"]["appeal"]["decision"] == "overturn"
    assert detail["dispute"]["appeal"]["decided_by"].startswith("平台客服")
    assert (detail["dispute"]["outcome"], detail["dispute"]["liable"]) == ("refund", "merchant")
    assert detail["dispute"]["ruling"]["outcome"] == "no_refund"  # the ruling as it was made
    assert [(r["amount_fen"], r["source"]) for r in detail["refunds"]] == [(10000, "appeal")]


def test_decide_appeal_with_a_bad_body_is_400_with_the_domains_code(world, api_as):
    cs2 = f.make_user("cs2", role=Role.CS)
    aftersale, t = _ruled(world)
    do_appeal(aftersale.pk, reason="有凭证", acting_user=world.buyer, now=t + HOUR)
    with time_machine.travel(t + 2 * HOUR, tick=False):
        for body, code in (
            ({"decision": "maybe", "note": "x"}, "invalid_decision"),
            ({"decision": "overturn", "note": "x", "outcome": "all", "liable": "merchant"}, "invalid_outcome"),
            (
                {
                    "decision": "overturn",
                    "note": "x",
                    "outcome": "refund",
                    "liable": "merchant",
                    "compensation_fen": -1,
                },
                "invalid_compensation",
            ),
        ):
            answer = api_as(cs2).post(f"/aftersales/{aftersale.pk}/decide-appeal", body)
            assert (answer.status_code, answer.json()["error"]["code"]) == (400, code), answer.content
    assert Appeal.objects.get().status == "pending"


def test_the_openapi_document_has_the_appeal_endpoints(db, client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "post" in spec["paths"]["/api/v1/aftersales/{aftersale_id}/appeal"]
    assert "post" in spec["paths"]["/api/v1/aftersales/{aftersale_id}/decide-appeal"]
