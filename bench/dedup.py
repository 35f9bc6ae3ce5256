#!/usr/bin/env python3
"""Benchmark the duplicate finder against jdupes, rdfind and rmlint on one mkcorpus.py tree.

Usage:
  python bench/dedup.py [--corpus /tmp/bench/c100k] [--files 100000] [--total-mb 1024] [--repeat 3]
  python bench/dedup.py --scan-only --corpus /tmp/bench/c1m --files 1000000 --total-mb 2048

The corpus is built once (shared/bench/mkcorpus.py) and reused. The page cache is
warmed first; then each tool runs `--repeat` times and the median wall time and
the largest peak RSS (wait4 ru_maxrss) are reported, with the ratio to jdupes. CPU time and
peak RSS include the helper processes ours forks (wait4 counts reaped descendants); the 1-minute
load average before each run is reported too (the reference machine is shared).
`fileorganizer dupes` runs twice per repeat: first with an empty index, then a
rerun on the unchanged tree. --scan-only measures `fileorganizer scan` (first
run and rerun) and the index size instead. Prints a Markdown table.
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

from bench_common import REPO, find_mkcorpus


def build_corpus(path: Path, files: int, total_mb: float, seed: int) -> None:
    if path.exists():
        return
    print(f"building corpus {path} ({files} files, {total_mb} MB) ...", file=sys.stderr)
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(find_mkcorpus()), str(path), "--files", str(files),
                    "--total-mb", str(total_mb), "--seed", str(seed)], check=True)


def run(cmd: list[str], env: dict | None = None, stdout=subprocess.DEVNULL) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MiB, CPU seconds user+sys, its helpers included) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {err[-2000:]}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def count_groups(path: Path) -> int:
    text = path.read_bytes().strip(b"\n")
    return len([b for b in text.split(b"\n\n") if b.strip()]) if text else 0


def our_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "app.cli", *args]


def our_env(home: Path) -> dict:
    """Our command's environment: its own home, and cached bytecode as an installed copy has
    (pip compiles on install; PYTHONDONTWRITEBYTECODE would add ~0.1 s of compiling to every run)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "FILEORGANIZER_HOME": str(home), "PYTHONPATH": str(REPO)}


