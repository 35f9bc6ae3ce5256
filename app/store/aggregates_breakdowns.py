"""Totals and breakdowns of the index: files, folders and bytes; by category, extension, age, year.

Symbolic links are counted in ``totals`` and left out of everything else.
"""

# SQL here is built only from fixed fragments and "?" placeholders; values are always bound.
# ruff: noqa: S608

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.report.model import AGE_BUCKETS, AgeBucket, Listing, Share, Totals, YearCount
from app.store.aggregates_scope import EVERYTHING, Scope, Source, connection, direct_totals

_DAY_NS = 86_400 * 10**9


def totals(src: Source, scope: Scope = EVERYTHING) -> Totals:
    """Files, folders, bytes, symlinks; unique_bytes counts each hard-linked inode once.

    Files and bytes add up the folders' own totals (one row per folder, not per file).
    """
    frm, args = scope.files_sql(links=True)
    where, rargs = scope.roots_sql("root_id")
    with connection(src) as conn:
        direct = direct_totals(conn, scope)
        files, nbytes = sum(n for _d, n, _b in direct), sum(b for _d, _n, b in direct)
        links = conn.execute(f"SELECT count(*) {frm} AND f.is_link=1", args).fetchone()[0]
        folders = conn.execute(f"SELECT count(*) FROM dirs WHERE {where}", rargs).fetchone()[0]
        frm, args = scope.files_sql()
        extra = conn.execute(                     # reads only ix_files_hardlinks (nlink > 1)
            f"SELECT coalesce(sum(size * (n - 1)), 0) FROM (SELECT f.size AS size, count(*) AS n {frm} "
            f"AND f.nlink > 1 GROUP BY f.dev, f.inode)", args).fetchone()[0]
    return Totals(files=files, folders=folders, bytes=nbytes, symlinks=links, unique_bytes=nbytes - extra)


def _kind_rows(conn: sqlite3.Connection, scope: Scope) -> list[tuple[str, str, int, int]]:
    """(category, extension, files, bytes): ``ix_files_kind`` holds the files in this order."""
    frm, args = scope.files_sql()
    return conn.execute(f"SELECT f.category, f.ext, count(*), sum(f.size) {frm} GROUP BY f.category, f.ext",
                        args).fetchall()


def _shares(totals_by_key: dict[str, list[int]]) -> list[Share]:
    total = sum(b for _, b in totals_by_key.values()) or 1
    shares = [Share(key or "", n, b, b / total) for key, (n, b) in totals_by_key.items()]
    shares.sort(key=lambda s: (-s.bytes, s.key))
    return shares


def _sum_by(rows: Iterable[tuple], key: int) -> dict[str, list[int]]:
    acc: dict[str, list[int]] = {}
    for row in rows:
        a = acc.setdefault(row[key] or "", [0, 0])
        a[0] += row[-2]
        a[1] += row[-1] or 0
    return acc


def by_category(src: Source, scope: Scope = EVERYTHING) -> list[Share]:
    """Files and bytes per category, largest first."""
    with connection(src) as conn:
        return _shares(_sum_by(_kind_rows(conn, scope), 0))


def by_extension(src: Source, scope: Scope = EVERYTHING, limit: int | None = None) -> Listing[Share]:
    """Files and bytes per extension ('' = none), largest first; `limit` keeps the first ones."""
    with connection(src) as conn:
        shares = _shares(_sum_by(_kind_rows(conn, scope), 1))
    return Listing(shares if limit is None else shares[:limit], len(shares))


def _day_rows(conn: sqlite3.Connection, scope: Scope) -> list[tuple[int, int, int]]:
    """(UTC day, files, bytes), for the years: a local year is a whole number of UTC days only
    near enough, so the days are grouped and each day's noon is placed in its local year."""
    frm, args = scope.files_sql()
    return conn.execute(f"SELECT f.mtime_ns / {_DAY_NS} - (f.mtime_ns < 0) AS day, count(*), sum(f.size) "
                        f"{frm} GROUP BY day", args).fetchall()


def _age_rows(conn: sqlite3.Connection, scope: Scope, now: float | None) -> list[tuple[int, int]]:
    """(files, bytes) per AGE_BUCKETS entry: one range of ``ix_files_mtime`` each, no sort."""
    now_ns = int((time.time() if now is None else now) * 1e9)
    edges = [None, *(now_ns - days * _DAY_NS for _, _, days in AGE_BUCKETS[:-1]), None]   # newest first
    frm, args = scope.files_sql()
    rows = []
    for newer, older in zip(edges, edges[1:], strict=False):
        cond, bounds = "", []
        if older is not None:
            cond, bounds = " AND f.mtime_ns >= ?", [older]
        if newer is not None:                   # the newest bucket takes future dates too
            cond, bounds = cond + " AND f.mtime_ns < ?", [*bounds, newer]
        rows.append(conn.execute(f"SELECT count(*), coalesce(sum(f.size), 0) {frm}{cond}",
                                 (*args, *bounds)).fetchone())
    return rows


def _ages(rows: Iterable[tuple[int, int]]) -> list[AgeBucket]:
    return [AgeBucket(key, label, n, size)
            for (key, label, _), (n, size) in zip(AGE_BUCKETS, rows, strict=True)]


def _years(rows: Iterable[tuple[int, int, int]]) -> list[YearCount]:
    years: dict[int, list[int]] = {}
    for day, n, size in rows:
        # a UTC day spans two local dates near midnight; its noon is in the right local year except
        # within a few hours of New Year, where the whole day goes to one side
        acc = years.setdefault(_local_year(day * 86_400 + 43_200), [0, 0])
        acc[0] += n
        acc[1] += size
    return [YearCount(y, n, b) for y, (n, b) in sorted(years.items())]


def by_age(src: Source, scope: Scope = EVERYTHING, now: float | None = None) -> list[AgeBucket]:
    """Files and bytes by time since last modified (AGE_BUCKETS); future dates count as recent."""
    with connection(src) as conn:
        return _ages(_age_rows(conn, scope, now))


def by_year(src: Source, scope: Scope = EVERYTHING) -> list[YearCount]:
    """Files and bytes by the local calendar year of their last modification, oldest first."""
    with connection(src) as conn:
        return _years(_day_rows(conn, scope))


@dataclass(slots=True)
class Breakdowns:
    """by_category, by_extension, by_age and by_year of one scope."""

    by_category: list[Share]
    by_extension: Listing[Share]
    by_age: list[AgeBucket]
    by_year: list[YearCount]


def breakdowns(src: Source, scope: Scope = EVERYTHING, now: float | None = None,
               extension_limit: int | None = None) -> Breakdowns:
    """All four breakdowns (what a report wants): the kinds and the days grouped once each."""
    with connection(src) as conn:
        kinds = _kind_rows(conn, scope)
        ages = _age_rows(conn, scope, now)
        days = _day_rows(conn, scope)
    exts = _shares(_sum_by(kinds, 1))
    return Breakdowns(_shares(_sum_by(kinds, 0)),
                      Listing(exts if extension_limit is None else exts[:extension_limit], len(exts)),
                      _ages(ages), _years(days))


def _local_year(seconds: int) -> int:
    try:
        return time.localtime(seconds).tm_year
    except (OverflowError, OSError, ValueError):      # absurd timestamps from broken filesystems
        return 1970 if seconds < 0 else 9999
