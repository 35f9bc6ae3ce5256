import pytest

from app.core.scan.categories import CATEGORIES, category_for, extension_of


@pytest.mark.parametrize("name, ext", [
    ("a.TXT", ".txt"), ("backup.tar.gz", ".tar.gz"), ("x.TAR.BZ2", ".tar.bz2"), ("notes", ""),
    (".bashrc", ""), ("archive.gz", ".gz"), ("dots.in.name.pdf", ".pdf"), ("trailing.", ""),
    ("résumé 日本.Docx", ".docx"),
])
def test_extension_of(name, ext):
    assert extension_of(name) == ext


def test_categories_by_extension():
    assert CATEGORIES == ("documents", "images", "audio", "video", "archives", "code", "installers", "other")
    assert category_for("a.pdf") == "documents"
    assert category_for("a.HEIC") == "images"
    assert category_for("a.flac") == "audio"
    assert category_for("a.mkv") == "video"
    assert category_for("a.tar.gz") == "archives"
    assert category_for("a.py") == "code"
    assert category_for("setup.msi") == "installers"
    assert category_for("blob.dat") == "other"


def test_magic_bytes_fill_in_missing_or_wrong_extensions():
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
    assert category_for("noext", png) == "images"
    assert category_for("photo.txt", png) == "images"            # a distinctive signature wins
    assert category_for("x", b"%PDF-1.7") == "documents"
    assert category_for("x", b"RIFF\0\0\0\0WAVEfmt ") == "audio"
    assert category_for("x", b"\0\0\0\x18ftypheic") == "images"
    assert category_for("x", b"\0\0\0\x18ftypisom") == "video"
    # a container signature does not override a known extension (a .docx is a zip)
    assert category_for("report.docx", b"PK\x03\x04rest") == "documents"
    assert category_for("unknown.bin", b"PK\x03\x04rest") == "archives"
    assert category_for("random.bin", b"\x13\x37random") == "other"
    assert category_for("a.txt", b"") == "documents"
