# Shared by scripts/run and scripts/test: make .venv with Python 3.11+ and install the project.
# Re-installs only when pyproject.toml changed (a stamp keeps its hash).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
pick_python() {
  for c in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
    [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))' && { echo "$c"; return; }
  done
  echo "SellerDesk needs Python 3.11 or newer on PATH" >&2; exit 1
}
ensure_venv() {  # $1: pip extra ("" or "test")
  local extra=$1 spec="." stamp
  [ -n "$extra" ] && spec=".[$extra]"
  [ -x .venv/bin/python ] || "$(pick_python)" -m venv .venv
  stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)${extra:+-$extra}"
  if [ ! -f "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e "$spec"
    touch "$stamp"
  fi
}
