"""The terminal progress display (app.cli.console) and Ctrl+C handling."""

import io
import os
import signal
import subprocess
import sys
import time

import pytest

from app.cli.console import ProgressLine, format_snapshot, human_bytes, human_duration, parse_size
from app.core.progress import Progress, Snapshot
from tests.conftest import ROOT
from tests.windows_like import pythonpath

# A pseudo-terminal is POSIX only (the pty module needs termios, which Windows lacks).
needs_pty = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal (pty)")


def test_units():
    assert human_bytes(0) == "0 B"
    assert human_bytes(1536) == "1.5 KiB"
    assert human_bytes(3 * 2**30) == "3.0 GiB"
    assert parse_size("10k") == 10240 and parse_size("1.5M") == 1572864 and parse_size("2GiB") == 2 * 2**30
    assert parse_size("100") == 100
    with pytest.raises(ValueError):
        parse_size("ten")
    assert human_duration(75) == "1:15" and human_duration(3700) == "1:01:40"


def test_snapshot_line_has_stage_files_bytes_rate_eta():
    snap = Snapshot("compare", 500, 1000, 50 * 2**20, None, 2.0, 3)
    line = format_snapshot(snap)
    assert line.startswith("compare:")
    assert "500/1,000 files" in line and "50.0 MiB" in line and "250 files/s" in line
    assert "ETA 0:02" in line and "3 errors" in line


def test_progress_line_draws_only_on_a_terminal():
    off = io.StringIO()
    ProgressLine(off)(Snapshot("scan", 1, None, 0, None, 1.0, 0))
    assert off.getvalue() == ""                         # StringIO is not a tty
    on = io.StringIO()
    line = ProgressLine(on, enabled=True)
    progress = Progress(listener=line, min_interval=0)
    progress.stage("scan")
    progress.advance(10, 4096)
    assert "\rscan: 10 files" in on.getvalue()
    line.clear()
    assert on.getvalue().endswith("\r")


@needs_pty
def test_cli_shows_progress_on_a_tty_stderr(app_home, make_corpus):
    import pty

    root, _ = make_corpus(1500, seed=7, total_mb=6)
    master, slave = pty.openpty()
    env = {**os.environ, "FILEORGANIZER_HOME": str(app_home), "PYTHONPATH": pythonpath(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "dupes", str(root), "--format", "json",
                             "-o", os.devnull], stdout=subprocess.DEVNULL, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(60) == 0
    os.close(master)
    text = b"".join(chunks).decode(errors="replace")
    assert "scan:" in text or "compare:" in text


@needs_pty
def test_ctrl_c_cancels_cleanly(app_home, tmp_path):
    import pty

    root = tmp_path / "t"
    root.mkdir()
    for i in range(300):
        (root / f"d{i}").mkdir()
        for j in range(10):
            (root / f"d{i}" / f"{j}.txt").write_bytes(b"x" * (j + 1))
    env = {**os.environ, "FILEORGANIZER_HOME": str(app_home), "PYTHONPATH": pythonpath(ROOT)}
    master, slave = pty.openpty()              # a terminal stderr: progress lines tell when it runs
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "dupes", str(root), "--format", "json"],
                            stdout=subprocess.PIPE, stderr=slave, env=env, cwd=ROOT, text=True)
    os.close(slave)
    err = b""
    deadline = time.monotonic() + 30
    while b"scan:" not in err and time.monotonic() < deadline:
        err += os.read(master, 4096)
    proc.send_signal(signal.SIGINT)
    out = proc.communicate(timeout=60)[0]
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    text = err.decode(errors="replace")
    assert "Traceback" not in text
    if proc.returncode == 130:
        assert "Cancelled" in text
    else:                                            # it finished before the signal arrived
        assert proc.returncode == 0 and '"groups"' in out
    again = subprocess.run([sys.executable, "-m", "app.cli", "dupes", str(root), "--format", "fdupes"],
                           capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert again.returncode == 0
    assert len(again.stdout.strip().split("\n\n")) == 10     # sizes 1..10, 300 copies each
