#!/usr/bin/env bash
# The whole test suite, from a fresh clone or right after the README's install command: works in
# the project's .venv (created with `python3 -m venv .venv` when missing, so it needs no root and
# no pip of the system Python, which Debian and Ubuntu refuse: PEP 668), installs '.[dev]' into
# it, lints, runs pytest and exits with pytest's status.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/core -x).
# FILEORGANIZER_TEST_WINDOWS_LIKE=1 runs the tests in the Windows-like mode (tests/windows_like).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  bash scripts/install-system-deps.sh
fi
PYTHON="${PYTHON:-python3}"   # CI on Windows sets PYTHON=python
[ -d .venv ] || "$PYTHON" -m venv .venv
if [ -x .venv/bin/python ]; then VENV_BIN="$PWD/.venv/bin"; else VENV_BIN="$PWD/.venv/Scripts"; fi
VENV_PYTHON="$VENV_BIN/python"
# scripts the tests run (scripts/build_linux.sh: `python3 -m PyInstaller`) use this environment too
export VIRTUAL_ENV="$PWD/.venv" PATH="$VENV_BIN:$PATH"
"$VENV_PYTHON" -m pip install -q --disable-pip-version-check -e '.[dev]'
"$VENV_PYTHON" -m ruff check .
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
if [ "${FILEORGANIZER_TEST_WINDOWS_LIKE:-}" = 1 ]; then
  # every Python of the run (pytest, the CLI it starts, spawned workers) starts Windows-like
  export PYTHONPATH="$PWD/tests/windows_like${PYTHONPATH:+:$PYTHONPATH}"
fi
exec "$VENV_PYTHON" -m pytest "$@"
