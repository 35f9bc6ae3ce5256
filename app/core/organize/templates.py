"""Path templates of the organizer: ``{category}/{year}/{month}/{name}``.

A template is parsed once (``Template.parse``) and then expanded per file with a
``Fields`` object. Syntax:

* ``{field}``: one of FIELDS; ``{field:spec}`` applies a format spec
  (``{counter:03}``); ``{field|text}`` uses `text` when the value is empty
  (``{ext|no-extension}``). ``{{`` and ``}}`` are literal braces.
* ``~`` and environment variables (``$HOME``, ``${HOME}``, ``%USERPROFILE%`` on
  Windows) expand when the template is parsed.

Problems that do not depend on a file (unknown fields, ``..`` or reserved names in
the literal text, a relative template that climbs out of the destination root) are
TemplateErrors at parse time, before anything runs. ``check_name`` checks each
expanded component so a file whose values would give an invalid name is reported
in the preview instead of failing at run time.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

FIELDS = ("category", "ext", "name", "stem", "parent", "year", "month", "day", "size_bucket", "counter")

# Windows refuses these names with any extension (CON.txt too), in any case.
RESERVED_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{p}{i}" for p in ("COM", "LPT") for i in (*range(1, 10), "¹", "²", "³")]
)
INVALID_CHARS = frozenset('<>:"/\\|?*') | {chr(i) for i in range(32)}
MAX_NAME_BYTES = 255            # one path component (NTFS: 255 UTF-16 units; ext4/APFS: 255 bytes)
MAX_PATH_CHARS = 4095           # whole path (Linux PATH_MAX - 1; Windows long-path aware apps)

SIZE_BUCKETS = ((0, "empty"), (1 << 20, "small"), (100 << 20, "medium"), (1 << 30, "large"))


class TemplateError(ValueError):
    """A template that cannot be used; the message says why."""


def size_bucket(size: int) -> str:
    """'empty' (0 B), 'small' (< 1 MiB), 'medium' (< 100 MiB), 'large' (< 1 GiB) or 'huge'."""
    if size == 0:
        return "empty"
    for limit, label in SIZE_BUCKETS[1:]:
        if size < limit:
            return label
    return "huge"


@functools.lru_cache(maxsize=8192)
def name_problem(name: str) -> str | None:
    """Why `name` is not a valid, portable file name (Windows rules included), or None."""
    if name in ("", ".", ".."):
        return f"{name!r} is not a file name"
    bad = sorted({c for c in name if c in INVALID_CHARS})
    if bad:
        shown = ", ".join(repr(c) if c.isprintable() else f"\\x{ord(c):02x}" for c in bad)
        return f"{name!r} contains characters not allowed in file names ({shown})"
    if name[-1] in ". ":
        return f"{name!r} ends with a dot or space (not allowed on Windows)"
    if name.split(".", 1)[0].rstrip(" ").upper() in RESERVED_NAMES:
        return f"{name!r} is a reserved name on Windows"
    if len(os.fsencode(name)) > MAX_NAME_BYTES:
        return f"{name[:40]!r}... is longer than {MAX_NAME_BYTES} bytes"
    return None


class Fields:
    """The values of one file's template fields, computed only when a template asks for them."""

    __slots__ = ("path", "size", "mtime_ns", "counter", "_ext", "_category", "_date", "date_of")

    def __init__(self, path: str, size: int, mtime_ns: int, counter: int = 0,
                 ext: str | None = None, category: str | None = None,
                 date_of: Callable[[str, int], _dt.datetime] | None = None) -> None:
        self.path, self.size, self.mtime_ns, self.counter = path, size, mtime_ns, counter
        self._ext, self._category, self._date = ext, category, None
        self.date_of = date_of

    @property
    def ext(self) -> str:
        if self._ext is None:
            from app.core.scan.categories import extension_of
            self._ext = extension_of(self.path)
        return self._ext

    @property
    def category(self) -> str:
        if self._category is None:
            from app.core.scan.categories import category_for
            self._category = category_for(os.path.basename(self.path))
        return self._category

    @property
    def date(self) -> _dt.datetime:
        if self._date is None:
            if self.date_of is not None:
                self._date = self.date_of(self.path, self.mtime_ns)
            else:
                self._date = _dt.datetime.fromtimestamp(self.mtime_ns / 1e9)
        return self._date

    def value(self, field: str) -> str | int:
        """The raw value of one field."""
        if field == "name":
            return os.path.basename(self.path)
        if field == "ext":
            return self.ext[1:]
        if field == "stem":
            base = os.path.basename(self.path)
            return base[: len(base) - len(self.ext)] if self.ext else base
        if field == "category":
            return self.category
        if field == "parent":
            return os.path.basename(os.path.dirname(self.path))
        if field == "year":
            return self.date.year
        if field == "month":
            return f"{self.date.month:02d}"
        if field == "day":
            return f"{self.date.day:02d}"
        if field == "size_bucket":
            return size_bucket(self.size)
        if field == "counter":
            return self.counter
        raise KeyError(field)


