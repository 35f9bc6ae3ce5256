"""The one frame of every command that runs a job (app.cli.console.job): Ctrl+C -> the job's
Progress is cancelled -> "Cancelled; ..." on stderr -> exit code 130; the database is closed
however the job ends."""

from __future__ import annotations

import pytest

from app.cli import EXIT_INTERRUPTED
from app.cli.console import Interrupted, job
from app.jobs import database


@pytest.fixture
def closes(monkeypatch):
    """Records each database the frame closes (the real close still runs)."""
    closed: list[object] = []
    real = database.Database.close

    def close(self) -> None:
        closed.append(self)
        real(self)

    monkeypatch.setattr(database.Database, "close", close)
    return closed


def test_a_cancelled_job_says_so_and_ends_with_130(app_home, closes, capsys):
    with pytest.raises(Interrupted), job("the index keeps what was scanned so far.", quiet=True) as j:
        j.db.set_setting("probe", 1)          # a real database: the job could write to it
        j.progress.cancel()                   # what the first Ctrl+C does
        j.progress.check()                    # the job notices at its next check
    assert capsys.readouterr().err == "Cancelled; the index keeps what was scanned so far.\n"
    assert closes == [j.db]
    with database.opened() as db:
        assert db.get_setting("probe") == 1


def test_a_finished_or_failed_job_closes_the_database_and_says_nothing(app_home, closes, capsys):
    with job("never shown.", quiet=True) as j:
        pass
    with pytest.raises(OSError), job("never shown.", quiet=True) as failed:
        raise OSError("disk full")
    assert closes == [j.db, failed.db]
    assert capsys.readouterr().err == ""


def test_main_turns_the_cancel_into_exit_code_130(app_home, monkeypatch, capsys, tmp_path):
    """Through the real command: the scan's Progress is cancelled as Ctrl+C would."""
    from app.cli import main
    from app.core.progress import Progress

    (tmp_path / "a.txt").write_text("a")
    real_check = Progress.check

    def interrupted(self) -> None:            # Ctrl+C arrives as the scan starts
        self.cancel()
        real_check(self)

    monkeypatch.setattr(Progress, "check", interrupted)
    assert main(["scan", "-q", str(tmp_path)]) == EXIT_INTERRUPTED
    assert "Cancelled; the index keeps what was scanned so far." in capsys.readouterr().err
