"""kill -9 in the middle of a big CLI run, then the next command recovers: no file lost or doubled.

The run is `fileorganizer undo` of a journaled move of N files (part of them across devices
to /dev/shm), killed while it works. The next `fileorganizer history` recovers first.
Afterwards every file is at exactly one of its two places with its bytes, no temporary name
is left, and the journal agrees with the disk.

When to kill is decided by the run's progress in the journal, not by the clock: a run takes
0.4 s on an idle machine and several seconds on a loaded one, so a random delay would kill
after the end on one and always during start-up on the other. ``kill_point`` picks a phase
(start-up, journaling, or after a random number of confirmed operations) and
``wait_for_progress`` polls the database until the run gets there.

FO_KILL_RUNS=20 runs the 10,000-file variant 20 times (the suite runs it once) and the
`dupes --action trash` variant 20 times (the suite runs it twice).

Each randomized run prints its seed; FO_TEST_SEED=<seed> runs it again with the same trees and
kill points (where a kill lands between two journal polls still depends on the machine).
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from app.core.ops import trash
from app.core.ops.execute import execute
from app.core.ops.plan import FileState, Operation, OpKind, Plan
from app.store.db import open_database
from app.store.journal import JournalStore
from tests.windows_like import pythonpath

ROOT = Path(__file__).resolve().parents[2]


def make_tree(root: Path, n: int, seed: int) -> dict[str, bytes]:
    rnd = random.Random(seed)
    files = {}
    for i in range(n):
        rel = f"d{i % 37}/s{i % 5}/file {i}.{rnd.choice(['txt', 'jpg', 'bin'])}"
        data = f"{i}:{rnd.random()}".encode() * rnd.randint(1, 40)
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        files[rel] = data
    return files


def contents(*roots: Path) -> Counter:
    out: Counter = Counter()
    for root in roots:
        for dirpath, _dirs, names in os.walk(root):
            for name in names:
                out[Path(dirpath, name).read_bytes()] += 1
    return out


def temp_names(*roots: Path) -> list[str]:
    return [n for root in roots for _d, _s, names in os.walk(root) for n in names if n.startswith(".fo-")]


def wait_for_progress(db_path: Path, proc: subprocess.Popen, source: str, done: int = 0,
                      timeout: float = 300) -> bool:
    """Poll until a running history entry of `source` has at least `done` confirmed operations
    (done=0: as soon as it is running). False when the process ended first or on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1)
            try:
                row = con.execute("SELECT id FROM history WHERE source=? AND status='running'",
                                  (source,)).fetchone()
                if row and (done <= 0 or con.execute(
                        "SELECT count(*) FROM journal WHERE history_id=? AND state='done'",
                        row).fetchone()[0] >= done):
                    return True
            finally:
                con.close()
        except sqlite3.Error:
            pass
        time.sleep(0.002)
    return False


