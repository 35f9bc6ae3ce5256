"""The app's flat lists (``widgets.table``: the organizer's preview, History, the Dashboard's
lists) ask their model only about the rows on screen, however many rows it holds: a view that
lays out every row through Python froze the window for 14 s on a million planned moves."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.gui.models.rows import Column, RowsModel
from app.gui.widgets import table

pytestmark = pytest.mark.gui


class CountingModel(RowsModel):
    """Counts the calls into Python that a view makes per row."""

    def __init__(self, columns) -> None:
        super().__init__(columns)
        self.calls = 0

    def flags(self, index):
        self.calls += 1
        return super().flags(index)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        self.calls += 1
        return super().data(index, role)

    def rowCount(self, parent=None):  # noqa: N802 (Qt's name)
        self.calls += 1
        return super().rowCount() if parent is None else super().rowCount(parent)


def test_a_hundred_thousand_rows_cost_the_rows_on_screen(qapp, qtbot):
    model = CountingModel([Column("Name", lambda r: r[0]), Column("Size", lambda r: r[1])])
    view = table(model, stretch=0, name="Many rows")
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitExposed(view)
    rows = [(f"file {i}.txt", str(i)) for i in range(100_000)]
    model.calls = 0
    model.set_rows(rows)
    qtbot.wait(50)                      # the reset laid out and painted
    view.repaint()
    assert view.indexAt(view.viewport().rect().topLeft()).row() == 0
    assert 0 < model.calls < 5_000, model.calls         # a QTreeView made ~400,000 here
    model.calls = 0
    view.scrollToBottom()
    qtbot.wait(50)
    assert view.indexAt(view.viewport().rect().bottomLeft()).row() >= 99_980
    assert model.calls < 5_000, model.calls
