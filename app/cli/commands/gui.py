"""`fileorganizer gui [FOLDER...]`: open the desktop app (optionally adding folders to scan)."""

from __future__ import annotations

import argparse
import os
import sys


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
    from app.gui.application import run

    return run(["fileorganizer-gui", *[os.path.abspath(f) for f in args.folders]])
