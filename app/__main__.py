"""``python -m app``: the desktop app (also the ``fileorganizer-gui`` script)."""

from __future__ import annotations

import multiprocessing
import sys


def main() -> int:
    # a bundled app starts its worker processes by running itself again: they stop here
    multiprocessing.freeze_support()
    if "--self-test" in sys.argv:  # before any widget exists: it starts Qt offscreen itself
        from app.selftest import main as self_test

        return self_test()
    from app.gui.application import run

    return run(sys.argv)


if __name__ == "__main__":
    sys.exit(main())