def kill_point(rnd: random.Random, n: int) -> tuple[str, int]:
    """Where to kill a run of about `n` operations: ("startup", 0) while the command starts and
    recovers, ("journal", 0) once its entry is running (writing the plan), ("acting", k) after k
    confirmed operations (confirmations come in batches, so operations after the k-th are done
    on disk but not confirmed yet: what recovery has to sort out)."""
    mode = rnd.random()
    if mode < 0.1:
        return "startup", 0
    if mode < 0.2:
        return "journal", 0
    return "acting", rnd.randint(1, max(1, n * 3 // 4))


def kill_at(proc: subprocess.Popen, db_path: Path, source: str, point: tuple[str, int],
            rnd: random.Random) -> bool:
    """Wait for `point` of the run and kill -9 it there; True if it was still running."""
    phase, done = point
    if phase == "startup":
        time.sleep(rnd.uniform(0, 0.2))
    else:
        wait_for_progress(db_path, proc, source, done)
    killed = proc.poll() is None
    if killed:
        proc.kill()                 # SIGKILL; TerminateProcess on Windows
    proc.wait(60)
    return killed


def replay_seed(run: int = 0) -> int:
    """The seed of randomized run `run`: FO_TEST_SEED (to replay a failure) or the clock, plus
    `run`, printed so that the output of a failed run says how to replay it."""
    fixed = os.environ.get("FO_TEST_SEED")
    base = int(fixed) if fixed else time.time_ns() % 2**32
    print(f"random seed {base + run} (replay: FO_TEST_SEED={base})")
    return base + run


needs_shm = pytest.mark.skipif(not os.path.isdir("/dev/shm"),
                               reason="moves across devices to /dev/shm (Linux)")


def one_kill_run(base: Path, home: Path, n: int, cross: int, seed: int) -> dict:
    rnd = random.Random(seed)
    src_root, dst_root = base / "src", base / "dst"
    shm_root = Path(os.path.realpath("/dev/shm")) / f"fo-kill-{os.getpid()}-{seed}"
    files = make_tree(src_root, n, seed)
    before = Counter(files.values())
    env = {**os.environ, "FILEORGANIZER_HOME": str(home), "PYTHONPATH": pythonpath(ROOT),
           "XDG_DATA_HOME": str(base / "xdg")}
    os.environ["FILEORGANIZER_HOME"] = str(home)
    try:
        db = open_database()
        ops = []
        for i, rel in enumerate(sorted(files)):
            target = (shm_root if i < cross else dst_root) / rel
            src = str(src_root / rel)
            ops.append(Operation(OpKind.MOVE, src, str(target), expect=FileState.of(src)))
        first = execute(Plan("organizer", ops), JournalStore(db))
        assert first.done == n, first.problems[:5]
        db.close()

        point = kill_point(rnd, n)
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", "undo"], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed = kill_at(proc, home / "data" / "fileorganizer.db", "undo", point, rnd)

        check = subprocess.run([sys.executable, "-m", "app.cli", "history"], env=env, cwd=ROOT,
                               capture_output=True, text=True, timeout=300)
        assert check.returncode == 0, check.stderr

        roots = [r for r in (src_root, dst_root, shm_root) if r.exists()]
        assert contents(*roots) == before, "the multiset of file contents changed"
        assert temp_names(*roots) == [], "a temporary name was left behind"
        for i, rel in enumerate(sorted(files)):
            places = [(r / rel) for r in (src_root, shm_root if i < cross else dst_root)]
            present = [p for p in places if p.exists()]
            assert len(present) == 1, f"{rel} is at {len(present)} places"
            assert present[0].read_bytes() == files[rel]

        db = open_database()
        store = JournalStore(db)
        assert store.running() == []
        orig = store.entries(10)[-1]
        for r in store.records(orig.id):
            at_src = os.path.exists(r.op.src)
            assert (r.state == "undone") == at_src, (r.state, r.op.src)
        db.close()
        return {"killed": killed, "point": point, "recovered": check.stderr}
    finally:
        shutil.rmtree(shm_root, ignore_errors=True)


@needs_shm
@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_kill_9_during_a_10000_file_undo(tmp_path, app_home):
    runs = int(os.environ.get("FO_KILL_RUNS", "1"))
    outcomes = []
    for k in range(runs):
        for attempt in range(3):     # a run that ended before its kill point was not killed: again
            base = tmp_path / f"run{k}-{attempt}"
            home = base / "home"
            home.mkdir(parents=True)
            seed = replay_seed(1000 * k + attempt)
            outcome = one_kill_run(base, home, 10_000, 300, seed=seed)
            shutil.rmtree(base)
            print("kill -9 run:", outcome["killed"], outcome["point"], outcome["recovered"].strip())
            if outcome["killed"]:
                break
        outcomes.append(outcome)
    assert all(o["killed"] for o in outcomes)


@needs_shm
def test_kill_9_during_a_small_undo(tmp_path, app_home):
    for k in range(2):
        base = tmp_path / f"run{k}"
        home = base / "home"
        home.mkdir(parents=True)
        one_kill_run(base, home, 1500, 100, seed=k)


@pytest.mark.skipif(not trash.FREEDESKTOP, reason="checks the freedesktop trash's files/info pairs and undo")
@pytest.mark.parametrize("seed", range(int(os.environ.get("FO_KILL_RUNS", "2"))))
def test_kill_9_during_dupes_trash(tmp_path, app_home, seed):
    """`dupes --action trash` killed mid-run: each copy is in place or in the trash, never both or neither."""
    rnd = random.Random(replay_seed(seed))
    n = 1500
    a, b, xdg = tmp_path / "a", tmp_path / "b", tmp_path / "xdg"
    for i in range(n):
        for root in (a, b):
            p = root / f"d{i % 20}" / f"f{i}.dat"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(f"copy {i} ".encode() * (1 + i % 7))
    before = contents(a, b)
    env = {**os.environ, "FILEORGANIZER_HOME": str(app_home), "PYTHONPATH": pythonpath(ROOT),
           "XDG_DATA_HOME": str(xdg)}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "dupes", str(a), str(b), "-q", "--keep",
                             "first-root", "--action", "trash", "--yes"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    point = kill_point(rnd, n)
    killed = kill_at(proc, app_home / "data" / "fileorganizer.db", "duplicates", point, rnd)
    check = subprocess.run([sys.executable, "-m", "app.cli", "history"], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stderr
    print("dupes kill -9 run:", killed, point, check.stderr.strip() or "(nothing to recover)")
    trash_files, trash_info = xdg / "Trash" / "files", xdg / "Trash" / "info"
    in_trash = sorted(os.listdir(trash_files)) if trash_files.exists() else []
    infos = sorted(n[: -len(".trashinfo")] for n in os.listdir(trash_info)) if trash_info.exists() else []
    assert in_trash == infos, "a trash entry without its info file (or the reverse)"
    assert contents(a, b) + contents(trash_files) == before
    assert all((a / f"d{i % 20}" / f"f{i}.dat").exists() for i in range(n))     # kept copies untouched
    assert temp_names(a, b) == []
    # and undo brings back every trashed copy
    undone = subprocess.run([sys.executable, "-m", "app.cli", "undo"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    if in_trash:
        assert undone.returncode == 0, undone.stderr
    assert contents(a, b) == before and (not trash_files.exists() or os.listdir(trash_files) == [])


def organize_kill_run(base: Path, n: int, seed: int) -> str:
    """`organize --apply` of n files (a tree made from `seed`) killed at a random moment, chosen
    from a printed replayable seed; checks everything after recovery."""
    rnd = random.Random(replay_seed(seed))
    tree, home = base / "tree", base / "home"
    home.mkdir(parents=True)
    files = make_tree(tree, n, seed)
    before = Counter(files.values())
    env = {**os.environ, "FILEORGANIZER_HOME": str(home), "PYTHONPATH": pythonpath(ROOT),
           "XDG_DATA_HOME": str(base / "xdg")}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "organize", str(tree), "--preset",
                             "by-category", "--apply", "-q"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    point = kill_point(rnd, n)
    killed = kill_at(proc, home / "data" / "fileorganizer.db", "organizer", point, rnd)
    check = subprocess.run([sys.executable, "-m", "app.cli", "history"], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stderr
    assert contents(tree) == before, "the multiset of file contents changed"
    assert temp_names(tree) == []
    os.environ["FILEORGANIZER_HOME"] = str(home)
    db = open_database()
    try:
        store = JournalStore(db)
        assert store.running() == []
        entries = store.entries(5)
        if entries:
            for r in store.records(entries[0].id):
                at_src, at_dst = os.path.exists(r.op.src), bool(r.op.dst) and os.path.exists(r.op.dst)
                assert at_src != at_dst, f"{r.op.src} is at {int(at_src) + int(at_dst)} places"
                assert (r.state == "done") == at_dst, (r.state, r.op.src)
    finally:
        db.close()
    return f"{killed} {point} {check.stderr.strip() or '(nothing to recover)'}"


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_kill_9_during_a_10000_file_organize_apply(tmp_path, app_home):
    for k in range(int(os.environ.get("FO_KILL_RUNS", "1"))):
        print("organize kill -9 run:", organize_kill_run(tmp_path / f"run{k}", 10_000, seed=k))
        shutil.rmtree(tmp_path / f"run{k}")


def test_kill_9_during_a_small_organize_apply(tmp_path, app_home):
    print("organize kill -9 run:", organize_kill_run(tmp_path / "run", 2000, seed=5))
