"""The recovery job: crashed runs are decided from the disk; runs alive in another process are left alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.ops.execute import DONE, PLANNED, SKIPPED, execute
from app.core.ops.plan import FileState, Operation, OpKind, Plan
from app.jobs.recovery import recover
from app.store.journal import JournalStore

ROOT = Path(__file__).resolve().parents[2]


class Crash(BaseException):
    """Stands for the process dying (nothing catches it)."""


class CrashingStore(JournalStore):
    """Dies on the n-th confirmation, like a kill -9 after acting but before confirming."""

    def __init__(self, db, crash_at: int = 1):
        super().__init__(db)
        self.calls, self.crash_at = 0, crash_at

    def mark(self, entry_id, records):
        self.calls += 1
        if self.calls >= self.crash_at:
            raise Crash()
        super().mark(entry_id, records)

    def die(self):
        for lock in self._locks.values():     # the kernel drops a dead process's locks
            lock.release(remove=False)
        self._locks.clear()


def moves(tmp_path: Path, n: int) -> Plan:
    ops = []
    for i in range(n):
        src = tmp_path / "in" / f"f{i}"
        src.parent.mkdir(exist_ok=True)
        src.write_text(str(i))
        ops.append(Operation(OpKind.MOVE, str(src), str(tmp_path / "out" / f"f{i}"),
                             expect=FileState.of(str(src))))
    return Plan("organizer", ops)


def test_crash_after_acting_before_confirming_is_completed_from_disk(tmp_path, db):
    store = CrashingStore(db, crash_at=2)
    plan = moves(tmp_path, 12)
    with pytest.raises(Crash):
        execute(plan, store, batch_ops=5, batch_seconds=3600)
    entry = store.running()[0]
    states = [r.state for r in JournalStore(db).records(entry)]
    assert states == [DONE] * 5 + [PLANNED] * 7             # 10 moved, only 5 confirmed
    assert recover(db).entries == []                        # still "alive": its lock is held
    store.die()
    result = recover(db)
    assert result.entries == [entry] and result.completed == 5 and result.rolled_back == 2
    recs = JournalStore(db).records(entry)
    assert [r.state for r in recs] == [DONE] * 10 + [SKIPPED] * 2
    for r in recs:
        assert os.path.exists(r.op.dst if r.state == DONE else r.op.src)
    assert JournalStore(db).entry(entry).status == "partial"
    assert recover(db).entries == []                        # nothing left


# A run that began in another process and is still going: it holds its run's lock until it ends.
RUN_IN_FLIGHT = """
import sys
from app.store.db import open_database
from app.store.journal import JournalStore
db = open_database()
print(JournalStore(db).begin("a" * 32, "organizer", "held elsewhere"), flush=True)
sys.stdin.read()                 # runs until the test closes our stdin or kills us
"""


def test_a_run_in_flight_in_another_process_is_not_touched(tmp_path, db, app_home):
    env = {**os.environ, "FILEORGANIZER_HOME": str(app_home)}
    holder = subprocess.Popen([sys.executable, "-c", RUN_IN_FLIGHT], env=env, cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        entry = int(holder.stdout.readline())
        assert recover(db).entries == []
        assert JournalStore(db).entry(entry).status == "running"
    finally:
        holder.kill()                   # dies in the middle of its run, like kill -9
        holder.wait()
    assert recover(db).entries == [entry]
    assert JournalStore(db).entry(entry).status == "failed"    # crashed before recording any operation


def test_every_cli_command_recovers_first(tmp_path, db, run_cli):
    store = CrashingStore(db, crash_at=1)
    with pytest.raises(Crash):
        execute(moves(tmp_path, 3), store, batch_ops=2, batch_seconds=3600)
    store.die()
    proc = run_cli("history")
    assert proc.returncode == 0
    assert "Recovered interrupted run #1: 2 operation(s) completed, 1 not done." in proc.stderr
    assert "#1" in proc.stdout and "running" not in proc.stdout
    assert JournalStore(db).running() == []


def test_folders_created_by_a_crashed_run_are_removed_by_its_undo(tmp_path, db):
    from app.jobs.undo import undo

    store = CrashingStore(db, crash_at=1)
    plan = moves(tmp_path, 6)
    for i, op in enumerate(plan.operations):
        op.dst = str(tmp_path / "new" / f"sub{i % 2}" / f"f{i}")
    made = str(tmp_path / "new" / "made")
    plan.operations.insert(0, Operation(OpKind.MKDIR, made, made))
    with pytest.raises(Crash):
        execute(plan, store, batch_ops=100, batch_seconds=3600)     # all done, nothing confirmed
    store.die()
    assert recover(db).completed == 7
    u = undo(db)
    assert u.problems == [] and not (tmp_path / "new").exists()
    assert sorted(os.listdir(tmp_path / "in")) == [f"f{i}" for i in range(6)]


def test_first_start_looks_for_crashed_runs_without_creating_a_database(app_home):
    """A new user's first command has nothing to recover; the database is made by the command
    that needs it, once."""
    from app import paths
    from app.jobs.recovery import recover_at_start

    assert recover_at_start() == ""
    assert not paths.database_path().exists()


def test_looking_for_crashed_runs_does_not_load_the_executor(db, app_home):
    """Every command starts with this look: with nothing to recover it reads the journal
    (``store.journal``, ``core.ops.journal_record``) without importing ``core.ops.execute`` and the
    file operations behind it."""
    code = ("import sys\nfrom app.jobs.recovery import recover_at_start\n"
            "assert recover_at_start() == ''\n"
            "print(sorted(m for m in ('app.core.ops.execute', 'app.core.ops.fileops', "
            "'app.core.ops.recover') if m in sys.modules))")
    env = {**os.environ, "FILEORGANIZER_HOME": str(app_home)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=Path(__file__).resolve().parents[2], timeout=60, check=True).stdout
    assert out.strip() == "[]"
