"""`fileorganizer` exits with its command's code, and everything it printed arrives whole."""

import os
import shutil
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


def _tree(tmp_path):
    (tmp_path / "t").mkdir()
    for name in ("a.txt", "b.txt"):
        (tmp_path / "t" / name).write_text("same")
    return str(tmp_path / "t")


def test_an_output_file_that_cannot_be_written_is_one_line_and_exit_2(run_cli, tmp_path):
    """Issue 18.6: `dupes -o /missing/x.json` and `dupes -o SOMEDIR` ended in a traceback."""
    tree = _tree(tmp_path)
    missing = tmp_path / "missing" / "x.json"
    for command in (["dupes", tree, "--format", "json"], ["report", tree, "--format", "json"]):
        for target, why in ((missing, f"the folder {missing.parent} does not exist"),
                            (tmp_path, "is a folder; give a file name")):
            proc = run_cli(*command, "-o", str(target))
            assert (proc.returncode, proc.stdout) == (2, ""), proc.stderr
            assert proc.stderr == f"fileorganizer: error: {target}: {why}\n"
    assert not missing.parent.exists()


def test_no_permission_to_write_the_output_is_one_line_and_exit_2(tmp_path_factory):
    from tests.cli.unprivileged import run_as_nobody, shared_dir, skip_unless_possible

    python = skip_unless_possible()
    home = shared_dir(tmp_path_factory)
    try:
        tree = _tree(home)
        locked = home / "locked"
        locked.mkdir(mode=0o555)
        taken = home / "taken.json"
        taken.write_text("{}")
        os.chmod(taken, 0o444)
        for command in (["dupes", tree, "--format", "json"], ["report", tree, "--format", "json"]):
            proc = run_as_nobody(python, home, *command, "-o", str(locked / "x.json"))
            assert proc.returncode == 2 and proc.stderr == (
                f"fileorganizer: error: {locked / 'x.json'}: no permission to write in {locked}\n")
            proc = run_as_nobody(python, home, *command, "-o", str(taken))
            denied = f"fileorganizer: error: {taken}: permission denied\n"
            assert (proc.returncode, proc.stderr) == (2, denied)
        assert os.listdir(locked) == [] and taken.read_text() == "{}"
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_a_closed_pipe_ends_every_command_quietly_with_exit_0(app_home, tmp_path):
    """Issue 18.7: `report ... | head -1` printed 'None: Broken pipe' and exited 1."""
    _pairs(tmp_path / "t", 1500)
    env = {**os.environ, "FILEORGANIZER_HOME": str(app_home), "PYTHONPATH": pythonpath(ROOT)}
    for command in ("report '{t}' --format csv -q", "report '{t}' --format json -q",
                    "dupes '{t}' --format csv -q", "dupes '{t}' -q"):
        line = command.format(t=tmp_path / "t")
        proc = subprocess.run(["bash", "-c", f"'{sys.executable}' -m app.cli {line} | head -1; "
                               "exit ${PIPESTATUS[0]}"], capture_output=True, text=True, cwd=ROOT,
                              env=env, timeout=120)
        assert (proc.returncode, proc.stderr) == (0, ""), (line, proc.stderr)
        assert len(proc.stdout.splitlines()) == 1
