"""What every benchmark script needs: the checkout and the shared corpus generator."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def find_mkcorpus() -> Path:
    """shared/bench/mkcorpus.py beside the checkout (or beside a worktree of it)."""
    for parent in REPO.parents:
        candidate = parent / "shared" / "bench" / "mkcorpus.py"
        if candidate.exists():
            return candidate
    raise SystemExit("shared/bench/mkcorpus.py not found beside the checkout")
