#!/usr/bin/env python3
"""Benchmark `fileorganizer report` on a mkcorpus.py tree, and the aggregates on a synthetic 1M-file index.

Usage:
  python bench/report.py [--corpus /tmp/bench_reports/c100k] [--files 100000] [--total-mb 1024] [--repeat 3]
  python bench/report.py --synthetic 1000000

Tree mode builds the corpus once (shared/bench/mkcorpus.py), then in a fresh
index measures: the first report (scan + hash same-size files + report), a
rerun on the unchanged tree (incremental scan, nothing to hash), and the report
alone from the index (--no-scan) in each format. Synthetic mode writes N file
rows straight into a fresh index (no files on disk: the aggregates and
exporters are what is measured) and times each aggregate, the whole
collect_report, the HTML page (size) and the CSV of every file.
Prints Markdown tables; wall times are medians of --repeat runs, peak RSS the largest.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_common import REPO, find_mkcorpus

sys.path.insert(0, str(REPO))


def run(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"failed ({code}): {proc.stderr.read().decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def tree_mode(args: argparse.Namespace) -> None:
    corpus = Path(args.corpus)
    if not corpus.exists():
        print(f"building corpus {corpus} ...", file=sys.stderr)
        corpus.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(find_mkcorpus()), str(corpus), "--files", str(args.files),
                        "--total-mb", str(args.total_mb)], check=True)
    out_dir = Path(tempfile.mkdtemp(prefix="bench-report-"))
    cli = [sys.executable, "-m", "app.cli", "report", "-q", str(corpus)]
    rows = []
    try:
        cases = [("first report: scan + hash + HTML", ["-o", str(out_dir / "r.html")], True),
                 ("rerun, unchanged tree: rescan + HTML", ["-o", str(out_dir / "r.html")], False),
                 ("HTML from the index (--no-scan)", ["--no-scan", "-o", str(out_dir / "r.html")], False),
                 ("JSON from the index (--no-scan)", ["--no-scan", "-o", str(out_dir / "r.json")], False),
                 ("CSV of every file (--no-scan)", ["--no-scan", "-o", str(out_dir / "r.csv")], False),
                 ("CSV of duplicates (--no-scan)", ["--no-scan", "--what", "duplicates", "-o",
                                                    str(out_dir / "d.csv")], False)]
        for label, extra, fresh in cases:
            walls, rss = [], 0.0
            for _ in range(args.repeat):
                home = out_dir / "home"
                if fresh and home.exists():
                    shutil.rmtree(home)
                env = {**os.environ, "FILEORGANIZER_HOME": str(home)}
                wall, peak = run([*cli, *extra], env)
                walls.append(wall)
                rss = max(rss, peak)
            size = os.path.getsize(extra[-1])
            rows.append((label, statistics.median(walls), rss, size))
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    print(f"\n`fileorganizer report` on {corpus} ({args.files:,} files), median of {args.repeat}\n")
    print("| run | wall | peak RSS | output |\n|---|---:|---:|---:|")
    for label, wall, rss, size in rows:
        print(f"| {label} | {wall:.2f} s | {rss:.0f} MiB | {size / 2**20:.2f} MiB |")


INSERT = ("INSERT INTO files (dir_id, name, size, mtime_ns, inode, dev, nlink, ext, category, is_link, "
          "full_hash, scan_gen) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")


def fill_synthetic(db, n: int, seed: int = 1) -> None:
    """N file rows in ~N/40 folders: log-normal sizes, 20% in duplicate groups, 12 years of dates."""
    from app.core.scan.categories import EXTENSION_CATEGORY

    rnd = random.Random(seed)
    exts = sorted(EXTENSION_CATEGORY)[:60] + [""]
    now = time.time()
    raw = db.raw()
    conn = raw.driver_connection
    conn.execute("INSERT INTO roots (id, path, added_at, scan_gen) VALUES (1, '/synthetic', 0, 1)")
    dirs = ["/synthetic"]
    conn.execute("INSERT INTO dirs (id, root_id, path, scan_gen) VALUES (1, 1, ?, 1)", (dirs[0],))
    for i in range(1, max(2, n // 40)):
        parent = rnd.randrange(len(dirs))
        dirs.append(f"{dirs[parent]}/folder {i}")
        conn.execute("INSERT INTO dirs (id, root_id, path, scan_gen) VALUES (?, 1, ?, 1)", (i + 1, dirs[-1]))
    originals: list[tuple[int, bytes]] = []
    batch = []
    for i in range(n):
        ext = rnd.choice(exts)
        if originals and rnd.random() < 0.2:
            size, h = rnd.choice(originals)
        else:
            size = int(math.exp(rnd.gauss(math.log(20_000), 1.6)))
            h = rnd.randbytes(32) if rnd.random() < 0.3 else None
            if h is not None:
                originals.append((size, h))
        mtime = int((now - rnd.random() ** 2 * 12 * 365 * 86_400) * 1e9)
        batch.append((rnd.randrange(len(dirs)) + 1, f"file {i}{ext}", size, mtime, i + 10, 1, 1, ext,
                      EXTENSION_CATEGORY.get(ext, "other"), 0, h, 1))
        if len(batch) == 50_000:
            conn.executemany(INSERT, batch)
            batch.clear()
    if batch:
        conn.executemany(INSERT, batch)
    conn.commit()
    conn.execute("ANALYZE")
    raw.close()


def synthetic_mode(args: argparse.Namespace) -> None:
    home = Path(tempfile.mkdtemp(prefix="bench-report-synth-"))
    os.environ["FILEORGANIZER_HOME"] = str(home)
    try:
        from app.core.report.html import render_html
        from app.core.report.model import write_files_csv
        from app.jobs.report import collect_report
        from app.store import aggregates as agg
        from app.store.db import open_database

        db = open_database()
        t = time.perf_counter()
        fill_synthetic(db, args.synthetic)
        print(f"filled {args.synthetic:,} rows in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        scope = agg.scope_for(db, ["/synthetic"])
        print(f"\nAggregates on a synthetic index of {args.synthetic:,} files (median of {args.repeat})\n")
        print("| call | wall |\n|---|---:|")
        calls = [("totals", lambda: agg.totals(db, scope)),
                 ("by_category", lambda: agg.by_category(db, scope)),
                 ("by_extension", lambda: agg.by_extension(db, scope)),
                 ("by_age", lambda: agg.by_age(db, scope)),
                 ("by_year", lambda: agg.by_year(db, scope)),
                 ("largest_files(100)", lambda: agg.largest_files(db, scope)),
                 ("largest_folders(100)", lambda: agg.largest_folders(db, scope)),
                 ("duplicate_summary", lambda: agg.duplicate_summary(db, scope)),
                 ("duplicate_groups(100)", lambda: agg.duplicate_groups(db, scope)),
                 ("collect_report (all of the above, one snapshot)",
                  lambda: collect_report(db, ["/synthetic"]))]
        report = None
        for label, call in calls:
            walls = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                report = call()
                walls.append(time.perf_counter() - t)
            print(f"| {label} | {statistics.median(walls):.2f} s |")
        t = time.perf_counter()
        page = render_html(report).encode("utf-8")
        print(f"| render_html | {time.perf_counter() - t:.2f} s |")
        with open(os.devnull, "wb") as sink:
            t = time.perf_counter()
            ids = agg.duplicate_group_ids(db, scope)
            rows = write_files_csv(agg.iter_files(db, scope, ids), sink)
            print(f"| CSV of every file ({rows:,} rows) | {time.perf_counter() - t:.2f} s |")
        print(f"\nHTML page: {len(page) / 2**20:.2f} MiB; duplicate groups: {report.duplicates.groups:,}")
        db.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="/tmp/bench_reports/c100k")
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--total-mb", type=float, default=1024)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--synthetic", type=int, default=0, metavar="N", help="rows of a synthetic index instead")
    args = ap.parse_args()
    if args.synthetic:
        synthetic_mode(args)
    else:
        tree_mode(args)


if __name__ == "__main__":
    main()
