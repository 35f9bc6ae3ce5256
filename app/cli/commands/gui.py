"""`fileorganizer gui [FOLDER...]`: open the desktop app (optionally adding folders to scan)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

GUI_EXECUTABLE = "FileOrganizerPro"       # the desktop app's executable in an installed build


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gui",
        help="open the desktop app",
        description="Open the desktop app; folders given are added and scanned. If the app is "
        "already running, its window comes forward and receives the folders.",
    )
    parser.add_argument("folders", nargs="*", help="folders to add and scan")
    parser.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    missing = [f for f in args.folders if not os.path.isdir(f)]
    if missing:
        print(f"fileorganizer gui: not a folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    folders = [os.path.abspath(f) for f in args.folders]
    if getattr(sys, "frozen", False):
        # the installed command line is built without Qt's start-up hook (build.spec): the
        # desktop executable beside it is the app
        gui = Path(sys.executable).with_name(GUI_EXECUTABLE + (".exe" if sys.platform == "win32" else ""))
        os.execv(gui, [str(gui), *folders])       # noqa: S606 - our own executable, no shell
    from app.gui.application import run

    return run(["fileorganizer-gui", *folders])
