"""``python -m app``: the desktop app (also the ``fileorganizer-gui`` script)."""

from __future__ import annotations

import sys


def main() -> int:
    from app.gui.application import run

    return run(sys.argv)


if __name__ == "__main__":
    sys.exit(main())
