"""Production settings fail fast; the embedded default needs nothing."""

import os
import subprocess
import sys

import pytest

PRODUCTION_NEEDS = {
    "SECRET_KEY": "x" * 50,
    "DATABASE_URL": "postgres://u@127.0.0.1:5432/db",
    "SELLERDESK_ACCOUNT_KEYS": "ZGV2LW9ubHktYWNjb3VudC1rZXktMzJieXRlcy0xMjM=",
    "SELLERDESK_FINGERPRINT_KEY": "k" * 32,
    "SELLERDESK_RAIL_ADAPTER": "http",
    "SELLERDESK_RAIL_URL": "https://pay.example.com/rail",
    "SELLERDESK_RAIL_SECRET": "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0",
    "SELLERDESK_CACHE_URL": "redis://127.0.0.1:6379/0",
}


def _load_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SELLERDESK_") and k not in PRODUCTION_NEEDS}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; django.setup(); print(settings.DEBUG)",
        ],
        env={**clean, "DJANGO_SETTINGS_MODULE": "sellerdesk.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("missing", sorted(PRODUCTION_NEEDS))
def test_production_start_without_a_required_setting_fails_with_a_clear_message(missing):
    env = {"SELLERDESK_ENV": "production", **{k: v for k, v in PRODUCTION_NEEDS.items() if k != missing}}
    result = _load_settings(env)
    assert result.returncode != 0
    if missing == "SELLERDESK_RAIL_ADAPTER":
        assert "SELLERDESK_RAIL_ADAPTER must be http when SELLERDESK_ENV=production" in result.stderr
    else:
        assert f"{missing} must be set when SELLERDESK_ENV=production" in result.stderr


@pytest.mark.parametrize(
    "adapter",
    ["simulator", "sellerdesk.payouts.rails.simulator.SimulatorRail", "sellerdesk.payouts.rails.http.HttpRail"],
)
def test_the_simulator_is_refused_in_production_settings(adapter):
    result = _load_settings({"SELLERDESK_ENV": "production", **PRODUCTION_NEEDS, "SELLERDESK_RAIL_ADAPTER": adapter})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SELLERDESK_RAIL_ADAPTER must be http when SELLERDESK_ENV=production" in result.stderr


def test_production_refuses_a_rail_url_that_is_not_https():
    result = _load_settings(
        {"SELLERDESK_ENV": "production", **PRODUCTION_NEEDS, "SELLERDESK_RAIL_URL": "http://pay.example.com/rail"}
    )
    assert result.returncode != 0
    assert "SELLERDESK_RAIL_URL must be an https:// address" in result.stderr


def test_the_embedded_default_runs_the_simulator_and_off_production_a_dotted_path_is_accepted(tmp_path):
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "from sellerdesk.payouts.rails import get_rail, sandbox_enabled; "
        "print(type(get_rail()).__name__, sandbox_enabled())"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SELLERDESK_") and k not in PRODUCTION_NEEDS}
    base = {**clean, "DJANGO_SETTINGS_MODULE": "sellerdesk.settings", "SELLERDESK_VAR_DIR": str(tmp_path)}
    default = subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, timeout=60)
    assert default.stdout.strip() == "SimulatorRail True", default.stderr
    dotted = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, "SELLERDESK_RAIL_ADAPTER": "sellerdesk.payouts.rails.http.HttpRail"},
    )
    assert dotted.stdout.strip() == "HttpRail False", dotted.stderr


SANDBOX_PATHS = [
    "/api/v1/sandbox/rail/statement",
    "/api/v1/sandbox/rail/statement?account_last4=4321",
    "/account-centre/sandbox/bank-statement/",
    "/admin/payouts/simulatedaccount/",
    "/admin/payouts/simulatedaccount/1/change/",
    "/admin/payouts/railfault/",
    "/admin/payouts/railfault/add/",
    "/admin/payouts/railtransfer/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("adapter", ["http", "simulator"])
def test_every_sandbox_path_is_404_in_production(settings, django_user_model, adapter):
    from django.test import Client

    from sellerdesk.identity.models import Role

    settings.PRODUCTION = True
    settings.SELLERDESK_RAIL_ADAPTER = adapter  # production refuses the simulator at start; even so, no sandbox
    settings.SELLERDESK_RAIL_URL, settings.SELLERDESK_RAIL_SECRET = "https://pay.example.com", "whsec_c2VjcmV0"
    root = django_user_model.objects.create_superuser(username="root", password="x-long-password", role=Role.ADMIN)
    anonymous, admin = Client(), Client()
    admin.force_login(root)
    for path in SANDBOX_PATHS:
        for client in (anonymous, admin):
            assert client.get(path).status_code == 404, path
    index = admin.get("/admin/").content.decode()
    assert "simulatedaccount" not in index and "railfault" not in index and "railtransfer" not in index


@pytest.mark.django_db
def test_sandbox_paths_exist_with_the_simulator_off_production(settings, django_user_model):
    from django.test import Client

    from sellerdesk.identity.models import Role

    settings.SELLERDESK_RAIL_ADAPTER = "simulator"
    root = django_user_model.objects.create_superuser(username="root", password="x-long-password", role=Role.ADMIN)
    admin = Client()
    admin.force_login(root)
    assert admin.get("/api/v1/sandbox/rail/statement").status_code == 200
    assert admin.get("/admin/payouts/simulatedaccount/").status_code == 200
    assert admin.get("/admin/payouts/railfault/").status_code == 200
    assert Client().get("/api/v1/sandbox/rail/statement").status_code == 401


def test_production_with_every_setting_starts_without_debug_or_demo_data():
    result = _load_settings({"SELLERDESK_ENV": "production", **PRODUCTION_NEEDS})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_embedded_default_needs_no_setting(tmp_path):
    result = _load_settings({"SELLERDESK_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_demo_data_is_never_loaded_in_production_settings(settings):
    from django.core.management import CommandError, call_command

    from sellerdesk.identity.models import User

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="never loaded in production"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_production_settings_pass_check_deploy_with_no_warning(tmp_path):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never does.
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SELLERDESK_") and k not in PRODUCTION_NEEDS and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "sellerdesk.settings",
            "SELLERDESK_ENV": "production",
            "ALLOWED_HOSTS": "desk.example.com",
            "SELLERDESK_STATIC_ROOT": str(tmp_path),
            **PRODUCTION_NEEDS,
            "SECRET_KEY": "q8Zr-3nV!xK2@pL7#sW9$dF4%gH6^jM1&bN5*cT0(yE8)uA-w3Rt7Yp",
        },  # what an operator generates
        capture_output=True,
        text=True,
        timeout=120,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_refuses_a_cache_that_only_one_process_can_see():
    result = _load_settings({"SELLERDESK_ENV": "production", **PRODUCTION_NEEDS, "SELLERDESK_CACHE_URL": "locmem://"})
    assert result.returncode != 0
    assert "SELLERDESK_CACHE_URL must be redis://" in result.stderr
