"""Runs at the start of every Python process that has this folder on PYTHONPATH: applies the
Windows-like test mode when FILEORGANIZER_TEST_WINDOWS_LIKE=1 (see __init__.py here)."""

import os

if os.environ.get("FILEORGANIZER_TEST_WINDOWS_LIKE") == "1":
    import windows_like_mode

    windows_like_mode.apply()
