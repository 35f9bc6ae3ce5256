"""macOS: a LaunchAgent property list in ~/Library/LaunchAgents."""

from __future__ import annotations

import os
import plistlib
from pathlib import Path

LAUNCH_AGENT_LABEL = "com.fileorganizerpro.app"


def launch_agent_plist(argv: list[str]) -> bytes:
    """The LaunchAgent property list (XML) that runs `argv` when the user logs in."""
    return plistlib.dumps(
        {
            "Label": LAUNCH_AGENT_LABEL,
            "ProgramArguments": list(argv),
            "RunAtLoad": True,
            "ProcessType": "Interactive",
            "LimitLoadToSessionType": "Aqua",
        },
        fmt=plistlib.FMT_XML,
        sort_keys=False,
    )


def launch_agent_path() -> Path:
    """~/Library/LaunchAgents/com.fileorganizerpro.app.plist"""
    return Path(os.path.expanduser("~")) / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"