def compile_app() -> None:
    """Write the app's bytecode caches once, before timing."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "app")], check=False,
                   stdout=subprocess.DEVNULL)


def warm(corpus: Path) -> None:
    """Read every file once so all tools start from a warm page cache."""
    subprocess.run(["find", str(corpus), "-type", "f", "-exec", "cat", "{}", "+"],
                   stdout=subprocess.DEVNULL, check=False)


def bench_dupes(corpus: Path, repeat: int, work: Path) -> list[dict]:
    out = work / "out.txt"
    peers = []
    if shutil.which("jdupes"):
        peers.append(("jdupes", lambda: ["jdupes", "-r", "-q", "-o", "name", str(corpus)]))
    if shutil.which("rdfind"):
        peers.append(("rdfind", lambda: ["rdfind", "-dryrun", "true", "-outputname", str(work / "rd.txt"),
                                         str(corpus)]))
    if shutil.which("rmlint"):
        peers.append(("rmlint", lambda: ["rmlint", "-T", "df", "-o", f"fdupes:{out}", "-o",
                                         f"json:{work / 'rm.json'}", str(corpus)]))
    results: dict[str, list[tuple[float, float, float]]] = {}
    loads: dict[str, list[float]] = {}
    groups: dict[str, int] = {}
    for i in range(repeat):
        for name, cmd in peers:
            with open(out, "wb") as fh:
                loads.setdefault(name, []).append(os.getloadavg()[0])
                results.setdefault(name, []).append(run(cmd(), stdout=fh))
            if name != "rdfind":
                groups[name] = count_groups(out)
        home = work / f"home{i}"
        for label in ("fileorganizer dupes (first run)", "fileorganizer dupes (rerun)"):
            loads.setdefault(label, []).append(os.getloadavg()[0])
            results.setdefault(label, []).append(
                run(our_cmd("dupes", str(corpus), "--format", "fdupes", "-o", str(out), "-q"),
                    env=our_env(home)))
            groups[label] = count_groups(out)
        index = home / "data" / "fileorganizer.db"
        index_mb = sum(p.stat().st_size for p in index.parent.glob("fileorganizer.db*")) / 2**20
        shutil.rmtree(home)
    base = statistics.median(w for w, _, _ in results["jdupes"]) if "jdupes" in results else None
    rows = []
    for name, runs in results.items():
        wall = statistics.median(w for w, _, _ in runs)
        rows.append({"tool": name, "wall": wall, "rss": max(r for _, r, _ in runs),
                     "cpu": statistics.median(c for _, _, c in runs),
                     "ratio": wall / base if base else None, "groups": groups.get(name),
                     "walls": [w for w, _, _ in runs], "load": statistics.median(loads[name])})
    rows.append({"tool": "index size on disk", "wall": None, "rss": None, "ratio": None,
                 "groups": None, "note": f"{index_mb:.1f} MiB"})
    return rows


def bench_scan(corpus: Path, repeat: int, work: Path) -> list[dict]:
    rows = []
    runs: dict[str, list[tuple[float, float, float]]] = {}
    size = 0.0
    loads: dict[str, list[float]] = {}
    for i in range(repeat):
        home = work / f"scan{i}"
        for label in ("fileorganizer scan (first run)", "fileorganizer scan (rerun)"):
            loads.setdefault(label, []).append(os.getloadavg()[0])
            runs.setdefault(label, []).append(run(our_cmd("scan", str(corpus), "-q"), env=our_env(home)))
        db = home / "data" / "fileorganizer.db"
        subprocess.run([sys.executable, "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
                        "c.execute('PRAGMA wal_checkpoint(TRUNCATE)')", str(db)], check=True)
        size = sum(p.stat().st_size for p in db.parent.glob("fileorganizer.db*")) / 2**20
        shutil.rmtree(home)
    for label, r in runs.items():
        rows.append({"tool": label, "wall": statistics.median(w for w, _, _ in r),
                     "cpu": statistics.median(c for _, _, c in r), "walls": [w for w, _, _ in r],
                     "rss": max(x for _, x, _ in r), "ratio": None, "groups": None,
                     "load": statistics.median(loads[label])})
    rows.append({"tool": "index size on disk", "wall": None, "rss": None, "ratio": None, "groups": None,
                 "note": f"{size:.1f} MiB"})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| tool | wall time (s) | each run (s) | CPU user+sys (s) | peak RSS (MiB) "
             "| ratio to jdupes (wall) | groups | load (1 min) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        if r.get("note"):
            lines.append(f"| {r['tool']} | {r['note']} | | | | | | |")
            continue
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else ""
        groups = "" if r["groups"] is None else str(r["groups"])
        walls = " / ".join(f"{w:.2f}" for w in r.get("walls", []))
        load = f"{r['load']:.1f}" if r.get("load") is not None else ""
        lines.append(f"| {r['tool']} | {r['wall']:.2f} | {walls} | {r['cpu']:.2f} | {r['rss']:.0f} | {ratio} "
                     f"| {groups} | {load} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="/tmp/bench/c100k", type=Path)
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--total-mb", type=float, default=1024)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scan-only", action="store_true", help="measure `fileorganizer scan` and index size")
    ap.add_argument("--no-warm", action="store_true", help="skip warming the page cache")
    a = ap.parse_args()
    build_corpus(a.corpus, a.files, a.total_mb, a.seed)
    if not a.no_warm:
        warm(a.corpus)
    compile_app()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="fo-bench-") as tmp:
        work = Path(tmp)
        rows = bench_scan(a.corpus, a.repeat, work) if a.scan_only else bench_dupes(a.corpus, a.repeat, work)
    print(f"corpus: {a.corpus} ({a.files} files requested), {os.cpu_count()} CPUs, median of {a.repeat}, "
          f"load average before (1/5/15 min): {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, "
          f"after: {os.getloadavg()[0]:.1f}")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
