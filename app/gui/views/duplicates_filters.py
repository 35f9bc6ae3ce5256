"""The filter bar of the Duplicates page: name/path text, minimum size, category and folder.

It only holds the controls and decides which groups pass; the page applies the result to
its model when ``changed`` fires (at once for the boxes, 200 ms after the last keystroke
for the text so typing stays smooth with 100,000 groups).
"""

from __future__ import annotations

import os

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from app.gui.flow import FlowLayout
from app.gui.views.dashboard import CATEGORY_LABELS

SIZES = (
    (0, "Any size"),
    (100 * 1024, "≥ 100 KiB"),  # binary units, as every size the app shows
    (1024**2, "≥ 1 MiB"),
    (10 * 1024**2, "≥ 10 MiB"),
    (100 * 1024**2, "≥ 100 MiB"),
)


def tr(text: str) -> str:
    return QCoreApplication.translate("Duplicates", text)


class DuplicateFilters(QWidget):
    """Search box and filter boxes; ``visible(groups)`` lists the group numbers that pass."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = FlowLayout(self)  # wraps to a second row in a narrow window
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Filter by name or path (Ctrl+F)"))
        self.search.setAccessibleName(tr("Filter by name or path"))
        self.search.setClearButtonEnabled(True)
        lay.add(self.search, min_width=180)
        self.size_box = QComboBox()
        self.size_box.setAccessibleName(tr("Minimum size"))
        for value, text in SIZES:
            self.size_box.addItem(tr(text), value)
        lay.add(self.size_box)
        self.cat_box = QComboBox()
        self.cat_box.setAccessibleName(tr("Category"))
        self.cat_box.addItem(tr("All categories"), "")
        for key, text in CATEGORY_LABELS.items():
            self.cat_box.addItem(tr(text), key)
        lay.add(self.cat_box)
        self.folder_box = QComboBox()
        self.folder_box.setAccessibleName(tr("Folder"))
        for box in (self.size_box, self.cat_box, self.folder_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(9)
        lay.add(self.folder_box)

        # a signal is not a callable: `timeout=self.changed` made every keystroke raise
        self._typing = QTimer(self, singleShot=True, interval=200)
        self._typing.timeout.connect(self.changed.emit)
        self.search.textChanged.connect(self._text_changed)
        for box in (self.size_box, self.cat_box, self.folder_box):
            box.currentIndexChanged.connect(self._box_changed)

    def _text_changed(self, _text: str) -> None:
        self._typing.start()

    def _box_changed(self, _index: int) -> None:
        self.changed.emit()

    def set_folders(self, folders: list[str]) -> None:
        """Offer ``folders`` in the folder box, keeping the current choice when it is still there."""
        current = self.folder_box.currentData()
        self.folder_box.blockSignals(True)
        self.folder_box.clear()
        self.folder_box.addItem(tr("All folders"), "")
        for f in folders:
            self.folder_box.addItem(os.path.basename(f) or f, f)
        self.folder_box.setCurrentIndex(max(0, self.folder_box.findData(current)))
        self.folder_box.blockSignals(False)

    def set_custom_categories(self, custom: list[str]) -> bool:
        """Offer the built-in categories, then ``custom``; True when the chosen one went away."""
        first = len(CATEGORY_LABELS) + 1
        if [self.cat_box.itemData(i) for i in range(first, self.cat_box.count())] == custom:
            return False
        current = self.cat_box.currentData()
        self.cat_box.blockSignals(True)
        while self.cat_box.count() > first:
            self.cat_box.removeItem(self.cat_box.count() - 1)
        for name in custom:
            self.cat_box.addItem(name, name)
        self.cat_box.setCurrentIndex(max(0, self.cat_box.findData(current)))
        self.cat_box.blockSignals(False)
        return self.cat_box.currentData() != current

    def visible(self, groups: list) -> list[int]:
        """Numbers of the groups that pass every filter, in the order of ``groups``."""
        from app.core.scan.categories import category_for

        text = self.search.text().strip().lower()
        min_size = self.size_box.currentData() or 0
        cat = self.cat_box.currentData() or ""
        folder = self.folder_box.currentData() or ""
        prefix = folder.rstrip(os.sep) + os.sep if folder else ""
        out = []
        for i, g in enumerate(groups):
            if g.size < min_size:
                continue
            if cat and category_for(os.path.basename(g.files[0].path)) != cat:
                continue
            if prefix and not any(f.path.startswith(prefix) for f in g.files):
                continue
            if text and not any(text in f.path.lower() for f in g.files):
                continue
            out.append(i)
        return out
