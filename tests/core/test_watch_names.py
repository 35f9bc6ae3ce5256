"""core.watch.finished: which names are partial downloads or temp files, and the in-use checks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.core.watch.finished import (
    can_open_for_reading,
    has_partial_sibling,
    is_partial_name,
    open_for_writing,
)


@pytest.mark.parametrize("name", [
    "movie.mkv.part", "setup.exe.crdownload", "Unconfirmed 48213.crdownload", "song.mp3.download",
    "x.tmp", "x.TMP", "x.temp", "x.partial", "iso.opdownload", "a.filepart", "t.!ut", "q.!qb",
    "big.aria2", "~$report.docx", ".~lock.sheet.ods#", ".#notes.org", "#notes.org#", "notes.txt~",
    ".notes.txt.swp", "notes.txt.swp", "a.kate-swp", "x.crswap", ".goutputstream-ABC123",
    ".fuse_hidden0001", ".DS_Store", "Thumbs.db", "desktop.ini", ".hidden", "doc.pdf.sb-1a2b-XyZ",
])
def test_partial_and_temp_names(name):
    assert is_partial_name(name)


@pytest.mark.parametrize("name", [
    "report.pdf", "photo.JPG", "archive.tar.gz", "partial-results.csv", "tmp.txt", "setup.exe",
    "Download list.txt", "~tilde-start.txt", "a#b.txt",
])
def test_finished_names(name):
    assert not is_partial_name(name)


def test_hidden_files_can_be_allowed():
    assert not is_partial_name(".bashrc", ignore_hidden=False)
    assert is_partial_name(".~lock.x#", ignore_hidden=False)


def test_partial_sibling(tmp_path):
    placeholder = tmp_path / "a.pdf"
    placeholder.write_text("")
    assert not has_partial_sibling(str(placeholder))
    (tmp_path / "a.pdf.part").write_text("bytes")
    assert has_partial_sibling(str(placeholder))


def test_can_open_for_reading(tmp_path):
    f = tmp_path / "f.txt"
    f.write_text("x")
    assert can_open_for_reading(str(f))
    assert not can_open_for_reading(str(tmp_path / "missing"))
    assert not can_open_for_reading(str(tmp_path))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_open_for_writing_sees_another_process_writing(tmp_path):
    f = tmp_path / "f.bin"
    f.write_bytes(b"x")
    st = os.stat(f)
    key = (st.st_dev, st.st_ino)
    assert open_for_writing({key}) == set()
    writer = subprocess.Popen([sys.executable, "-c",
                               f"import sys,time; f=open({str(f)!r},'ab'); print('ok',flush=True); "
                               "sys.stdin.read()"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ok"
        assert open_for_writing({key}) == {key}
        with open(f, "rb"):           # a reader alone does not count
            writer.stdin.close()
            writer.wait(10)
            assert open_for_writing({key}) == set()
    finally:
        writer.kill()
