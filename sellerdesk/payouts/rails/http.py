"""The `http` rail adapter: the marketplace's payment service over a small JSON protocol
(docs/rail-protocol.md).

`POST {SELLERDESK_RAIL_URL}/v1/<operation>` with a JSON body carrying a `reference`; request and
answer are both signed like the webhooks (Standard Webhooks headers, HMAC-SHA256 keyed with
SELLERDESK_RAIL_SECRET), and an answer is trusted only when its signature verifies and its
`webhook-id` is the request's.

- Money calls (refunds, payouts, micro-deposits) are sent once per call: a connection error,
  timeout, 5xx or unreadable answer raises RailUnavailable and the instruction machinery sends
  again later with the same reference, which the service answers with the transfer it made.
- Read-only checks (name check, real-name check) are retried here, a few times, quickly.
- Account numbers and ID numbers travel only in the request body; nothing here logs a body.
"""

import json
import logging
import time
import uuid
from datetime import UTC, datetime

import httpx
from django.conf import settings
from standardwebhooks import Webhook, WebhookVerificationError

from sellerdesk.events.webhooks import sign

from .base import AccountRef, NameCheck, Rail, RailRejected, RailUnavailable, RealNameCheck, SentTransfer

log = logging.getLogger(__name__)

CHECK_ATTEMPTS = 3
CHECK_BACKOFF_SECONDS = (0.2, 0.5)


class _Transient(Exception):
    def __init__(self, message: str, *, maybe_sent: bool):
        super().__init__(message)
        self.maybe_sent = maybe_sent


def _account(account: AccountRef) -> dict:
    return {
        "kind": account.kind,
        "number": account.number,
        "holder_name": account.holder_name,
        "bank_name": account.bank_name,
        "is_corporate": account.is_corporate,
    }


