#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, lints, runs pytest.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/core -x).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  bash scripts/install-system-deps.sh
fi
PYTHON="${PYTHON:-python3}"   # CI on Windows sets PYTHON=python
"$PYTHON" -m pip install -q --disable-pip-version-check -e '.[dev]'
"$PYTHON" -m ruff check .
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
exec "$PYTHON" -m pytest "$@"
