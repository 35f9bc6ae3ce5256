"""Runs the tray tests (test_tray_x11.py) for real: Xvfb on a free display, Debian's `trayer` as the
tray host, Qt on the xcb platform in a subprocess (this process's QApplication is offscreen)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INNER = "tests/gui/test_tray_x11.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("trayer")), reason="needs Xvfb and trayer"),
]


def _free_display() -> int:
    for n in range(120, 400):
        if not os.path.exists(f"/tmp/.X11-unix/X{n}") and not os.path.exists(f"/tmp/.X{n}-lock"):
            return n
    raise RuntimeError("no free X display number")


class XServer:
    """An Xvfb server, optionally with trayer providing the system tray."""

    def __init__(self, with_tray: bool) -> None:
        self.display = f":{_free_display()}"
        self.procs: list[subprocess.Popen] = []
        self.procs.append(
            subprocess.Popen(
                ["Xvfb", self.display, "-screen", "0", "1024x600x24", "-nolisten", "tcp"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        socket = Path(f"/tmp/.X11-unix/X{self.display[1:]}")
        deadline = time.monotonic() + 15
        while not socket.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not socket.exists():
            self.close()
            raise RuntimeError("Xvfb did not start")
        if with_tray:
            self.procs.append(
                subprocess.Popen(
                    [
                        "trayer",
                        "--edge",
                        "top",
                        "--align",
                        "right",
                        "--widthtype",
                        "request",
                        "--height",
                        "32",
                        "--transparent",
                        "false",
                        "--SetDockType",
                        "true",
                    ],
                    env={**os.environ, "DISPLAY": self.display},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            time.sleep(0.5)
            assert self.procs[-1].poll() is None, "trayer exited"

    def close(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def xserver(request):
    server = XServer(with_tray=request.param)
    yield server
    server.close()


def run_inner(display: str, tmp_path: Path, *args: str, env: dict | None = None):
    full_env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "FO_TRAY_TEST": "1",
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    full_env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            INNER,
            "--basetemp",
            str(tmp_path / "inner"),
            *args,
        ],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=240,
    )


@pytest.mark.parametrize("xserver", [True], indirect=True)
def test_tray_under_xvfb_with_trayer(xserver, tmp_path):
    shot = tmp_path / "tray-menu.png"
    proc = run_inner(xserver.display, tmp_path, "-k", "not no_tray", env={"FO_TRAY_SHOT": str(shot)})
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "6 passed" in proc.stdout, proc.stdout[-2000:]
    assert shot.exists() and shot.stat().st_size > 1000
    keep = os.environ.get("FO_TRAY_SHOT_KEEP")  # to look at the screenshot by hand
    if keep:
        shutil.copy(shot, keep)


@pytest.mark.parametrize("xserver", [False], indirect=True)
def test_without_a_tray_the_app_says_so_and_keeps_working(xserver, tmp_path):
    proc = run_inner(xserver.display, tmp_path, "-k", "no_tray", env={"FO_NO_TRAY": "1"})
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "1 passed" in proc.stdout, proc.stdout[-2000:]
