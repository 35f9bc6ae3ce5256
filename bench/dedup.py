#!/usr/bin/env python3
"""Benchmark the duplicate finder against jdupes, rdfind and rmlint on one mkcorpus.py tree.

Usage:
  python bench/dedup.py [--corpus /tmp/bench/c100k] [--files 100000] [--total-mb 1024] [--repeat 3]
                        [--cold] [--cores 1,all] [--markdown-out FILE]
  python bench/dedup.py --corpus /tmp/bench/c1m --files 1000000 --total-mb 1024 --seed 2 [--scan-only]

The corpus is built once (shared/bench/mkcorpus.py) and reused. Without --cold the page cache
is warmed once (every file read) before the runs; with --cold (root) it is dropped before each
run (`sync; echo 3 > /proc/sys/vm/drop_caches`). --cores runs everything once per setting:
`1` under `taskset -c 0`, `N` under `taskset -c 0-(N-1)`, `all` unrestricted.

Per tool and core setting, each of --repeat runs: wall time, CPU user+sys of the process tree,
and peak memory of the whole job (summed VmRSS of the process and its descendants, sampled every
~20 ms; our command spawns hashing processes) beside the largest single process; ratios to
jdupes; duplicate groups found (ours must equal jdupes'). `fileorganizer dupes` runs with an
empty index (first run), then again on the unchanged tree (rerun). Then, once per core setting,
an in-process run split into stages (walk, hash, group, output), and once, the longest wait of
a second process writing a setting every 10 ms into our database during a first run.
--scan-only measures `fileorganizer scan` (first run, rerun) and the index size instead.
Every section is a Markdown table on stdout; --markdown-out also writes them to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_common as bc
from bench_common import REPO, Measured, Report

OURS_FIRST, OURS_RERUN = "fileorganizer dupes (first run)", "fileorganizer dupes (rerun)"
OK_CODES = (0, 1)                  # 1: some files could not be read (still a complete answer)

STAGES_SCRIPT = r"""
import time
begun = time.perf_counter()
import json, subprocess, sys
from app.cli.commands.dupes import write_report
from app.core.progress import Progress
from app.jobs.duplicates import find_duplicates
from app.store.db import open_database
tree, out, cold = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
db = open_database()
rows, startup = [], time.perf_counter() - begun
for label in ("first run", "rerun"):
    if cold:
        subprocess.run(["sync"], check=True)
        with open("/proc/sys/vm/drop_caches", "w") as fh:
            fh.write("3\n")
    started = time.perf_counter()
    result = find_duplicates(db, [tree], progress=Progress())
    found = time.perf_counter()
    write_report(result, "fdupes", out)
    rows.append({"run": label, **result.timings, "output": time.perf_counter() - found,
                 "total": time.perf_counter() - started, "groups": len(result.groups),
                 "hashed": result.hashed_files, "startup": startup})
    startup = None
db.close()
print(json.dumps(rows))
"""

WRITER_SCRIPT = r"""
import json, sqlite3, sys, time
from pathlib import Path
from app import paths
from app.store.db import open_database
stop, path = Path(sys.argv[1]), paths.database_path()

def created():
    if not path.exists():
        return False
    conn = sqlite3.connect(path, timeout=30)
    try:
        return (conn.execute("PRAGMA user_version").fetchone()[0] or 0) > 0
    except sqlite3.Error:
        return False
    finally:
        conn.close()

while not created():                    # the command under test creates the database
    if stop.exists():
        print(json.dumps({"count": 0, "errors": 0}))
        sys.exit(0)
    time.sleep(0.005)
db = open_database(path)
waits, errors = [], 0
while not stop.exists():
    started = time.perf_counter()
    try:
        db.set_setting("bench.concurrent_writer", len(waits))
    except sqlite3.Error:
        errors += 1
    waits.append(time.perf_counter() - started)
    time.sleep(0.01)
db.close()
waits.sort()
print(json.dumps({"count": len(waits), "errors": errors, "max": waits[-1] if waits else 0,
                  "median": waits[len(waits) // 2] if waits else 0,
                  "p99": waits[int(len(waits) * 0.99)] if waits else 0}))
"""


def fileorganizer() -> list[str]:
    """The installed `fileorganizer` command beside this Python, else `python -m app.cli`."""
    script = Path(sys.executable).parent / "fileorganizer"
    return [str(script)] if script.exists() else [sys.executable, "-m", "app.cli"]


def our_env(home: Path) -> dict:
    """Our command's environment: its own home, and cached bytecode as an installed copy has
    (pip compiles on install; PYTHONDONTWRITEBYTECODE would add ~0.1 s of compiling to every run)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "FILEORGANIZER_HOME": str(home), "PYTHONPATH": str(REPO)}


