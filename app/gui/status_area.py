"""The strip at the bottom of the window: the running job's stage, progress, ETA and Cancel."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QVBoxLayout

from app.core.progress import Snapshot
from app.gui import fmt
from app.gui.widgets import button
from app.gui.worker import JobManager

STAGE_NAMES = {  # every stage a job names (progress.stage); users never read the internal names
    "walk": "Scanning folders",
    "scan": "Scanning folders",
    "index": "Updating the index",
    "size": "Grouping by size",
    "prefix": "Comparing file starts",
    "partial": "Comparing file starts",
    "hash": "Hashing candidates",
    "full": "Hashing candidates",
    "compare": "Comparing files with the same size",
    "group": "Building groups",
    "plan": "Planning the changes",
    "apply": "Applying the changes",
    "verify": "Checking the files before acting",
    "select": "Selecting copies",
    "export": "Writing the report",
    "report": "Preparing the report",
    "forget": "Removing from the index",
    "recover": "Finishing an interrupted operation",
    "sync": "Syncing",
    "sign-in": "Signing in",
    "sign-out": "Signing out",
}


def tr(text: str) -> str:
    return QCoreApplication.translate("StatusArea", text)


def IDLE_HINT() -> str:  # noqa: N802 - reads like the constant it is, translated at call time
    return tr("Drop folders anywhere on this window to scan them. F5 scans again, Esc cancels.")


class StatusArea(QFrame):
    """Shows the newest running job; idle it shows the last notice."""

    def __init__(self, jobs: JobManager) -> None:
        super().__init__()
        self.setObjectName("StatusArea")
        self.jobs = jobs
        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 8, 12, 8)
        lay.setSpacing(12)
        text = QVBoxLayout()
        text.setSpacing(0)
        self.stage = QLabel(tr("Ready"))
        self.stage.setObjectName("StatusStage")
        self.stage.setAccessibleName(tr("Job status"))
        self.detail = QLabel("")
        self.detail.setObjectName("StatusDetail")
        self.detail.setAccessibleName(tr("Job details"))
        text.addWidget(self.stage)
        text.addWidget(self.detail)
        lay.addLayout(text, 1)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(260)
        self.bar.setAccessibleName(tr("Job progress"))
        self.bar.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        lay.addWidget(self.bar, 0, Qt.AlignmentFlag.AlignVCenter)
        self.cancel = button(tr("Cancel"), "cancel", tip=tr("Stop the running job (Esc)"))
        self.cancel.clicked.connect(self._cancel)
        lay.addWidget(self.cancel)
        self.current: str | None = None
        self._notice = ""
        self._clear_timer = QTimer(self, singleShot=True, interval=15000, timeout=self._idle)
        jobs.started.connect(self._started)
        jobs.progress.connect(self._progress)
        jobs.finished.connect(self._finished)
        self._idle()

    def _started(self, kind: str) -> None:
        if kind in self.jobs.quiet:
            return
        self.current = kind
        self._clear_timer.stop()
        self.stage.setText(self.jobs.labels.get(kind, kind) + "…")
        self.detail.setText("")
        self.bar.setRange(0, 0)  # busy until the first snapshot
        self.bar.show()
        self.cancel.show()
        self.cancel.setEnabled(True)

    def _progress(self, kind: str, snap: Snapshot) -> None:
        if kind != self.current:
            return
        label = self.jobs.labels.get(kind, kind)
        stage = tr(STAGE_NAMES[snap.stage]) if snap.stage in STAGE_NAMES else label
        self.stage.setText(stage + "…")
        # A scan's total is an estimate from the last scan of these folders; a folder added
        # since makes it too small. Past it, the count is all that is known: no bar, no ETA.
        overrun = bool(snap.total) and snap.done > snap.total and not snap.bytes_total
        frac = None if overrun else snap.fraction
        if frac is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(frac * 1000))
        parts = []
        if snap.total and not overrun:
            parts.append(
                tr("{done} of {total}").format(
                    done=fmt.count(snap.done), total=fmt.plural(snap.total, tr("file"), tr("files"))
                )
            )
        elif snap.done:
            parts.append(fmt.plural(snap.done, tr("file"), tr("files")))
        if snap.bytes_total:
            parts.append(f"{fmt.size(snap.bytes_done)} / {fmt.size(snap.bytes_total)}")
        if snap.eta is not None and not overrun:
            parts.append(tr("about {t} left").format(t=fmt.duration(snap.eta)))
        if snap.errors:
            parts.append(fmt.plural(snap.errors, tr("problem"), tr("problems")))
        if snap.message:
            parts.append(snap.message)
        self.detail.setText(" · ".join(parts))

    def _finished(self, kind: str) -> None:
        running = [k for k in self.jobs.running() if k not in self.jobs.quiet]
        if running:
            self._started(running[-1])
            return
        if kind in self.jobs.quiet and self.current is None:
            return
        self.current = None
        self.stage.setText(tr("Ready"))
        self.detail.setText(self._notice or IDLE_HINT())
        self.bar.hide()
        self.cancel.hide()
        self._clear_timer.start()

    def _cancel(self) -> None:
        if self.current:
            self.cancel.setEnabled(False)
            self.stage.setText(tr("Cancelling…"))
            self.jobs.cancel(self.current)

    def cancel_current(self) -> bool:
        if self.current and self.cancel.isEnabled():
            self._cancel()
            return True
        return False

    def notify(self, text: str) -> None:
        """Show a notice while no job runs (e.g. a result summary)."""
        self._notice = text
        if self.current is None:
            self.stage.setText(tr("Ready"))
            self.detail.setText(text)
        self._clear_timer.start()

    def _idle(self) -> None:
        self._notice = ""
        if self.current is None:
            self.stage.setText(tr("Ready"))
            self.detail.setText(IDLE_HINT())
            self.bar.hide()
            self.cancel.hide()