_FIELD_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    spec: str
    default: str


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template: literal strings and fields, split into path components."""

    text: str                                   # as written by the user
    components: tuple[tuple[str | _Field, ...], ...]
    absolute: bool                              # expanded to an absolute path (~, $HOME, /...)
    anchor: str                                 # the literal folder an absolute template stays in
    fields: frozenset[str]

    @classmethod
    def parse(cls, text: str, *, kind: str = "folder") -> Template:
        """Parse `text`; kind 'folder' (may hold several components) or 'name' (exactly one)."""
        if not isinstance(text, str) or not text.strip():
            raise TemplateError("the template is empty")
        expanded = os.path.expandvars(os.path.expanduser(text.strip()))
        if "$" in expanded and re.search(r"\$\{?[A-Za-z_]", expanded):
            var = re.search(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", expanded)
            raise TemplateError(f"environment variable ${var.group(1) if var else ''} is not set")
        absolute = os.path.isabs(expanded)
        parts = re.split(r"[/\\]" if os.sep == "\\" or kind == "name" else "/", expanded)
        if kind == "name" and len(parts) > 1:
            raise TemplateError("a name template cannot contain '/' or '\\'")
        components: list[tuple[str | _Field, ...]] = []
        anchor_parts: list[str] = []
        fixed = True
        used: set[str] = set()
        for index, part in enumerate(parts):
            if part in ("", "."):
                if index == 0 and absolute:
                    anchor_parts.append(os.sep)
                continue
            if part == "..":
                raise TemplateError(f"{text!r} climbs out of the destination folder with '..'")
            pieces = _parse_component(part, text)
            used.update(p.name for p in pieces if isinstance(p, _Field))
            literal = "".join(p for p in pieces if isinstance(p, str))
            if any(isinstance(p, _Field) for p in pieces):
                fixed = False
                bad = sorted({c for c in literal if c in INVALID_CHARS})
                if bad:
                    raise TemplateError(f"{text!r}: {part!r} contains characters not allowed in file "
                                        f"names ({', '.join(map(repr, bad))})")
            elif absolute and fixed:
                anchor_parts.append(part)      # the user's own folder (~/Pictures): taken as it is
                continue
            elif problem := name_problem(literal):
                raise TemplateError(f"{text!r}: {problem}")
            components.append(pieces)
        if absolute:
            anchor = os.path.join(*anchor_parts) if anchor_parts else os.sep
        else:
            anchor = ""
        if kind == "name" and not components:
            raise TemplateError(f"{text!r} gives no file name")
        return cls(text, tuple(components), absolute, anchor, frozenset(used))

    def expand(self, fields: Fields) -> list[str]:
        """The path components for one file (absolute templates without their anchor)."""
        out = []
        for pieces in self.components:
            buf = []
            for p in pieces:
                if isinstance(p, str):
                    buf.append(p)
                    continue
                value = fields.value(p.name)
                text = format(value, p.spec) if p.spec else str(value)
                buf.append(text if text else p.default)
            out.append("".join(buf))
        return out


def _parse_component(part: str, whole: str) -> tuple[str | _Field, ...]:
    pieces: list[str | _Field] = []
    pos = 0
    for m in _FIELD_RE.finditer(part):
        if m.start() > pos:
            pieces.append(part[pos:m.start()])
        token = m.group(0)
        if token in ("{{", "}}"):
            pieces.append(token[0])
        elif m.group(1) is None:
            raise TemplateError(f"{whole!r}: unbalanced '{token}' (write '{token * 2}' for a literal brace)")
        else:
            body = m.group(1)
            body, _, default = body.partition("|")
            name, _, spec = body.partition(":")
            name = name.strip()
            if name not in FIELDS:
                raise TemplateError(f"{whole!r}: unknown field {{{name}}} (known: "
                                    f"{', '.join('{' + f + '}' for f in FIELDS)})")
            if spec:
                sample = 7 if name in ("counter", "year") else "x"
                try:
                    format(sample, spec)
                except (ValueError, TypeError) as exc:
                    raise TemplateError(f"{whole!r}: bad format {{{name}:{spec}}}: {exc}") from None
            if default and name_problem(default):
                raise TemplateError(f"{whole!r}: default {default!r}: {name_problem(default)}")
            pieces.append(_Field(name, spec, default))
        pos = m.end()
    if pos < len(part):
        pieces.append(part[pos:])
    return tuple(pieces)


def render(template: Template, fields: Fields, root: str) -> str:
    """The absolute path `template` gives for one file below `root` (relative templates).

    Raises TemplateError when a component is empty or invalid, or the result is too long.
    Components equal to the file's own name are not held to the portable rules (the file
    already has that name on this system).
    """
    own = os.path.basename(fields.path)
    comps = template.expand(fields)
    for comp in comps:
        if comp == own:
            continue
        if comp == "":
            raise TemplateError(f"{template.text!r} gives an empty name for this file (a default "
                                f"helps: {{ext|no-extension}})")
        problem = name_problem(comp)
        if problem:
            raise TemplateError(f"{template.text!r} gives {problem}")
    base = template.anchor if template.absolute else root
    path = (base if base.endswith(os.sep) else base + os.sep) + os.sep.join(comps) if comps else base
    if len(path) > MAX_PATH_CHARS:
        raise TemplateError(f"{template.text!r} gives a path longer than {MAX_PATH_CHARS} characters")
    return path
