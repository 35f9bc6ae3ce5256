"""What the benchmark scripts share: the checkout, the corpus generator, and measuring a command.

``measure`` runs one command and reports its wall time, the CPU time of its whole process tree
and its peak memory as a job: a thread samples the resident memory (VmRSS) of the process and
all its descendants every ~20 ms and keeps the largest sum, because a tool that spawns worker
processes costs the machine all of them at once, not only its largest process.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE_SECONDS = 0.02


def find_mkcorpus() -> Path:
    """shared/bench/mkcorpus.py beside the checkout (or beside a worktree of it)."""
    for parent in REPO.parents:
        candidate = parent / "shared" / "bench" / "mkcorpus.py"
        if candidate.exists():
            return candidate
    raise SystemExit("shared/bench/mkcorpus.py not found beside the checkout")


def build_corpus(path: Path, files: int, total_mb: float, seed: int) -> None:
    """Make the mkcorpus.py tree at `path` unless it exists (it is reused between runs)."""
    if path.exists():
        return
    print(f"building corpus {path} ({files:,} files, {total_mb:g} MB) ...", file=sys.stderr)
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(find_mkcorpus()), str(path), "--files", str(files),
                    "--total-mb", str(total_mb), "--seed", str(seed)], check=True)


def machine_line() -> str:
    """Date, CPUs, CPU model and load average: the context a reader needs to judge the numbers."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"{now}; {os.cpu_count()} CPUs ({model}); load average (1/5/15 min) "
            f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def warm(tree: Path) -> None:
    """Read every file once so every tool starts from a warm page cache."""
    subprocess.run(["find", str(tree), "-type", "f", "-exec", "cat", "{}", "+"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def drop_caches() -> None:
    """Write dirty pages out and drop the page cache, dentries and inodes (needs root)."""
    subprocess.run(["sync"], check=True)
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError as exc:
        raise SystemExit(f"--cold needs root to drop the page cache: {exc}") from None


def taskset(cores: str) -> list[str]:
    """The command prefix that limits a run to `cores` CPUs ('all': none)."""
    if cores == "all":
        return []
    n = int(cores)
    return ["taskset", "-c", "0" if n == 1 else f"0-{n - 1}"]


def on(cores: str) -> str:
    """'1 core', '2 cores', 'all cores'."""
    return "all cores" if cores == "all" else f"{cores} core" + ("" if cores == "1" else "s")


def group_sets(path: Path) -> set[frozenset[tuple[int, int]]]:
    """The groups of an fdupes-style file, each as the set of its files on disk (device, inode):
    ours lists every path of a hard-linked inode, jdupes one of them."""
    groups = set()
    for block in path.read_bytes().strip(b"\n").split(b"\n\n"):
        if block.strip():
            stats = (os.lstat(p) for p in block.split(b"\n"))
            groups.add(frozenset((st.st_dev, st.st_ino) for st in stats))
    return groups


def count_groups(path: Path, rdfind: bool = False) -> int:
    """Groups in an fdupes-style file (blank-line separated), or in rdfind's results file."""
    text = path.read_bytes()
    if rdfind:
        return sum(1 for line in text.splitlines() if line.startswith(b"DUPTYPE_FIRST_OCCURRENCE"))
    return sum(1 for block in text.strip(b"\n").split(b"\n\n") if block.strip())


class TreeSampler(threading.Thread):
    """Samples the summed VmRSS of a process and its descendants until ``stop()``.

    Descendants are found by their parent pid in /proc/<pid>/stat (the kernel here has no
    /proc/<pid>/task/<tid>/children); only pids not seen before are read, so a sample costs
    a directory listing plus one status file per process of the job.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = pid
        self.parent: dict[int, int] = {}        # every pid seen -> its parent pid
        self.peak_sum_kib = 0
        self.peak_one_kib = 0
        self.most_processes = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(SAMPLE_SECONDS)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def _descendants(self) -> list[int]:
        for name in os.listdir("/proc"):
            if name.isdigit() and int(name) not in self.parent:
                try:
                    with open(f"/proc/{name}/stat", "rb") as fh:
                        stat = fh.read()
                    self.parent[int(name)] = int(stat.rsplit(b")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        found = [self.root]
        members = {self.root}
        for pid in sorted(self.parent):         # children mostly have higher pids; loop to be sure
            if pid not in members and self._is_below(pid, members):
                members.add(pid)
                found.append(pid)
        return found

    def _is_below(self, pid: int, members: set[int]) -> bool:
        seen = set()
        while pid in self.parent and pid not in seen:
            seen.add(pid)
            pid = self.parent[pid]
            if pid in members:
                return True
        return False

    def sample(self) -> None:
        total = count = 0
        for pid in self._descendants():
            try:
                with open(f"/proc/{pid}/status", "rb") as fh:
                    for line in fh:
                        if line.startswith(b"VmRSS:"):
                            kib = int(line.split()[1])
                            total += kib
                            count += 1
                            self.peak_one_kib = max(self.peak_one_kib, kib)
                            break
            except (OSError, ValueError):
                continue                        # exited, or a zombie without memory
        self.peak_sum_kib = max(self.peak_sum_kib, total)
        self.most_processes = max(self.most_processes, count)


@dataclass
class Measured:
    """One run of a command: seconds, CPU seconds and MiB of its whole process tree."""

    wall: float
    cpu: float
    peak_sum_mib: float         # largest sum of VmRSS over the process and its descendants
    peak_one_mib: float         # largest single process
    processes: int              # most processes alive at one sample
    load: float                 # 1-minute load average just before the run


def measure(cmd: list[str], *, env: dict | None = None, stdout=subprocess.DEVNULL,
            cwd: Path | None = None, ok_codes: tuple[int, ...] = (0,)) -> Measured:
    """Run `cmd` to its end and measure it. CPU time is wait4's: the process and every
    descendant it waited for (worker pools join theirs)."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as err:           # a file: a lingering descendant cannot block us
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=err, env=env, cwd=cwd)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in ok_codes:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): "
                             f"{err.read().decode(errors='replace')[-2000:]}")
    largest = max(sampler.peak_one_kib, usage.ru_maxrss) / 1024     # ru_maxrss: KiB on Linux
    return Measured(wall, usage.ru_utime + usage.ru_stime, max(sampler.peak_sum_kib / 1024, largest),
                    largest, max(sampler.most_processes, 1), load)


def md_table(headers: list[str], rows: list[list[str]], right_from: int = 1) -> str:
    """A Markdown table; columns from `right_from` on are right-aligned (numbers)."""
    align = ["---" if i < right_from else "---:" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


class Report:
    """Sections printed to stdout as they are ready, and kept for ``--markdown-out``."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, text: str) -> None:
        print(text + "\n", flush=True)
        self.parts.append(text)

    def write(self, path: Path | None) -> None:
        if path is not None:
            path.write_text("\n\n".join(self.parts) + "\n", encoding="utf-8")