def index_mib(home: Path) -> float:
    """Our index on disk, its write-ahead log checkpointed first."""
    db = home / "data" / "fileorganizer.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return sum(p.stat().st_size for p in db.parent.glob("fileorganizer.db*")) / 2**20


class Runs:
    """Measurements per (tool, cores), in the order first seen, with each tool's group count."""

    def __init__(self) -> None:
        self.runs: dict[tuple[str, str], list[Measured]] = {}
        self.groups: dict[tuple[str, str], int] = {}
        self.differ: dict[tuple[str, str], int] = {}     # most groups not in jdupes' answer, or not found

    def add(self, tool: str, cores: str, m: Measured, groups: int | None = None) -> None:
        self.runs.setdefault((tool, cores), []).append(m)
        if groups is not None:
            self.groups[(tool, cores)] = groups

    def wall(self, tool: str, cores: str) -> float | None:
        runs = self.runs.get((tool, cores))
        return statistics.median(m.wall for m in runs) if runs else None

    def cells(self, tool: str, cores: str) -> list[str]:
        """Median wall, each run's wall, median CPU, peak job memory, largest process."""
        ms = self.runs[(tool, cores)]
        return [f"{self.wall(tool, cores):.2f}", " / ".join(f"{m.wall:.2f}" for m in ms),
                f"{statistics.median(m.cpu for m in ms):.2f}", f"{max(m.peak_sum_mib for m in ms):,.0f}",
                f"{max(m.peak_one_mib for m in ms):,.0f}"]

    def load(self, tool: str, cores: str) -> str:
        return f"{statistics.median(m.load for m in self.runs[(tool, cores)]):.1f}"


