"""The confirm dialog shown before any action on files: what, how many, how many bytes, which files."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui import fmt, theme

MAX_LISTED = 2000


def tr(text: str) -> str:
    return QCoreApplication.translate("Confirm", text)


TEXTS = {  # (title for one, title for several, explanation)
    "trash": (
        "Move 1 file to the trash?",
        "Move {n} files to the trash?",
        "They can be restored from the trash, or with Undo in History.",
    ),
    "hardlink": (
        "Replace 1 file with a hard link?",
        "Replace {n} files with hard links?",
        "Each file becomes a link to the copy that is kept; the content stays reachable at "
        "every path. Undo in History restores separate copies.",
    ),
    "move": ("Move 1 file to {dest}?", "Move {n} files to {dest}?", "Undo in History moves them back."),
    "delete": (
        "Delete 1 file permanently?",
        "Delete {n} files permanently?",
        "This cannot be undone: the files do not go to the trash.",
    ),
    "apply": (
        "Apply 1 change?",
        "Apply {n} changes?",
        "Files are moved or renamed as listed. Undo in History reverts them.",
    ),
}


class ConfirmDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        action: str,
        paths: list[str],
        nbytes: int,
        dest: str | None = None,
        note: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Confirm"))
        self.setMinimumWidth(560)
        one, several, detail = TEXTS[action]
        title = one if len(paths) == 1 else several
        lay = QVBoxLayout(self)
        lay.setSpacing(10)
        lay.setContentsMargins(20, 18, 20, 16)
        head = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(theme.icon("warning" if action == "delete" else "file", "accent").pixmap(32, 32))
        head.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        heading = QLabel(tr(title).format(n=fmt.count(len(paths)), dest=dest or ""))
        heading.setObjectName("SectionTitle")
        heading.setWordWrap(True)
        text.addWidget(heading)
        size_line = QLabel(tr("{size} in total. ").format(size=fmt.size(nbytes)) + tr(detail))
        size_line.setWordWrap(True)
        size_line.setObjectName("Muted")
        text.addWidget(size_line)
        if action == "apply" and dest:
            where = QLabel(tr("Into: {dest}").format(dest=dest))
            where.setWordWrap(True)
            where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            where.setAccessibleName(tr("Destination folder"))
            text.addWidget(where)
        if note:
            warning = QLabel(note)
            warning.setWordWrap(True)
            warning.setStyleSheet(f"color: {theme.palette_color('warn').name()}; font-weight: 600;")
            text.addWidget(warning)
        head.addLayout(text, 1)
        lay.addLayout(head)
        # what `fileorganizer dupes --action hardlink --allow-different-owners` does, unchecked
        # as there: by default a copy owned by someone else (or with other permissions) stays
        self.any_owner = QCheckBox(tr("Also link copies whose owner, group or permissions differ"))
        self.any_owner.setToolTip(
            tr("Unchecked, such copies are skipped and listed in History: a link would let others "
               "read them, or take them from their owner.")
        )
        self.any_owner.setVisible(action == "hardlink")
        lay.addWidget(self.any_owner)
        self.files = QListWidget()
        self.files.setAccessibleName(tr("Files affected"))
        # not uniform: a name with CJK characters needs a taller row (its underscores were cut)
        self.files.setUniformItemSizes(False)
        self.files.setTextElideMode(Qt.TextElideMode.ElideLeft)  # the file names are at the end
        self.files.addItems(paths[:MAX_LISTED])
        if len(paths) > MAX_LISTED:
            self.files.addItem(tr("… and {n} more").format(n=len(paths) - MAX_LISTED))
        lay.addWidget(self.files, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(
            {
                "trash": tr("Move to trash"),
                "hardlink": tr("Replace"),
                "move": tr("Move"),
                "delete": tr("Delete permanently"),
                "apply": tr("Apply"),
            }[action]
        )
        ok.setProperty("primary", action != "delete")
        ok.setProperty("danger", action == "delete")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(action == "delete")
        ok.setDefault(action != "delete")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(620, 440)


# Tests replace this to answer the dialog without showing it.
def confirm_action(
    parent: QWidget | None,
    action: str,
    paths: list[str],
    nbytes: int,
    dest: str | None = None,
    note: str = "",
) -> bool:
    """Ask before acting; True when the user confirmed. ``note``: a warning shown in bold."""
    dialog = ConfirmDialog(parent, action, paths, nbytes, dest, note)
    return dialog.exec() == QDialog.DialogCode.Accepted


def confirm_hardlink(
    parent: QWidget | None, paths: list[str], nbytes: int, note: str = ""
) -> tuple[bool, bool]:
    """Ask before replacing copies with hard links: (confirmed, link copies of other owners too)."""
    dialog = ConfirmDialog(parent, "hardlink", paths, nbytes, None, note)
    confirmed = dialog.exec() == QDialog.DialogCode.Accepted
    return confirmed, confirmed and dialog.any_owner.isChecked()
