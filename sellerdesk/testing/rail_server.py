"""A payment service on 127.0.0.1 that implements docs/rail-protocol.md, for tests of the `http`
rail adapter: the `rail_server` fixture (import it into a conftest), or `RailServer().start()`.

It verifies every request's signature (401 otherwise), makes each transfer once per reference
(a repeat answers the same transfer, a repeat with other terms is `reference_reused`), signs its
answers, and can be told to misbehave: `reject_accounts` (number → code), `hang_seconds` (sleep
before answering), `fail_next` (that many 503s), `bad_signature` (answers signed with another key).
It knows holders (`open_account`) for the name checks and the real-name checks.
"""

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from sellerdesk.events.webhooks import sign

TEST_SECRET = "whsec_" + base64.b64encode(b"rail-test-secret-rail-test-secret").decode()


@dataclass
class Holder:
    holder_name: str
    is_corporate: bool = False
    id_number: str = ""
    phone: str = ""


@dataclass
class RailServer:
    secret: str = TEST_SECRET
    url: str = ""
    transfers: dict = field(default_factory=dict)  # reference → the transfer it made
    requests: list = field(default_factory=list)  # (path, body) of every verified request
    holders: dict = field(default_factory=dict)  # (kind, number) → Holder
    reject_accounts: dict = field(default_factory=dict)  # number → refusal code
    hang_seconds: float = 0
    fail_next: int = 0
    bad_signature: bool = False
    unsigned_requests: int = 0

    def __post_init__(self):
        self._lock = threading.Lock()
        self._server = None

    # Setup -------------------------------------------------------------------------------------
    def open_account(self, kind: str, number: str, holder_name: str, *, is_corporate=False, id_number="", phone=""):
        self.holders[(kind, number)] = Holder(holder_name, is_corporate, id_number, phone)

    def on(self, operation: str) -> list[dict]:
        return [body for path, body in self.requests if path == f"/v1/{operation}"]

    def start(self) -> "RailServer":
        state = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet: bodies hold account numbers
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                try:
                    body = Webhook(state.secret).verify(raw, {k: v for k, v in self.headers.items()})
                except (WebhookVerificationError, ValueError):
                    with state._lock:
                        state.unsigned_requests += 1
                    return self._answer(401, {"status": "error", "message": "bad signature"})
                if state.hang_seconds:
                    time.sleep(state.hang_seconds)
                with state._lock:
                    if state.fail_next > 0:
                        state.fail_next -= 1
                        return self._answer(503, {"status": "error", "message": "try later"})
                    state.requests.append((self.path, body))
                    status, answer = state.handle(self.path, body)
                self._answer(status, answer)

            def _answer(self, status: int, answer: dict):
                payload = json.dumps(answer, ensure_ascii=False)
                msg_id = self.headers.get("webhook-id") or f"msg_{uuid.uuid4().hex}"
                now = datetime.now(UTC)
                key = (
                    "whsec_" + base64.b64encode(b"not-the-shared-secret-at-all!!").decode()
                    if state.bad_signature
                    else state.secret
                )
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("webhook-id", msg_id)
                self.send_header("webhook-timestamp", str(int(now.timestamp())))
                self.send_header("webhook-signature", sign([key], msg_id=msg_id, timestamp=now, body=payload))
                data = payload.encode()
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # The protocol ------------------------------------------------------------------------------
    def handle(self, path: str, body: dict) -> tuple[int, dict]:
        operation = path.removeprefix("/v1/")
        reference = body.get("reference")
        if not reference:
            return 400, {"status": "rejected", "code": "reference_required", "message": "reference is required"}
        if operation in ("refunds", "payouts", "micro-deposits"):
            return self._transfer(operation, body)
        account = body.get("account") or {}
        holder = self.holders.get((account.get("kind"), account.get("number")))
        if operation == "name-checks":
            if holder is None:
                return 200, {"status": "succeeded", "reference": reference, "known": False}
            return 200, {
                "status": "succeeded",
                "reference": reference,
                "known": True,
                "holder_name": holder.holder_name,
                "is_corporate": holder.is_corporate,
            }
        if operation == "real-name-checks":
            if holder is None or not holder.id_number or holder.is_corporate:
                result = "unknown"
            elif (
                holder.holder_name == body.get("holder_name")
                and holder.id_number == body.get("id_number")
                and (not body.get("phone") or not holder.phone or holder.phone == body.get("phone"))
            ):
                result = "match"
            else:
                result = "no_match"
            return 200, {"status": "succeeded", "reference": reference, "result": result}
        return 404, {"status": "rejected", "code": "unknown_operation", "message": operation}

    def _transfer(self, operation: str, body: dict) -> tuple[int, dict]:
        reference = body["reference"]
        terms = (operation, body.get("amount_fen"), body.get("order_no"), (body.get("account") or {}).get("number"))
        made = self.transfers.get(reference)
        if made is None:
            number = (body.get("account") or {}).get("number")
            if number in self.reject_accounts:
                return 200, {
                    "status": "rejected",
                    "code": self.reject_accounts[number],
                    "message": "收款账户状态异常，无法入账。",
                }
            made = {"terms": terms, "transfer_id": f"TR{len(self.transfers) + 1:08d}", "requests": 0}
            self.transfers[reference] = made
        made["requests"] += 1
        if made["terms"] != terms:
            return 409, {
                "status": "rejected",
                "code": "reference_reused",
                "message": "this reference was used for another transfer",
            }
        return 200, {
            "status": "succeeded",
            "reference": reference,
            "amount_fen": body.get("amount_fen"),
            "transfer_id": made["transfer_id"],
        }


@pytest.fixture
def rail_server():
    server = RailServer().start()
    yield server
    server.stop()


@pytest.fixture
def http_rail(rail_server, settings):
    """The http adapter as the configured rail, pointed at `rail_server` with a short timeout."""
    settings.SELLERDESK_RAIL_ADAPTER = "http"
    settings.SELLERDESK_RAIL_URL = rail_server.url
    settings.SELLERDESK_RAIL_SECRET = rail_server.secret
    settings.SELLERDESK_RAIL_TIMEOUT_SECONDS = 1
    return rail_server
