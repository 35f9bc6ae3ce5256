"""What the dashboard shows, read from the index in one background job.

Everything is restricted to the scanned folders and optionally filtered by a category or a
folder (the user clicked a bar). Runs on a worker thread with its own connection.
"""

# SQL here is built only from fixed fragments and "?" placeholders; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from app.store.codec import from_db, to_db

AGE_BUCKETS = (  # (key, label, max age in days)
    ("month", "< 1 month", 30), ("half", "1–6 months", 182), ("year", "6–12 months", 365),
    ("two", "1–2 years", 730), ("five", "2–5 years", 1826), ("older", "> 5 years", None),
)


@dataclass
class DashboardData:
    files: int = 0
    bytes: int = 0
    folders: int = 0
    dup_groups: int = 0
    dup_files: int = 0
    reclaimable: int = 0
    last_scan: float | None = None
    by_category: list[tuple[str, int, int]] = field(default_factory=list)   # (category, files, bytes)
    by_age: list[tuple[str, str, int, int]] = field(default_factory=list)   # (key, label, files, bytes)
    largest_files: list[tuple[str, int, float, str]] = field(default_factory=list)  # path, size, mtime, cat
    largest_folders: list[tuple[str, int, int]] = field(default_factory=list)       # path, bytes, files
    activity: list[tuple[float, str, str, str, int, int]] = field(default_factory=list)
    # (started_at, source, title, status, done_count, bytes)


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def load_dashboard(db, folders: list[str], *, category: str | None = None, folder: str | None = None,
                   limit: int = 30, progress=None) -> DashboardData:
    """Totals, charts, largest files and folders, duplicates and recent activity."""
    data = DashboardData()
    raw = db.raw()
    try:
        conn = raw.driver_connection
        wanted = [os.path.abspath(f) for f in folders]
        root_rows = [(rid, from_db(p), last) for rid, p, last in
                     conn.execute("SELECT id, path, last_scan_at FROM roots")]
        root_ids = [rid for rid, p, _ in root_rows if any(_within(p, w) for w in wanted)]
        scans = [last for rid, _, last in root_rows if rid in root_ids and last]
        data.last_scan = max(scans) if scans else None
        data.activity = [tuple(r) for r in conn.execute(
            "SELECT started_at, source, title, status, done_count, bytes FROM history "
            "ORDER BY started_at DESC LIMIT 8")]
        if not root_ids:
            return data
        marks = ",".join("?" * len(root_ids))
        base = f"FROM files f JOIN dirs d ON d.id = f.dir_id WHERE d.root_id IN ({marks}) AND NOT f.is_link"
        params: list = list(root_ids)
        if progress:
            progress.check()
        data.folders = conn.execute(f"SELECT count(*) FROM dirs WHERE root_id IN ({marks})", params).fetchone()[0]
        for cat, n, size in conn.execute(f"SELECT f.category, count(*), coalesce(sum(f.size),0) {base} "
                                         "GROUP BY f.category ORDER BY 3 DESC", params):
            data.by_category.append((cat, n, size))
            data.files += n
            data.bytes += size
        filt, fparams = "", []
        if category:
            filt += " AND f.category = ?"
            fparams.append(category)
        if folder:
            filt += " AND (d.path = ? OR d.path LIKE ? ESCAPE '\\')"
            esc = folder.rstrip(os.sep).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            fparams += [to_db(folder), esc + os.sep + "%"]
        now_ns = time.time_ns()
        case = " ".join(f"WHEN f.mtime_ns >= {now_ns - days * 86_400_000_000_000} THEN '{key}'"
                        for key, _label, days in AGE_BUCKETS if days)
        ages = {key: (n, size) for key, n, size in conn.execute(
            f"SELECT CASE {case} ELSE 'older' END AS bucket, count(*), coalesce(sum(f.size),0) {base}{filt} "
            "GROUP BY bucket", params + fparams)}
        data.by_age = [(key, label, *ages.get(key, (0, 0))) for key, label, _ in AGE_BUCKETS]
        if progress:
            progress.check()
        data.largest_files = [
            (_join(from_db(dpath), from_db(name)), size, mtime / 1e9, cat)
            for dpath, name, size, mtime, cat in conn.execute(
                f"SELECT d.path, f.name, f.size, f.mtime_ns, f.category {base}{filt} "
                "ORDER BY f.size DESC LIMIT ?", params + fparams + [limit])]
        data.largest_folders = _largest_folders(conn, base, params, filt, fparams, wanted, limit)
        if progress:
            progress.check()
        row = conn.execute(
            "SELECT count(*), coalesce(sum(copies - 1), 0), coalesce(sum(size * (copies - 1)), 0) FROM ("
            f" SELECT f.full_hash, max(f.size) AS size, count(DISTINCT f.dev || ':' || f.inode) AS copies {base}"
            " AND f.full_hash IS NOT NULL GROUP BY f.full_hash, f.size) WHERE copies > 1", params).fetchone()
        data.dup_groups, data.dup_files, data.reclaimable = row
        return data
    finally:
        raw.close()


def _join(dir_path: str, name: str) -> str:
    return dir_path + name if dir_path.endswith(os.sep) else dir_path + os.sep + name


def _largest_folders(conn, base: str, params: list, filt: str, fparams: list, roots: list[str],
                     limit: int) -> list[tuple[str, int, int]]:
    """Folders by total size including their subfolders (rolled up in Python from per-folder sums)."""
    per_dir: dict[str, list[int]] = {}
    for dpath, size, n in conn.execute(
            f"SELECT d.path, coalesce(sum(f.size),0), count(*) {base}{filt} GROUP BY d.id", params + fparams):
        per_dir[from_db(dpath)] = [size, n]
    totals: dict[str, list[int]] = {}
    for path, (size, n) in per_dir.items():
        current = path
        while True:
            acc = totals.setdefault(current, [0, 0])
            acc[0] += size
            acc[1] += n
            if any(current == r for r in roots):
                break
            parent = os.path.dirname(current)
            if parent == current or not any(_within(parent, r) for r in roots):
                break
            current = parent
    # the scanned folders themselves are the cards' totals; list what is inside them
    inner = [(p, s, n) for p, (s, n) in totals.items() if p not in roots]
    inner.sort(key=lambda t: t[1], reverse=True)
    return inner[:limit]