class HttpRail(Rail):
    def __init__(self, *, url: str | None = None, secret: str | None = None, timeout: float | None = None):
        self.url = (url or settings.SELLERDESK_RAIL_URL).rstrip("/")
        self.secret = secret or settings.SELLERDESK_RAIL_SECRET
        self.timeout = timeout if timeout is not None else settings.SELLERDESK_RAIL_TIMEOUT_SECONDS

    # Money ------------------------------------------------------------------------------------
    def refund(self, *, order_no: str, amount_fen: int, reference: str) -> SentTransfer:
        return self._transfer("refunds", {"reference": reference, "order_no": order_no, "amount_fen": amount_fen})

    def send_payout(self, account: AccountRef, *, amount_fen: int, reference: str) -> SentTransfer:
        return self._transfer(
            "payouts", {"reference": reference, "amount_fen": amount_fen, "account": _account(account)}
        )

    def send_micro_deposit(self, account: AccountRef, *, amount_fen: int, reference: str) -> SentTransfer:
        return self._transfer(
            "micro-deposits", {"reference": reference, "amount_fen": amount_fen, "account": _account(account)}
        )

    def _transfer(self, operation: str, body: dict) -> SentTransfer:
        try:
            answer = self._call(operation, body)
        except _Transient as exc:
            raise RailUnavailable(str(exc), maybe_sent=exc.maybe_sent) from None
        if answer.get("reference") != body["reference"] or answer.get("amount_fen") != body["amount_fen"]:
            # A signed answer about another transfer: never taken as this one's outcome.
            log.error("rail %s %s: the answer names another transfer", operation, body["reference"])
            raise RailUnavailable("the rail answered about another transfer", maybe_sent=True)
        return SentTransfer(
            reference=body["reference"], amount_fen=body["amount_fen"], transfer_id=str(answer.get("transfer_id") or "")
        )

    # Checks (move no money) ---------------------------------------------------------------------
    def real_name_of(self, account: AccountRef) -> NameCheck | None:
        answer = self._check(
            "name-checks", {"reference": f"name-check-{uuid.uuid4().hex}", "account": _account(account)}
        )
        if not answer.get("known"):
            return None
        return NameCheck(
            holder_name=str(answer.get("holder_name") or ""), is_corporate=bool(answer.get("is_corporate"))
        )

    def real_name_check(
        self, account: AccountRef, *, holder_name: str, id_number: str, phone: str | None = None, reference: str
    ) -> str:
        body = {
            "reference": reference,
            "account": _account(account),
            "holder_name": holder_name,
            "id_number": id_number,
        }
        if phone:
            body["phone"] = phone
        result = self._check("real-name-checks", body).get("result")
        return result if result in RealNameCheck.ANSWERS else RealNameCheck.UNKNOWN

    def _check(self, operation: str, body: dict) -> dict:
        for attempt in range(CHECK_ATTEMPTS):
            try:
                return self._call(operation, body)
            except _Transient as exc:
                if attempt == CHECK_ATTEMPTS - 1:
                    raise RailUnavailable(str(exc)) from None
                time.sleep(CHECK_BACKOFF_SECONDS[min(attempt, len(CHECK_BACKOFF_SECONDS) - 1)])
        raise AssertionError("unreachable")

    # The wire -----------------------------------------------------------------------------------
    def _call(self, operation: str, body: dict) -> dict:
        """One signed request; the verified answer of `status: succeeded`. Raises RailRejected on
        `status: rejected`, _Transient on anything that is not a trustworthy answer."""
        if not self.url or not self.secret:
            log.error("the http rail needs SELLERDESK_RAIL_URL and SELLERDESK_RAIL_SECRET")
            raise _Transient("the http rail is not configured", maybe_sent=False)
        msg_id = f"msg_{uuid.uuid4().hex}"
        payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        now = datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": sign([self.secret], msg_id=msg_id, timestamp=now, body=payload),
        }
        started = time.monotonic()
        try:
            response = httpx.post(
                f"{self.url}/v1/{operation}", content=payload.encode(), headers=headers, timeout=self.timeout
            )
        except httpx.ConnectError:
            log.warning("rail %s %s: cannot connect", operation, body["reference"])
            raise _Transient("cannot connect to the rail", maybe_sent=False) from None
        except httpx.TimeoutException:
            log.warning("rail %s %s: no answer within %ss", operation, body["reference"], self.timeout)
            raise _Transient(f"no answer from the rail within {self.timeout}s", maybe_sent=True) from None
        except httpx.HTTPError as exc:
            log.warning("rail %s %s: %s", operation, body["reference"], type(exc).__name__)
            raise _Transient(f"rail request failed ({type(exc).__name__})", maybe_sent=True) from None
        ms = int((time.monotonic() - started) * 1000)
        log.info("rail %s %s: HTTP %s in %d ms", operation, body["reference"], response.status_code, ms)
        if response.status_code >= 500:
            raise _Transient(f"rail answered HTTP {response.status_code}", maybe_sent=True)
        answer = self._verified(response, msg_id)
        status = answer.get("status")
        if status == "rejected":
            code = str(answer.get("code") or "rejected")
            raise RailRejected(code, str(answer.get("message") or ""))
        if status == "succeeded" and 200 <= response.status_code < 300:
            return answer
        log.error(
            "rail %s %s: unexpected answer (HTTP %s, status %r)",
            operation,
            body["reference"],
            response.status_code,
            status,
        )
        raise _Transient(f"unexpected rail answer (HTTP {response.status_code})", maybe_sent=True)

    def _verified(self, response: httpx.Response, msg_id: str) -> dict:
        if response.headers.get("webhook-id") != msg_id:
            raise _Transient("the rail's answer is not for this request", maybe_sent=True)
        try:
            answer = Webhook(self.secret).verify(response.content, dict(response.headers))
        except WebhookVerificationError:
            log.error("rail answer to %s: signature does not verify; refused", msg_id)
            raise _Transient("the rail's answer signature does not verify", maybe_sent=True) from None
        except ValueError:
            raise _Transient("the rail's answer is not JSON", maybe_sent=True) from None
        if not isinstance(answer, dict):
            raise _Transient("the rail's answer is not a JSON object", maybe_sent=True)
        return answer
