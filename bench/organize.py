#!/usr/bin/env python3
"""Benchmark the organizer against organize-tool: sort a mkcorpus.py tree by extension.

Usage:
  python bench/organize.py [--files 10000] [--total-mb 100] [--repeat 3] [--out bench/out]

Both tools move every file of a fresh copy of the corpus into DEST/<extension>/ on the
same file system (organize-tool: ``move`` to ``{extension}/`` with ``on_conflict:
rename_new``; this project: ``fileorganizer organize SRC --preset by-extension --dest
DEST --apply``, i.e. walk + plan + journaled apply, one undoable history entry, in a
fresh database). organize-tool runs from its own venv (OUT/orgvenv, created on first
use with pip) so it does not touch the project's dependencies. Copying the corpus is
not timed. Median wall time per tool; then one in-process run of ours split into
phases. Prints a Markdown table.
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

sys.path.insert(0, str(REPO))


def organize_tool(out: Path) -> Path:
    """The `organize` executable of organize-tool in its own venv (created when missing)."""
    venv = out / "orgvenv"
    exe = venv / ("Scripts" if os.name == "nt" else "bin") / "organize"
    if not exe.exists():
        print(f"creating {venv} with organize-tool ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = venv / ("Scripts" if os.name == "nt" else "bin") / "pip"
        subprocess.run([str(pip), "install", "-q", "organize-tool"], check=True)
    return exe


def count_files(root: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(root))


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+sys) of one command and its children."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed ({code}): {err.decode(errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def fresh_copy(corpus: Path, work: Path) -> tuple[Path, Path]:
    if work.exists():
        shutil.rmtree(work)
    src, dest = work / "src", work / "dest"
    shutil.copytree(corpus, src, symlinks=True)
    subprocess.run(["sync"], check=False)
    return src, dest


def run_organize_tool(exe: Path, corpus: Path, work: Path) -> tuple[float, float, int]:
    src, dest = fresh_copy(corpus, work)
    config = work / "organize.yaml"
    config.write_text(
        "rules:\n"
        f"  - locations: {str(src)!r}\n"
        "    subfolders: true\n"
        "    filters:\n"
        "      - extension\n"
        "    actions:\n"
        "      - move:\n"
        f"          dest: {str(dest) + '/{extension}/'!r}\n"
        "          on_conflict: rename_new\n")
    wall, cpu = timed([str(exe), "run", str(config)], dict(os.environ))
    return wall, cpu, count_files(dest)


def run_ours(corpus: Path, work: Path) -> tuple[float, float, int]:
    src, dest = fresh_copy(corpus, work)
    home = work / "home"
    env = {**os.environ, "FILEORGANIZER_HOME": str(home), "XDG_DATA_HOME": str(work / "xdg"),
           "PYTHONPATH": str(REPO)}
    wall, cpu = timed([sys.executable, "-m", "app.cli", "organize", str(src), "--preset", "by-extension",
                       "--dest", str(dest), "--apply", "-q"], env)
    return wall, cpu, count_files(dest)


def phases(corpus: Path, work: Path) -> dict[str, float]:
    """One in-process run of ours, timed per phase."""
    src, dest = fresh_copy(corpus, work)
    os.environ["FILEORGANIZER_HOME"] = str(work / "home")
    from app.core.ops.execute import execute
    from app.core.organize.matching import compile_rules
    from app.core.organize.planner import plan_organize
    from app.core.organize.presets import preset
    from app.core.scan.walk import walk
    from app.store.db import open_database
    from app.store.journal import JournalStore

    t0 = time.perf_counter()
    db = open_database()
    t1 = time.perf_counter()
    records = [r for batch in walk([str(src)]) for r in batch]
    t2 = time.perf_counter()
    rules = compile_rules(preset("by-extension").build(), [str(src)])
    planned = plan_organize(records, rules, [str(src)], str(dest))
    t3 = time.perf_counter()
    result = execute(planned.plan, JournalStore(db))
    t4 = time.perf_counter()
    db.close()
    assert result.failed == 0 and result.skipped == 0, result.problems[:3]
    return {"open database": t1 - t0, "walk": t2 - t1, "match + plan": t3 - t2,
            "apply + journal": t4 - t3, "files": len(records)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--total-mb", type=float, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    corpus = args.out / f"organize-c{args.files}-{int(args.total_mb)}mb-s{args.seed}"
    if not corpus.exists():
        subprocess.run([sys.executable, str(find_mkcorpus()), str(corpus), "--files", str(args.files),
                        "--total-mb", str(args.total_mb), "--seed", str(args.seed)], check=True,
                       stdout=subprocess.DEVNULL)
    exe = organize_tool(args.out)
    n = count_files(corpus)
    theirs: list[tuple[float, float]] = []
    ours: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(dir=args.out, prefix="organize-run-") as tmp:
        work = Path(tmp)
        for i in range(args.repeat):      # interleaved, so both see the same machine load
            wall, cpu, moved = run_organize_tool(exe, corpus, work / "theirs")
            theirs.append((wall, cpu))
            print(f"run {i + 1}: organize-tool {wall:.2f}s wall {cpu:.2f}s cpu ({moved} files in dest)",
                  file=sys.stderr)
            wall, cpu, moved = run_ours(corpus, work / "ours")
            ours.append((wall, cpu))
            print(f"run {i + 1}: fileorganizer {wall:.2f}s wall {cpu:.2f}s cpu ({moved} files in dest)",
                  file=sys.stderr)
        split = phases(corpus, work / "phases")
    t_theirs, t_ours = statistics.median(w for w, _ in theirs), statistics.median(w for w, _ in ours)
    c_theirs, c_ours = statistics.median(c for _, c in theirs), statistics.median(c for _, c in ours)
    ratios = sorted(o[0] / t[0] for o, t in zip(ours, theirs, strict=True))
    print(f"\nCorpus: {n:,} files (mkcorpus.py --files {args.files} --total-mb {args.total_mb:g} "
          f"--seed {args.seed}), median of {args.repeat} runs, same file system.\n")
    print("| tool | wall time | vs organize-tool | CPU time (user+sys) | vs organize-tool |")
    print("|---|---:|---:|---:|---:|")
    print(f"| organize-tool (move to {{extension}}/, rename_new) | {t_theirs:.2f} s | 1.00x | "
          f"{c_theirs:.2f} s | 1.00x |")
    print(f"| fileorganizer organize --preset by-extension --apply (CLI, incl. start-up) | "
          f"{t_ours:.2f} s | {t_ours / t_theirs:.3f}x | {c_ours:.2f} s | {c_ours / c_theirs:.3f}x |")
    print(f"\nPer-run wall-time ratios (ours / organize-tool, same round): "
          f"{', '.join(f'{r:.3f}' for r in ratios)}")
    print(f"\nIn-process phases of one run ({split.pop('files'):,} files):\n")
    print("| phase | seconds |")
    print("|---|---:|")
    for name, secs in split.items():
        print(f"| {name} | {secs:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
