"""`fileorganizer watch` in a subprocess: organizes arriving files, logs each action, stops on Ctrl+C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.windows_like import pythonpath

ROOT = Path(__file__).resolve().parents[2]

# Windows has no signals to send to another process: Ctrl+C reaches it only through its console,
# and terminate() ends it at once (no "Stopped."). The matrix's Windows job skips these two.
posix_signals = pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT/SIGTERM (POSIX)")


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def wait_for(cond, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


def start_watch(app_home: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "FILEORGANIZER_HOME": str(app_home), "PYTHONPATH": pythonpath(ROOT)}
    # -X faulthandler: a watcher that does not stop is made to print every thread's stack.
    # Ctrl+C as a terminal sends it, whatever started the tests: a shell without job control
    # starts its background jobs with SIGINT ignored, and a child inherits that (then Python has
    # no KeyboardInterrupt to give; `.ci/run &` in a script made both Ctrl+C tests hang).
    return subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "app.cli", "watch", *args], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_sigint_default if os.name == "posix" else None)  # noqa: PLW1509


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def stop(proc: subprocess.Popen, sig: int = signal.SIGINT) -> tuple[int, str, str]:
    proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.send_signal(getattr(signal, "SIGABRT", signal.SIGTERM))
        out, err = proc.communicate(timeout=30)
        pytest.fail(f"the watcher did not stop within 30 s; its threads:\n{err}\nits output:\n{out}")
    return proc.returncode, out, err


@posix_signals
def test_watch_organizes_logs_and_stops_on_ctrl_c(app_home, tmp_path, run_cli):
    inbox, dest = tmp_path / "in box", tmp_path / "dest"
    inbox.mkdir()
    (inbox / "waiting.pdf").write_bytes(b"was here before")          # caught up at start
    proc = start_watch(app_home, str(inbox), "--preset", "by-extension", "--dest", str(dest),
                       "--settle", "0.3")
    try:
        assert wait_for(lambda: tree(dest) == ["pdf/waiting.pdf"])
        (inbox / "new.txt").write_text("hello")
        (inbox / "big.iso.crdownload").write_bytes(b"partial")
        assert wait_for(lambda: tree(dest) == ["pdf/waiting.pdf", "txt/new.txt"])
    finally:
        code, out, err = stop(proc)
    assert code == 0, err
    assert f"move {inbox / 'new.txt'} -> {dest / 'txt' / 'new.txt'}" in out
    assert f"move {inbox / 'waiting.pdf'} -> {dest / 'pdf' / 'waiting.pdf'}" in out
    assert "Watching" in out and "Press Ctrl+C" in out and out.rstrip().endswith("Stopped.")
    assert tree(inbox) == ["big.iso.crdownload"]
    history = json.loads(run_cli("history", "--format", "json", check=True).stdout)
    assert {e["source"] for e in history} == {"watcher"}
    assert sum(e["done"] for e in history) == 2
    run_cli("undo", check=True)                                       # the newest watcher run
    assert "new.txt" in tree(inbox)


@posix_signals
def test_watch_stops_cleanly_on_sigterm(app_home, tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    proc = start_watch(app_home, str(inbox), "--preset", "by-extension", "--settle", "0.3")
    assert wait_for(lambda: proc.poll() is None and True, timeout=5)
    time.sleep(1.5)
    code, out, _ = stop(proc, signal.SIGTERM)
    assert code == 0 and "Stopped." in out


def test_watch_usage_errors(app_home, tmp_path, run_cli):
    missing = run_cli("watch", str(tmp_path / "nope"), "--preset", "by-extension")
    assert (missing.returncode, missing.stderr) == (
        2, f"fileorganizer: error: {tmp_path / 'nope'}: no such folder\n")
    (tmp_path / "in").mkdir()
    # issue 18.11: one line with the prefix, no stray quotes, and the names to choose from
    names = "by-category, by-date, by-extension, downloads-cleanup"
    bad_preset = run_cli("watch", str(tmp_path / "in"), "--preset", "no-such-preset")
    assert (bad_preset.returncode, bad_preset.stderr) == (
        2, f"fileorganizer: error: --preset no-such-preset: no such preset (choose one of {names})\n")
    no_name = run_cli("watch", str(tmp_path / "in"), "--preset")
    assert (no_name.returncode, no_name.stderr) == (
        2, f"fileorganizer: error: --preset needs a NAME: one of {names}\n")
    helped = run_cli("watch", "--help").stdout
    assert all(slug in helped for slug in names.split(", ")) and "--recursive" in helped
    bad_rules = tmp_path / "rules.json"
    bad_rules.write_text("{not json")
    bad = run_cli("watch", str(tmp_path / "in"), "--rules", str(bad_rules))
    assert bad.returncode == 2 and "rules.json" in bad.stderr
    both = run_cli("watch", str(tmp_path / "in"), "--preset", "by-extension", "--rules", str(bad_rules))
    assert both.returncode == 2


def test_watch_with_a_rules_file(app_home, tmp_path):
    inbox, dest = tmp_path / "in", tmp_path / "dest"
    inbox.mkdir()
    rules = tmp_path / "rules.toml"
    rules.write_text('version = 1\n[[rules]]\nname = "PDFs to Papers"\n'
                     '[[rules.conditions]]\ntype = "extension"\nextensions = ["pdf"]\n'
                     '[[rules.actions]]\ntype = "move"\nto = "Papers/{year}"\n')
    proc = start_watch(app_home, str(inbox), "--rules", str(rules), "--dest", str(dest), "--settle", "0.3")
    try:
        (inbox / "paper.pdf").write_bytes(b"%PDF-1.4")
        (inbox / "song.mp3").write_bytes(b"ID3")                       # no rule for it: stays
        assert wait_for(lambda: any(p.endswith("paper.pdf") for p in tree(dest)))
        time.sleep(1.0)
    finally:
        code, out, err = stop(proc)
    assert code == 0, err
    [placed] = tree(dest)
    assert placed.startswith("Papers/") and placed.endswith("/paper.pdf")
    assert tree(inbox) == ["song.mp3"]
