"""The rule editor's conditions: one row per condition (what, how, value), read from and written
to the rule's plain-dict form, and the rule file's field paths in the editor's words.
Split from rule_editor.py, which lays out the dialog, its actions and the live example."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from app.gui.widgets import tool_button

CONDITIONS = (
    ("extension", "Extension is"),
    ("category", "Category is"),
    ("name", "Name matches"),
    ("size", "Size is"),
    ("modified", "Modified"),
    ("created", "Created"),
    ("path_contains", "Path contains"),
    ("filetype", "File type (content) is"),
    ("duplicate", "Is a duplicate of a file in"),
)
OPS = {
    "name": (
        ("glob", "pattern (*.jpg)"),
        ("contains", "contains"),
        ("regex", "regular expression"),
        ("exact", "is exactly"),
    ),
    "size": (("min", "at least"), ("max", "at most")),
    "modified": (
        ("older_than", "more than … ago"),
        ("newer_than", "less than … ago"),
        ("after", "after date"),
        ("before", "before date"),
    ),
}
OPS["created"] = OPS["modified"]
HINTS = {
    "extension": "pdf, docx, txt",
    "category": "images, video, documents …",
    "name": "*.jpg",
    "size": "10MB",
    "modified": "30d  (or 2024-01-31 for dates)",
    "created": "30d",
    "path_contains": "Downloads",
    "filetype": "pdf, png, zip …",
    "duplicate": "folders (empty: anywhere scanned)",
}
LISTS = {"extension": "extensions", "category": "categories", "filetype": "types", "duplicate": "in"}


def tr(text: str) -> str:
    return QCoreApplication.translate("RuleEditor", text)


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]


class ConditionRow(QWidget):
    def __init__(self, cond: dict | None, on_change, on_remove) -> None:
        super().__init__()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.kind = QComboBox()
        self.kind.setAccessibleName(tr("Condition"))
        for key, text in CONDITIONS:
            self.kind.addItem(tr(text), key)
        self.op = QComboBox()
        self.op.setAccessibleName(tr("How"))
        self.value = QLineEdit()
        self.value.setAccessibleName(tr("Value"))
        remove = tool_button("remove", tr("Remove this condition"))
        remove.clicked.connect(lambda: on_remove(self))
        lay.addWidget(self.kind)
        lay.addWidget(self.op)
        lay.addWidget(self.value, 1)
        lay.addWidget(remove)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._load(cond or {"type": "extension", "extensions": []})
        for signal in (self.kind.currentIndexChanged, self.op.currentIndexChanged, self.value.textChanged):
            signal.connect(lambda *_: on_change())

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.op.clear()
        for key, text in OPS.get(kind, ()):
            self.op.addItem(tr(text), key)
        self.op.setVisible(kind in OPS)
        self.value.setPlaceholderText(tr(HINTS.get(kind, "")))

    def _load(self, cond: dict) -> None:
        kind = cond.get("type", "extension")
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self._kind_changed()
        if kind in LISTS:
            self.value.setText(
                ", ".join(v.lstrip(".") if kind == "extension" else v for v in cond.get(LISTS[kind], []))
            )
        elif kind == "name":
            self.op.setCurrentIndex(max(0, self.op.findData(cond.get("mode", "glob"))))
            self.value.setText(cond.get("pattern", ""))
        elif kind == "path_contains":
            self.value.setText(cond.get("text", ""))
        else:
            for key, _t in OPS.get(kind, ()):
                if key in cond:
                    self.op.setCurrentIndex(self.op.findData(key))
                    self.value.setText(str(cond[key]))
                    break

    def to_dict(self) -> dict:
        kind = self.kind.currentData()
        text = self.value.text().strip()
        if kind in LISTS:
            return (
                {"type": kind, LISTS[kind]: _split(text)} if text or kind != "duplicate" else {"type": kind}
            )
        if kind == "name":
            return {"type": kind, "pattern": text, "mode": self.op.currentData()}
        if kind == "path_contains":
            return {"type": kind, "text": text}
        return {"type": kind, self.op.currentData(): text}


def field_words(field: str) -> str:
    """The rule file's field path in the editor's words: 'conditions[0].extensions' ->
    'Condition 1, extensions'; 'actions[0].to' -> 'Then (the destination)'."""
    m = re.fullmatch(r"conditions\[(\d+)\](?:\.(\w+))?", field)
    if m:
        what = tr("Condition {n}").format(n=int(m.group(1)) + 1)
        return f"{what}, {m.group(2).replace('_', ' ')}" if m.group(2) else what
    m = re.fullmatch(r"actions\[(\d+)\](?:\.(\w+))?", field)
    if m:
        return {
            "to": tr("Then (the destination)"),
            "name": tr("Rename to"),
        }.get(m.group(2) or "", tr("Then"))
    return {"name": tr("Name"), "match": tr("Applies when"), "conflict": tr("If the target exists")}.get(
        field, field.replace("_", " ").capitalize()
    )
