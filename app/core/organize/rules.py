"""The rule model of the organizer, and its validation.

A Rule has a name, an enabled flag, the folders it applies to (with or without
subfolders), conditions combined by ``all`` / ``any`` / ``none``, actions, a
conflict policy and a ``continue`` flag (first matching rule wins otherwise).

Rules travel as plain dicts (database body, export files, sync): ``rule_from_dict``
validates one and raises a RuleError that names the rule and the field at fault;
``rule_to_dict`` is its inverse. Matching lives in ``core.organize.matching``.
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid as _uuid
from dataclasses import dataclass, field
from typing import Any

from app.core.organize.templates import Template, TemplateError
from app.core.scan.categories import CATEGORIES

MATCH_MODES = ("all", "any", "none")
CONFLICT_POLICIES = ("rename", "skip", "replace-if-identical", "keep-newest")
NAME_MODES = ("glob", "contains", "regex", "exact")
CONDITION_TYPES = ("extension", "category", "name", "size", "modified", "created", "path_contains",
                   "filetype", "duplicate")
ACTION_TYPES = ("move", "copy", "rename", "trash", "hardlink")
# Signatures at offset 0 for the "filetype" condition (categories are accepted too).
MAGIC_TYPES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",), "png": (b"\x89PNG\r\n\x1a\n",), "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"), "bmp": (b"BM",), "tiff": (b"II*\x00", b"MM\x00*"),
    "zip": (b"PK\x03\x04", b"PK\x05\x06"), "gzip": (b"\x1f\x8b",), "bzip2": (b"BZh",),
    "xz": (b"\xfd7zXZ\x00",), "zstd": (b"\x28\xb5\x2f\xfd",), "7z": (b"7z\xbc\xaf\x27\x1c",),
    "rar": (b"Rar!\x1a\x07",), "elf": (b"\x7fELF",), "exe": (b"MZ",), "mp3": (b"ID3", b"\xff\xfb"),
    "flac": (b"fLaC",), "ogg": (b"OggS",), "sqlite": (b"SQLite format 3\x00",), "rtf": (b"{\\rtf",),
    "ole2": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), "xml": (b"<?xml",), "postscript": (b"%!PS",),
}
RIFF_TYPES = {"wav": b"WAVE", "webp": b"WEBP", "avi": b"AVI "}
FILETYPES = tuple(MAGIC_TYPES) + tuple(RIFF_TYPES) + ("mp4",) + CATEGORIES

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w|mo|y)?\s*$", re.IGNORECASE)
_DURATION_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400,
                   "mo": 30 * 86400, "y": 365 * 86400}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)(b?)\s*$", re.IGNORECASE)


class RuleError(ValueError):
    """A rule that cannot be used; says which rule and which field."""

    def __init__(self, rule: str, field_name: str, message: str) -> None:
        self.rule, self.field, self.message = rule, field_name, message
        super().__init__(f"rule {rule}: field '{field_name}': {message}")


@dataclass(slots=True)
class Condition:
    """One test on a file: `type` (CONDITION_TYPES) and its options, as in the rule file."""

    type: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Action:
    """One thing to do with a matching file: `type` (ACTION_TYPES) and its options."""

    type: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Rule:
    """A validated rule (build it with ``rule_from_dict`` or check it with ``validate``)."""

    name: str
    conditions: list[Condition] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    enabled: bool = True
    folders: list[str] = field(default_factory=list)   # empty: the folders being organized
    subfolders: bool = True
    match: str = "all"
    conflict: str = "rename"
    continue_: bool = False              # "continue" in files: later rules may match too
    remove_empty_folders: bool = False   # remove folders that the rule's moves leave empty
    symlinks: bool = False               # act on symbolic links too (by default they stay put)
    uuid: str = field(default_factory=lambda: str(_uuid.uuid4()))

    @property
    def main_action(self) -> Action | None:
        """The move/copy/trash/hardlink action, if any (rename may come with move or copy)."""
        return next((a for a in self.actions if a.type != "rename"), None)

    @property
    def rename_action(self) -> Action | None:
        return next((a for a in self.actions if a.type == "rename"), None)


def parse_duration(text: str | int | float) -> float:
    """'30d', '2w', '12h', '6mo', '1y', '90' (seconds) -> seconds. Raises ValueError."""
    if isinstance(text, bool):
        raise ValueError("not a duration")
    if isinstance(text, int | float):
        return float(text)
    m = _DURATION_RE.match(str(text))
    if not m:
        raise ValueError(f"not a duration: {text!r} (examples: 30d, 2w, 12h, 6mo, 1y)")
    return float(m.group(1)) * _DURATION_UNITS[(m.group(2) or "s").lower()]


def parse_size(text: str | int) -> int:
    """'10MB' (10**7), '10MiB' (10*2**20), '500k', 1234 -> bytes. Raises ValueError."""
    if isinstance(text, bool):
        raise ValueError("not a size")
    if isinstance(text, int):
        if text < 0:
            raise ValueError("a size cannot be negative")
        return text
    m = _SIZE_RE.match(str(text))
    if not m:
        raise ValueError(f"not a size: {text!r} (examples: 500k, 10MB, 1.5GiB)")
    number, prefix, binary = float(m.group(1)), m.group(2).lower(), bool(m.group(3))
    power = "_kmgt".index(prefix) if prefix else 0
    return int(number * (1024 if binary else 1000) ** power)


def parse_date(text: str) -> float:
    """'2024-01-31' or an ISO date-time (local time) -> POSIX timestamp. Raises ValueError."""
    try:
        moment = _dt.datetime.fromisoformat(str(text))
    except ValueError:
        raise ValueError(f"not a date: {text!r} (write YYYY-MM-DD)") from None
    return moment.timestamp()


class _Checker:
    """Reads one rule dict, raising RuleError with the rule's name and the field path."""

    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, where: str, message: str) -> RuleError:
        return RuleError(self.label, where, message)

    def get(self, d: dict, key: str, where: str, kind: type | tuple, default: Any = ...) -> Any:
        if key not in d:
            if default is ...:
                raise self.fail(where, "is missing")
            return default
        value = d[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join({"str": "text", "bool": "true or false", "list": "a list"}.get(k.__name__,
                                                                                            k.__name__)
                                for k in kinds)
            raise self.fail(where, f"must be {names}, not {value!r}")
        return value

    def strings(self, d: dict, key: str, where: str, allowed: tuple[str, ...] | None = None) -> list[str]:
        value = self.get(d, key, where, (list, str))
        items = [value] if isinstance(value, str) else value
        if not items:
            raise self.fail(where, "must list at least one value")
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{where}[{i}]", f"must be non-empty text, not {item!r}")
            if allowed is not None and item.strip().lower() not in allowed:
                raise self.fail(f"{where}[{i}]", f"unknown value {item!r} (one of: {', '.join(allowed)})")
        return [s.strip() for s in items]

    def template(self, d: dict, key: str, where: str, kind: str) -> str:
        text = self.get(d, key, where, str)
        try:
            Template.parse(text, kind=kind)
        except TemplateError as exc:
            raise self.fail(where, str(exc)) from None
        return text

    def unknown(self, d: dict, known: tuple[str, ...], where: str) -> None:
        for key in d:
            if key not in known:
                raise self.fail(f"{where}{key}", f"unknown field (known: {', '.join(known)})")


def _condition(ck: _Checker, d: Any, where: str) -> Condition:
    if not isinstance(d, dict):
        raise ck.fail(where, f"must be a table/object with a 'type', not {d!r}")
    kind = ck.get(d, "type", f"{where}.type", str)
    if kind not in CONDITION_TYPES:
        raise ck.fail(f"{where}.type", f"unknown condition {kind!r} (one of: {', '.join(CONDITION_TYPES)})")
    w = f"{where}."
    opts: dict[str, Any] = {}
    if kind == "extension":
        ck.unknown(d, ("type", "extensions"), w)
        exts = ck.strings(d, "extensions", w + "extensions")
        opts["extensions"] = ["." + e.lower().lstrip(".") for e in exts]
    elif kind == "category":
        ck.unknown(d, ("type", "categories"), w)
        # built-in names in lower case; any other name is a custom category (it may come later,
        # e.g. by sync, and matches nothing until then)
        opts["categories"] = [c.lower() if c.lower() in CATEGORIES else c
                              for c in ck.strings(d, "categories", w + "categories")]
    elif kind == "filetype":
        ck.unknown(d, ("type", "types"), w)
        opts["types"] = [t.lower() for t in ck.strings(d, "types", w + "types", FILETYPES)]
    elif kind in ("name", "path_contains"):
        key = "pattern" if kind == "name" else "text"
        ck.unknown(d, ("type", key, "case_sensitive") + (("mode",) if kind == "name" else ()), w)
        opts[key] = ck.get(d, key, w + key, str)
        if not opts[key]:
            raise ck.fail(w + key, "must not be empty")
        opts["case_sensitive"] = ck.get(d, "case_sensitive", w + "case_sensitive", bool, False)
        if kind == "name":
            mode = opts["mode"] = ck.get(d, "mode", w + "mode", str, "glob")
            if mode not in NAME_MODES:
                raise ck.fail(w + "mode", f"unknown mode {mode!r} (one of: {', '.join(NAME_MODES)})")
            if mode == "regex":
                try:
                    re.compile(opts["pattern"])
                except re.error as exc:
                    raise ck.fail(w + "pattern", f"bad regular expression: {exc}") from None
    elif kind == "size":
        ck.unknown(d, ("type", "min", "max"), w)
        for key in ("min", "max"):
            if key in d:
                try:
                    opts[key] = parse_size(d[key])
                except ValueError as exc:
                    raise ck.fail(w + key, str(exc)) from None
        if not opts:
            raise ck.fail(where, "needs 'min' or 'max'")
        if opts.get("min", 0) > opts.get("max", opts.get("min", 0)):
            raise ck.fail(w + "max", "is smaller than 'min'")
    elif kind in ("modified", "created"):
        ck.unknown(d, ("type", "older_than", "newer_than", "after", "before"), w)
        for key, parse in (("older_than", parse_duration), ("newer_than", parse_duration),
                           ("after", parse_date), ("before", parse_date)):
            if key in d:
                try:
                    parse(d[key])
                except ValueError as exc:
                    raise ck.fail(w + key, str(exc)) from None
                opts[key] = d[key]
        if not opts:
            raise ck.fail(where, "needs one of 'older_than', 'newer_than', 'after', 'before'")
    elif kind == "duplicate":
        ck.unknown(d, ("type", "in"), w)
        if "in" in d:
            opts["in"] = ck.strings(d, "in", w + "in")
    return Condition(kind, opts)


def _action(ck: _Checker, d: Any, where: str) -> Action:
    if not isinstance(d, dict):
        raise ck.fail(where, f"must be a table/object with a 'type', not {d!r}")
    kind = ck.get(d, "type", f"{where}.type", str)
    if kind not in ACTION_TYPES:
        raise ck.fail(f"{where}.type", f"unknown action {kind!r} (one of: {', '.join(ACTION_TYPES)})")
    w = f"{where}."
    if kind in ("move", "copy"):
        ck.unknown(d, ("type", "to"), w)
        return Action(kind, {"to": ck.template(d, "to", w + "to", "folder")})
    if kind == "rename":
        ck.unknown(d, ("type", "name"), w)
        return Action(kind, {"name": ck.template(d, "name", w + "name", "name")})
    ck.unknown(d, ("type",), w)
    return Action(kind, {})


RULE_FIELDS = ("name", "uuid", "enabled", "folders", "subfolders", "match", "conditions", "actions",
               "conflict", "continue", "remove_empty_folders", "symlinks")


def rule_from_dict(d: Any, position: int = 0) -> Rule:
    """Validate a rule dict (as in a rules file) and build the Rule. Raises RuleError."""
    label = f"#{position + 1}"
    if isinstance(d, dict) and isinstance(d.get("name"), str) and d["name"].strip():
        label = f"#{position + 1} {d['name'].strip()!r}"
    ck = _Checker(label)
    if not isinstance(d, dict):
        raise ck.fail("rule", f"must be a table/object, not {type(d).__name__}")
    ck.unknown(d, RULE_FIELDS, "")
    name = ck.get(d, "name", "name", str).strip()
    if not name:
        raise ck.fail("name", "must not be empty")
    match = ck.get(d, "match", "match", str, "all")
    if match not in MATCH_MODES:
        raise ck.fail("match", f"must be one of {', '.join(MATCH_MODES)}, not {match!r}")
    conflict = ck.get(d, "conflict", "conflict", str, "rename")
    if conflict not in CONFLICT_POLICIES:
        raise ck.fail("conflict", f"must be one of {', '.join(CONFLICT_POLICIES)}, not {conflict!r}")
    conds = ck.get(d, "conditions", "conditions", list, [])
    acts = ck.get(d, "actions", "actions", list)
    rule = Rule(
        name=name,
        conditions=[_condition(ck, c, f"conditions[{i}]") for i, c in enumerate(conds)],
        actions=[_action(ck, a, f"actions[{i}]") for i, a in enumerate(acts)],
        enabled=ck.get(d, "enabled", "enabled", bool, True),
        folders=ck.strings(d, "folders", "folders") if d.get("folders") else [],
        subfolders=ck.get(d, "subfolders", "subfolders", bool, True),
        match=match, conflict=conflict,
        continue_=ck.get(d, "continue", "continue", bool, False),
        remove_empty_folders=ck.get(d, "remove_empty_folders", "remove_empty_folders", bool, False),
        symlinks=ck.get(d, "symlinks", "symlinks", bool, False),
    )
    if "uuid" in d:
        rule.uuid = ck.get(d, "uuid", "uuid", str)
    _check_actions(ck, rule)
    return rule


def _check_actions(ck: _Checker, rule: Rule) -> None:
    kinds = [a.type for a in rule.actions]
    if not kinds:
        raise ck.fail("actions", "needs at least one action")
    main = [k for k in kinds if k != "rename"]
    if len(main) > 1 or kinds.count("rename") > 1:
        raise ck.fail("actions", f"can hold one of move/copy/trash/hardlink plus one rename, not {kinds}")
    if main and main[0] in ("trash", "hardlink") and "rename" in kinds:
        raise ck.fail("actions", f"'{main[0]}' cannot be combined with 'rename'")
    if "hardlink" in kinds and not (rule.match == "all" and any(c.type == "duplicate"
                                                                for c in rule.conditions)):
        raise ck.fail("actions", "'hardlink' replaces duplicates: the rule needs a 'duplicate' "
                                 "condition with match 'all'")


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """The rule as plain data (the inverse of rule_from_dict)."""
    return {
        "name": rule.name, "uuid": rule.uuid, "enabled": rule.enabled, "folders": list(rule.folders),
        "subfolders": rule.subfolders, "match": rule.match,
        "conditions": [{"type": c.type, **c.options} for c in rule.conditions],
        "actions": [{"type": a.type, **a.options} for a in rule.actions],
        "conflict": rule.conflict, "continue": rule.continue_,
        "remove_empty_folders": rule.remove_empty_folders,
    } | ({"symlinks": True} if rule.symlinks else {})


def validate(rule: Rule, position: int = 0) -> Rule:
    """Check a Rule built in code (e.g. by the GUI editor); returns the normalized copy."""
    return rule_from_dict(rule_to_dict(rule), position)
