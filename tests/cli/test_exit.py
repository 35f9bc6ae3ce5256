"""`fileorganizer` exits with its command's code, and everything it printed arrives whole."""

import subprocess
import sys

from tests.conftest import ROOT
from tests.windows_like import pythonpath


def _pairs(folder, n):
    folder.mkdir()
    for i in range(n):
        data = f"content {i} ".encode() * 40
        (folder / f"a{i:04d}.txt").write_bytes(data)
        (folder / f"b{i:04d}.txt").write_bytes(data)


def test_large_output_to_a_pipe_arrives_whole_with_the_exit_code(run_cli, tmp_path):
    _pairs(tmp_path / "t", 1500)                    # ~200 KB of paths: more than a pipe holds
    proc = run_cli("dupes", str(tmp_path / "t"), "--format", "fdupes")
    assert proc.returncode == 0, proc.stderr
    groups = [g for g in proc.stdout.split("\n\n") if g.strip()]
    assert len(groups) == 1500 and all(len(g.split("\n")) == 2 for g in groups)
    assert run_cli("dupes", str(tmp_path / "missing")).returncode == 2


def test_a_reader_that_stops_early_gets_no_traceback(app_home, tmp_path):
    _pairs(tmp_path / "t", 1500)
    env = {"FILEORGANIZER_HOME": str(app_home), "PYTHONPATH": pythonpath(ROOT)}
    proc = subprocess.run(f"'{sys.executable}' -m app.cli dupes '{tmp_path / 't'}' --format fdupes | head -1",
                          shell=True, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert proc.stdout.strip().endswith(".txt")
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr


def test_each_command_module_registers_the_command_of_its_name():
    """``main`` registers only the command a command line names, found by its module's name."""
    from app.cli import build_parser, command_names

    full = build_parser()
    sub = next(a for a in full._actions if a.dest == "command")
    assert sorted(sub.choices) == command_names()
    for name in command_names():
        one = next(a for a in build_parser(only=name)._actions if a.dest == "command")
        assert list(one.choices) == [name]
