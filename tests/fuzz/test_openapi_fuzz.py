"""schemathesis against the running product: real HTTP to gunicorn with its worker, on a fresh
database of demo data, as every demo role and anonymously, with every check schemathesis has
(no server error, responses and status codes as documented, valid requests accepted, invalid
ones refused, ...). A bounded number of examples per operation keeps it inside CI's time; set
SELLERDESK_FUZZ_EXAMPLES and SELLERDESK_FUZZ_SEED to go deeper or to replay a run."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
ST = str(Path(PYTHON).with_name("st"))
EXAMPLES = os.environ.get("SELLERDESK_FUZZ_EXAMPLES", "8")
SEED = os.environ.get("SELLERDESK_FUZZ_SEED", "20261202")
ROLES = [
    "anonymous",
    "buyer",
    "merchant",
    "merchant_staff",
    "cs",
    "distributor",
    "distributor_biz",
    "platform",
    "admin",
]
# A caller that revokes its own token would test the rest of the API anonymously; revoking is
# tested in identity/tests instead.
EXCLUDED = ["DELETE /api/v1/auth/token", "DELETE /api/v1/auth/tokens/{token_id}"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database(tmp: Path):
    """A database of its own: a new PostgreSQL database when the suite runs on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'fuzz.sqlite3'}", lambda: None
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"sellerdesk_fuzz_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}", drop


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(ST).exists():
        pytest.skip("schemathesis is not installed: scripts/test installs it")
    tmp = tmp_path_factory.mktemp("fuzz")
    database_url, drop = _database(tmp)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SELLERDESK_", "DJANGO_ALLOW"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "sellerdesk.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SELLERDESK_VAR_DIR": str(tmp),
            "SELLERDESK_FILES_DIR": str(tmp / "files"),
            # Fuzzing posts far more than a person would: rate limits have their own tests.
            "SELLERDESK_RATE_MESSAGES": "0",
            "SELLERDESK_RATE_UPLOADS": "0",
            "SELLERDESK_RATE_OFFERS": "0",
            "SELLERDESK_SWEEP_SECONDS": "5",
        }
    )
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=300)
    subprocess.run([*manage, "seed_demo"], env=env, cwd=ROOT, check=True, timeout=300, capture_output=True)
    port = _free_port()
    log = open(tmp / "server.log", "w")
    procs = [
        subprocess.Popen(
            [
                str(Path(PYTHON).with_name("gunicorn")),
                "sellerdesk.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
                "--threads",
                "4",
                "--timeout",
                "60",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=log,
        ),
        subprocess.Popen([*manage, "worker", "-v0"], env=env, cwd=ROOT, stdout=log, stderr=log),
    ]
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url)
        # Tokens first: the anonymous run guesses passwords, and the lockout then refuses this address.
        tokens = {role: _token(url, role) for role in ROLES if role != "anonymous"}
        subjects = {role: _me(url, token)["subject"] for role, token in tokens.items()}
        yield url, tokens, subjects, tmp / "server.log"
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        log.close()
        drop()


def _wait_until_healthy(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):  # refused, reset, or a read that timed out on a busy machine
            pass
        time.sleep(0.5)
    raise AssertionError("the product did not become healthy within 60 s")


def _me(url: str, token: str) -> dict:
    request = urllib.request.Request(f"{url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.load(r)


def _token(url: str, username: str) -> str:
    body = json.dumps({"username": username, "password": "sellerdesk-demo"}).encode()
    request = urllib.request.Request(f"{url}/api/v1/auth/token", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.load(r)["token"]


@pytest.mark.parametrize("role", ROLES)
def test_the_api_keeps_its_openapi_contract_under_fuzzing(server, role, tmp_path):
    url, tokens, subjects, server_log = server
    command = [
        ST,
        "--config-file",
        str(Path(__file__).with_name("schemathesis.toml")),
        "run",
        f"{url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        EXAMPLES,
        "--seed",
        SEED,
        "--workers",
        "1",
        "--no-color",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
    ]
    for operation in EXCLUDED:
        command += ["--exclude-name", operation]
    if role != "anonymous":
        command += ["--header", f"Authorization: Bearer {tokens[role]}"]
    # hooks.py makes the schema-valid bodies of what JSON Schema cannot say (Luhn, the wallet's
    # account kind, the caller's subject) ones this caller could have sent: see its docstring.
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": str(Path(__file__).with_name("hooks.py")),
        "SELLERDESK_FUZZ_SUBJECT": json.dumps(subjects.get(role)),
    }
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200, cwd=tmp_path, env=env)
    report = result.stdout[-20000:] + result.stderr[-5000:] + "\nserver log:\n" + server_log.read_text()[-5000:]
    assert result.returncode == 0, f"schemathesis as {role} found failures (seed {SEED}):\n{report}"
