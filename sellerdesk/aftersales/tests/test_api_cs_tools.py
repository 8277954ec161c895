"""The CS tools of api.md ("More on after-sales") over HTTP: claim and release, 409 case_claimed,
internal notes in the history only CS reads, extend-deadline, and the ruling's reason code."""

from datetime import datetime, timedelta

import time_machine

from sellerdesk.identity.models import Role
from sellerdesk.testing import factories as f

from .test_rules_lifecycle import HOUR, reach


def test_claim_and_release_over_http_and_another_agents_rule_is_409_case_claimed(world, api_as):
    cs2 = f.make_user("cs2", role=Role.CS)
    aftersale, t = reach(world, "dispute_platform_review")
    with time_machine.travel(t + HOUR, tick=False):
        claimed = api_as(world.cs).post(f"/aftersales/{aftersale.pk}/claim")
        assert claimed.status_code == 200, claimed.content
        assert claimed.json()["dispute"]["claimed_by"].startswith("平台客服")
        assert "release" in claimed.json()["allowed_actions"] and "claim" not in claimed.json()["allowed_actions"]
        # The parties never see who took the case.
        assert api_as(world.merchant).get(f"/aftersales/{aftersale.pk}").json()["dispute"]["claimed_by"] is None
        ruled = api_as(cs2).post(
            f"/aftersales/{aftersale.pk}/rule", {"outcome": "no_refund", "liable": "buyer", "note": "x"}
        )
        assert ruled.status_code == 409
        assert ruled.json()["error"]["code"] == "case_claimed"
        assert ruled.json()["error"]["details"]["claimed_by"] == claimed.json()["dispute"]["claimed_by"]
        assert api_as(cs2).post(f"/aftersales/{aftersale.pk}/release").status_code == 409
        assert api_as(world.cs).post(f"/aftersales/{aftersale.pk}/release").status_code == 200
        ruled = api_as(cs2).post(
            f"/aftersales/{aftersale.pk}/rule", {"outcome": "no_refund", "liable": "buyer", "note": "证据不足"}
        )
    assert ruled.status_code == 200


def test_a_cs_note_over_http_is_201_and_only_in_the_cs_history(world, api_as):
    aftersale, t = reach(world, "dispute_platform_review")
    with time_machine.travel(t + HOUR, tick=False):
        note = api_as(world.cs).post(f"/aftersales/{aftersale.pk}/cs-notes", {"body": "商家电话已沟通"})
        assert note.status_code == 201, note.content
        assert (note.json()["kind"], note.json()["body"]) == ("cs_note", "商家电话已沟通")
        cs_kinds = [e["kind"] for e in api_as(world.cs).get(f"/aftersales/{aftersale.pk}/history").json()]
        merchant_kinds = [e["kind"] for e in api_as(world.merchant).get(f"/aftersales/{aftersale.pk}/history").json()]
        buyer_kinds = [e["kind"] for e in api_as(world.buyer).get(f"/aftersales/{aftersale.pk}/history").json()]
        refused = api_as(world.merchant).post(f"/aftersales/{aftersale.pk}/cs-notes", {"body": "x"})
    assert "cs_note" in cs_kinds and "cs_note" not in merchant_kinds and "cs_note" not in buyer_kinds
    assert refused.status_code == 403


def test_extend_deadline_over_http_moves_the_evidence_due_at(world, api_as):
    aftersale, t = reach(world, "dispute_awaiting_evidence")
    with time_machine.travel(t + HOUR, tick=False):
        answer = api_as(world.cs).post(
            f"/aftersales/{aftersale.pk}/extend-deadline", {"hours": 12, "reason": "商家申请补拍视频"}
        )
        bad = api_as(world.cs).post(f"/aftersales/{aftersale.pk}/extend-deadline", {"hours": 0, "reason": "x"})
    assert answer.status_code == 200, answer.content
    assert datetime.fromisoformat(answer.json()["due_at"]) == aftersale.due_at + timedelta(hours=12)
    assert datetime.fromisoformat(answer.json()["dispute"]["evidence_due_at"]) == aftersale.due_at + timedelta(hours=12)
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_extend_hours")


def test_a_ruling_over_http_that_disagrees_with_itself_needs_a_reason_code(world, api_as):
    aftersale, t = reach(world, "dispute_platform_review")
    with time_machine.travel(t + HOUR, tick=False):
        body = {"outcome": "refund", "liable": "buyer", "note": "平台保障"}
        missing = api_as(world.cs).post(f"/aftersales/{aftersale.pk}/rule", body)
        ruled = api_as(world.cs).post(f"/aftersales/{aftersale.pk}/rule", {**body, "reason_code": "platform_guarantee"})
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "reason_code_required"
    assert missing.json()["error"]["details"]["allowed"] == ["platform_guarantee", "no_reason_return"]
    assert ruled.status_code == 200
    assert ruled.json()["dispute"]["ruling"]["reason_code"] == "platform_guarantee"
