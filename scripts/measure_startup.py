"""Time from starting the (frozen) app to its window painted on screen, on X11.

    python scripts/measure_startup.py dist/FileOrganizerPro/FileOrganizerPro --runs 3

Starts a private Xvfb (black root, no window manager), then for each run starts the app with a fresh
FILEORGANIZER_HOME and grabs the screen every few milliseconds until pixels differ from the empty
screen: that is the first painted frame of the main window. Prints each run and the median, and
exits 1 if the window never appeared (so it doubles as "the app starts with the xcb plugin").
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def start_xvfb() -> tuple[subprocess.Popen, str]:
    """A private Xvfb server; returns it and its DISPLAY."""
    if not shutil.which("Xvfb"):
        raise SystemExit("Xvfb is not installed")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x900x24", "-br",
                             "-nolisten", "tcp"], pass_fds=(write_fd,), stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        raise SystemExit("Xvfb did not start")
    return proc, f":{number}"


def measure_once(executable: str, display: str, screen, timeout: float) -> float | None:
    """Seconds from launch to the first grab that differs from the empty screen, or None."""
    empty = screen.grabWindow(0).toImage()
    with tempfile.TemporaryDirectory(prefix="fileorganizer-startup-") as tmp:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "FILEORGANIZER_HOME": tmp,
               "HOME": tmp, "XDG_RUNTIME_DIR": tmp, "XDG_CONFIG_HOME": os.path.join(tmp, "config")}
        started = time.perf_counter()
        app = subprocess.Popen([executable], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            while time.perf_counter() - started < timeout:
                if screen.grabWindow(0).toImage() != empty:
                    return time.perf_counter() - started
                if app.poll() is not None:
                    err = app.stderr.read().decode(errors="replace")[-2000:] if app.stderr else ""
                    sys.stderr.write(f"the app exited with {app.returncode} before painting\n{err}\n")
                    return None
                time.sleep(0.005)
            return None
        finally:
            app.terminate()
            try:
                app.wait(10)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("executable", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args(argv)
    xvfb, display = start_xvfb()
    try:
        os.environ["DISPLAY"] = display
        os.environ["QT_QPA_PLATFORM"] = "xcb"
        from PySide6.QtGui import QGuiApplication

        qapp = QGuiApplication([sys.argv[0]])
        screen = qapp.primaryScreen()
        times = []
        for run in range(1, args.runs + 1):
            seconds = measure_once(str(args.executable.resolve()), display, screen, args.timeout)
            if seconds is None:
                print(f"run {run}: no window within {args.timeout:.0f} s")
                return 1
            times.append(seconds)
            print(f"run {run}: window painted after {seconds:.2f} s")
        print(f"median start to painted window: {statistics.median(times):.2f} s over {len(times)} runs")
        return 0
    finally:
        xvfb.terminate()
        xvfb.wait()


if __name__ == "__main__":
    sys.exit(main())
