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
}


def _load_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SELLERDESK_") and k not in PRODUCTION_NEEDS}
    return subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; django.setup(); print(settings.DEBUG)"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "sellerdesk.settings", **env},
        capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize("missing", sorted(PRODUCTION_NEEDS))
def test_production_start_without_a_required_setting_fails_with_a_clear_message(missing):
    env = {"SELLERDESK_ENV": "production", **{k: v for k, v in PRODUCTION_NEEDS.items() if k != missing}}
    result = _load_settings(env)
    assert result.returncode != 0
    assert f"{missing} must be set when SELLERDESK_ENV=production" in result.stderr


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
