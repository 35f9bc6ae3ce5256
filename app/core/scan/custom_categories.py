"""The user's own categories: a name plus the extensions it claims ("E-books": .epub .mobi .azw3).

A custom category overrides the built-in category of its extensions everywhere (scan, rules,
``{category}`` templates, reports). ``validate`` checks one against the others and returns it
normalized, or raises a CategoryError whose message can be shown to the user as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.core.scan.categories import CATEGORIES, COMPOUND_EXTENSIONS, EXTENSION_CATEGORY

MAX_NAME = 100          # what the server accepts
MAX_EXTENSION = 50
# The name becomes a folder name through {category}: keep it valid on every system.
_BAD_NAME_CHARS = re.compile(r'[/\\:*?"<>|\x00-\x1f]')
_EXT_RE = re.compile(r"^\.[^\s/\\.\x00]+$")


class CategoryError(ValueError):
    """A custom category that cannot be saved; `field` is "name" or "extensions"."""

    def __init__(self, field_name: str, message: str) -> None:
        self.field, self.message = field_name, message
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class CustomCategory:
    """One custom category; `uuid` is empty until it is stored."""

    name: str
    extensions: tuple[str, ...]
    uuid: str = ""


def normalize_extension(text: str) -> str:
    """'EPUB', '.epub' or '*.epub' -> '.epub'; raises CategoryError for what is no extension."""
    ext = text.strip().lower().lstrip("*")
    if ext and not ext.startswith("."):
        ext = "." + ext
    if ext in ("", "."):
        raise CategoryError("extensions", "An extension cannot be empty.")
    if len(ext) > MAX_EXTENSION:
        raise CategoryError("extensions", f"'{text.strip()}' is too long for an extension "
                                          f"(at most {MAX_EXTENSION} characters).")
    if ext in COMPOUND_EXTENSIONS:
        return ext
    if not _EXT_RE.match(ext):
        raise CategoryError("extensions", f"'{text.strip()}' is not an extension: use one part like "
                                          f"'.epub', without spaces or slashes (compound ones: "
                                          f"{', '.join(COMPOUND_EXTENSIONS)}).")
    return ext


def split_extensions(text: str) -> list[str]:
    """Extensions typed in one field, separated by commas, semicolons or spaces."""
    return [p for p in re.split(r"[\s,;]+", text) if p]


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise CategoryError("name", "Give the category a name.")
    if len(name) > MAX_NAME:
        raise CategoryError("name", f"A name has at most {MAX_NAME} characters.")
    if _BAD_NAME_CHARS.search(name) or name.strip(".") == "" or name.endswith("."):
        raise CategoryError("name", "A name becomes a folder name: it cannot contain "
                                    "/ \\ : * ? \" < > | or end with a dot.")
    if name.lower() in CATEGORIES:
        raise CategoryError("name", f"'{name}' is a built-in category; choose another name.")
    return name


def validate(name: str, extensions: Iterable[str], others: Sequence[CustomCategory],
             uuid: str = "") -> CustomCategory:
    """The category normalized (name trimmed, extensions lower case with a dot, no repeats).

    `others` are the other custom categories (not the one being edited). Raises CategoryError.
    """
    name = _check_name(name)
    for other in others:
        if other.name.casefold() == name.casefold():
            raise CategoryError("name", f"There is already a category named '{other.name}'.")
    exts = list(dict.fromkeys(normalize_extension(e) for e in extensions))
    if not exts:
        raise CategoryError("extensions", "List at least one extension, e.g. .epub")
    for other in others:
        taken = [e for e in exts if e in other.extensions]
        if taken:
            raise CategoryError("extensions", f"{', '.join(taken)} already "
                                              f"{'belongs' if len(taken) == 1 else 'belong'} to "
                                              f"'{other.name}'; an extension can be in one custom "
                                              f"category only.")
    return CustomCategory(name, tuple(exts), uuid)


def custom_map(categories: Iterable[CustomCategory]) -> dict[str, str]:
    """extension -> custom category name; an extension claimed twice (possible only through
    sync) stays with the first category given."""
    out: dict[str, str] = {}
    for cat in categories:
        for ext in cat.extensions:
            out.setdefault(ext, cat.name)
    return out


def builtin_category(ext: str) -> str:
    """The built-in category of an extension ('other' when it has none)."""
    return EXTENSION_CATEGORY.get(ext, "other")
