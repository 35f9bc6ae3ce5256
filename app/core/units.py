"""Human units shared by the command line and the reports: sizes in KiB/MiB/GiB, and counts
with the right plural and thousands separators ("1 file", "1,385 files")."""

from __future__ import annotations

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def human_bytes(n: float) -> str:
    """1536 -> '1.5 KiB' (binary multiples, one decimal; whole bytes below 1 KiB)."""
    value = float(n)
    for unit in _UNITS:
        if abs(value) < 1024 or unit == _UNITS[-1]:
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} {_UNITS[-1]}"


_IRREGULAR = {"copy": "copies", "category": "categories", "entry": "entries", "match": "matches"}


def count(n: int, singular: str, plural: str | None = None) -> str:
    """(1, 'file') -> '1 file'; (1385, 'file') -> '1,385 files'; (2, 'copy') -> '2 copies'."""
    if n == 1:
        return f"1 {singular}"
    last = singular.rsplit(" ", 1)[-1]
    default = singular[: len(singular) - len(last)] + _IRREGULAR.get(last, last + "s")
    return f"{n:,} {plural or default}"
