"""A real HTTP receiver for webhook tests: the `receiver` fixture, imported by the conftests that need it
(sellerdesk/events/tests, tests/browser)."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    at: float


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that records every POST. `answers` maps a path to a list of
    status codes used in turn (the last repeats); `hang` paths sleep that many seconds first."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: dict = field(default_factory=dict)
    hang: dict = field(default_factory=dict)
    redirect_to: dict = field(default_factory=dict)

    def at(self, path: str) -> str:
        return f"{self.url}{path}"

    def on(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def wait_for(self, path: str, count: int = 1, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.on(path)) >= count:
                return self.on(path)
            time.sleep(0.02)
        raise AssertionError(f"{path}: {len(self.on(path))} request(s), expected {count}")


@pytest.fixture
def receiver():
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            with lock:
                state.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                )
                codes = state.answers.get(self.path, [200])
                code = codes.pop(0) if len(codes) > 1 else codes[0]
            if self.path in state.hang:
                time.sleep(state.hang[self.path])
            self.send_response(code)
            if self.path in state.redirect_to:
                self.send_header("Location", state.at(state.redirect_to[self.path]))
            self.send_header("content-length", "2")
            self.end_headers()
            try:
                self.wfile.write(b"ok")
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