class Bench:
    """One benchmark session: the tree, the settings, a scratch folder and the report."""

    def __init__(self, args: argparse.Namespace, work: Path, report: Report) -> None:
        self.a, self.tree, self.work, self.report = args, args.corpus.resolve(), work, report
        self.cores = [c.strip() for c in args.cores.split(",") if c.strip()]
        self.cache = "cold cache (dropped before each run)" if args.cold else \
            "warm page cache (every file read once before the runs)"
        self.cache_short = "cold cache" if args.cold else "warm cache"

    def timed(self, cmd: list[str], cores: str, **kw) -> Measured:
        if self.a.cold:
            bc.drop_caches()
        return bc.measure(bc.taskset(cores) + cmd, ok_codes=OK_CODES, **kw)

    def peers(self) -> list[tuple[str, list[str], Path, bool]]:
        """(name, command, result file, rdfind format) of each other tool installed; jdupes
        prints its groups, the others write them to a file."""
        found = []
        if shutil.which("jdupes"):
            found.append(("jdupes", ["jdupes", "-r", "-q", str(self.tree)], self.work / "jdupes.out", False))
        if shutil.which("rdfind"):
            rd = self.work / "rdfind.txt"
            found.append(("rdfind", ["rdfind", "-dryrun", "true", "-outputname", str(rd), str(self.tree)],
                          rd, True))
        if shutil.which("rmlint"):
            rm = self.work / "rmlint.txt"
            found.append(("rmlint", ["rmlint", "-T", "df", "-o", f"fdupes:{rm}", str(self.tree)], rm, False))
        return found

    def dupes(self) -> Runs:
        runs, out, index = Runs(), self.work / "ours.txt", None
        peers = self.peers()
        for cores in self.cores:
            for i in range(self.a.repeat):
                for name, cmd, result, rd in peers:
                    with open(self.work / f"{name}.out", "wb") as fh:
                        m = self.timed(cmd, cores, stdout=fh, cwd=self.work)
                    runs.add(name, cores, m, bc.count_groups(result, rd))
                home = self.work / f"home-{cores}-{i}"
                cmd = fileorganizer() + ["dupes", str(self.tree), "--format", "fdupes", "-o", str(out), "-q"]
                theirs = bc.group_sets(self.work / "jdupes.out") if shutil.which("jdupes") else None
                for label in (OURS_FIRST, OURS_RERUN):
                    runs.add(label, cores, self.timed(cmd, cores, env=our_env(home)), bc.count_groups(out))
                    if theirs is not None:
                        differ = len(bc.group_sets(out) ^ theirs)
                        runs.differ[(label, cores)] = max(differ, runs.differ.get((label, cores), 0))
                index = index_mib(home)
                shutil.rmtree(home)
        self.report.add(self.dupes_table(runs, index))
        return runs

    def dupes_table(self, runs: Runs, index: float | None) -> str:
        rows = []
        for tool in dict.fromkeys(t for t, _ in runs.runs):
            for cores in self.cores:
                ms = runs.runs.get((tool, cores))
                if not ms:
                    continue
                wall, base, one = runs.wall(tool, cores), runs.wall("jdupes", cores), runs.wall(tool, "1")
                groups = runs.groups.get((tool, cores))
                rows.append([tool, cores, *runs.cells(tool, cores), str(max(m.processes for m in ms)),
                             f"{wall / base:.2f}x" if base else "",
                             f"{one / wall:.2f}x" if one and cores != "1" else "",
                             "" if groups is None else f"{groups:,}", runs.load(tool, cores)])
        lines = [f"### Duplicate finders: {self.cache}, median of {self.a.repeat}", "",
                 bc.md_table(["tool", "cores", "wall (s)", "each run (s)", "CPU user+sys (s)",
                              "peak memory, all processes (MiB)", "largest process (MiB)", "processes",
                              "wall vs jdupes", "speed-up vs 1 core", "groups", "load (1 min)"], rows, 1)]
        if index is not None:
            lines += ["", f"Our index on disk after the rerun: {index:,.1f} MiB."]
        manifest = self.tree.with_name(self.tree.name + ".manifest.json")
        if manifest.exists():
            true = len(json.loads(manifest.read_text(encoding="utf-8"))["duplicate_groups"])
            lines += [f"The corpus manifest lists {true:,} duplicate groups (hard links left out)."]
        if runs.differ and not any(runs.differ.values()):
            lines.append("Our groups equal jdupes' file for file (hard links of one inode count once) "
                         "in every run.")
        first_target = 0.8 if self.a.cold else 1.0
        for cores in self.cores:
            theirs, base = runs.groups.get(("jdupes", cores)), runs.wall("jdupes", cores)
            for label, target in ((OURS_FIRST, first_target), (OURS_RERUN, 0.4)):
                ours, wall = runs.groups.get((label, cores)), runs.wall(label, cores)
                if theirs is not None and ours is not None and ours != theirs:
                    lines.append(f"**WARNING**: {label} on {bc.on(cores)} found {ours:,} groups, "
                                 f"jdupes {theirs:,}.")
                if runs.differ.get((label, cores)):
                    lines.append(f"**WARNING**: {label} on {bc.on(cores)}: {runs.differ[(label, cores)]:,} "
                                 "groups are in only one of ours and jdupes' (compared file for file).")
                if base and wall is not None:
                    verdict = "met" if wall / base <= target else "MISSED"
                    lines.append(f"- {label} on {bc.on(cores)}: {wall / base:.2f}x jdupes, "
                                 f"target <= {target:.1f}x: {verdict}.")
            peak = max((m.peak_sum_mib for label in (OURS_FIRST, OURS_RERUN)
                        for m in runs.runs.get((label, cores), [])), default=None)
            if peak is not None:
                verdict = "met" if peak * 2**20 <= 300e6 else "MISSED"
                lines.append(f"- fileorganizer dupes on {bc.on(cores)}: peak memory of the whole job "
                             f"{peak:,.0f} MiB, target <= 300 MB (286 MiB): {verdict}.")
        return "\n".join(lines)

    def stages(self) -> None:
        """Where our time goes: an in-process run per core setting, split by stage."""
        rows = []
        for cores in self.cores:
            home = self.work / f"stages-{cores}"
            proc = subprocess.run(bc.taskset(cores) + [sys.executable, "-c", STAGES_SCRIPT, str(self.tree),
                                  str(self.work / "stages.txt"), "1" if self.a.cold else "0"],
                                  env=our_env(home), capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise SystemExit(f"the stage run failed: {proc.stderr[-2000:]}")
            for r in json.loads(proc.stdout.splitlines()[-1]):
                stage = (f"{r.get(k, 0.0):.2f}" for k in ("walk", "insert", "hash", "group", "output"))
                startup = "" if r["startup"] is None else f"{r['startup']:.2f}"
                rows.append([r["run"], cores, startup, *stage, f"{r['total']:.2f}", f"{r['hashed']:,}",
                             f"{r['groups']:,}"])
            shutil.rmtree(home)
        self.report.add("\n".join([
            f"### Where our time goes: one in-process run, {self.cache_short}", "",
            bc.md_table(["run", "cores", "imports + open (s)", "walk (s)", "of it insert (s)", "hash (s)",
                         "group (s)", "output (s)", "total (s)", "files hashed", "groups"], rows, 1), "",
            "walk: listing folders and writing the index, with the hashing that overlaps it; hash: "
            "the hashes still due after the walk, stored; group: groups from the stored hashes; "
            "output: the fdupes report written; total: from the walk to the report written. "
            "Imports + open: importing the app and opening the database, once per process (the "
            "interpreter's own start is not included). The rerun runs in the same process, on the "
            "index the first run wrote. Insert: the part of the walk spent in write transactions of the "
            "index (the walk and the hashing go on in the worker processes meanwhile)."]))

    def writer(self) -> None:
        """The longest wait of another process writing to our database during a first run."""
        home, stop = self.work / "writer-home", self.work / "writer.stop"
        env = our_env(home)
        writer = subprocess.Popen([sys.executable, "-c", WRITER_SCRIPT, str(stop)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        cmd = fileorganizer() + ["dupes", str(self.tree), "--format", "fdupes", "-o",
                                 str(self.work / "writer.txt"), "-q"]
        try:
            m = self.timed(cmd, "all", env=env)
        finally:
            stop.touch()
            out, err = writer.communicate(timeout=120)
        if writer.returncode != 0 or not out.strip():
            raise SystemExit(f"the concurrent writer failed: {err[-2000:]}")
        w = json.loads(out.splitlines()[-1])
        shutil.rmtree(home)
        stats = [f"{w['count']:,}", f"{w.get('max', 0) * 1000:,.1f}", f"{w.get('p99', 0) * 1000:,.1f}",
                 f"{w.get('median', 0) * 1000:,.1f}", f"{w['errors']:,}", f"{m.wall:.2f}"]
        self.report.add("\n".join([
            f"### A concurrent writer during our first run: all cores, {self.cache_short}", "",
            bc.md_table(["writes", "longest wait (ms)", "99th percentile (ms)", "median (ms)",
                         "failed writes", "our wall time meanwhile (s)"], [stats], 0), "",
            "A second process opens the same database once our command has created it and stores a "
            "setting every 10 ms (`Database.set_setting`); a wait is one write's duration."]))

    def scan(self) -> None:
        runs, size = Runs(), 0.0
        for cores in self.cores:
            for i in range(self.a.repeat):
                home = self.work / f"scan-{cores}-{i}"
                for label in ("fileorganizer scan (first run)", "fileorganizer scan (rerun)"):
                    runs.add(label, cores, self.timed(fileorganizer() + ["scan", str(self.tree), "-q"], cores,
                                                      env=our_env(home)))
                size = index_mib(home)
                shutil.rmtree(home)
        rows = []
        for tool, cores in runs.runs:
            rows.append([tool, cores, *runs.cells(tool, cores), runs.load(tool, cores)])
        self.report.add("\n".join([
            f"### fileorganizer scan: {self.cache}, median of {self.a.repeat}", "",
            bc.md_table(["run", "cores", "wall (s)", "each run (s)", "CPU user+sys (s)",
                         "peak memory, all processes (MiB)", "largest process (MiB)", "load (1 min)"],
                        rows, 1), "", f"Index on disk: {size:,.1f} MiB."]))


def compile_app() -> None:
    """Write the app's bytecode caches once, before timing (an installed copy has them)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "app")], check=False,
                   stdout=subprocess.DEVNULL)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="/tmp/bench/c100k", type=Path)
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--total-mb", type=float, default=1024)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cold", action="store_true", help="drop the page cache before each run (root)")
    ap.add_argument("--cores", default="all", help="comma-separated: 1, N or all (default all)")
    ap.add_argument("--scan-only", action="store_true", help="measure `fileorganizer scan` and index size")
    ap.add_argument("--no-stages", action="store_true", help="skip the stage breakdown and the writer")
    ap.add_argument("--markdown-out", type=Path, metavar="FILE", help="also write the tables here")
    a = ap.parse_args()
    for c in a.cores.split(","):
        if c.strip() != "all" and not (c.strip().isdigit() and 0 < int(c) <= (os.cpu_count() or 1)):
            ap.error(f"--cores: {c!r} is not 'all' or a number of CPUs from 1 to {os.cpu_count()}")
    if a.cold and os.geteuid() != 0:
        ap.error("--cold needs root (it writes /proc/sys/vm/drop_caches)")
    bc.build_corpus(a.corpus, a.files, a.total_mb, a.seed)
    compile_app()
    if not a.cold:
        bc.warm(a.corpus)
    report = Report()
    report.add(f"## bench/dedup.py on {a.corpus} ({a.files:,} files requested, seed {a.seed})\n\n"
               f"{bc.machine_line()}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fo-bench-") as tmp:
        bench = Bench(a, Path(tmp), report)
        if a.scan_only:
            bench.scan()
        else:
            bench.dupes()
            if not a.no_stages:
                bench.stages()
                bench.writer()
    report.add(f"Benchmark took {time.monotonic() - started:,.0f} s; load average after: "
               f"{os.getloadavg()[0]:.2f}.")
    report.write(a.markdown_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
