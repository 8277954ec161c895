# Shared by scripts/run and scripts/test: make .venv with Python 3.11+ and install the project from
# the lock file (requirements/run.lock or test.lock, pinned with hashes by pip-compile; see
# docs/operations.md "Dependencies"). Re-installs only when the lock or pyproject.toml changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
pick_python() {
  for c in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
    [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))' && { echo "$c"; return; }
  done
  echo "SellerDesk needs Python 3.11 or newer on PATH" >&2; exit 1
}
ensure_venv() {  # $1: which lock, "run" or "test"
  local lock="requirements/$1.lock" stamp
  [ -x .venv/bin/python ] || "$(pick_python)" -m venv .venv
  stamp=".venv/.installed-$(cat pyproject.toml "$lock" | sha256sum | cut -c1-16)-$1"
  if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q --require-hashes -r "$lock"
    .venv/bin/python -m pip install -q --no-deps -e .
    rm -f .venv/.installed-*
    touch "$stamp"
  fi
}
