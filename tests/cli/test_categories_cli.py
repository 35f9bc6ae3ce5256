"""`fileorganizer categories` in a subprocess: list (text and JSON), add, edit, remove, errors, and
the effect on scans, reports and the organizer's by-category preset."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    for name in ("novel.epub", "story.mobi", "IMG_1.CR2", "report.pdf"):
        (root / name).write_bytes(b"data " + name.encode())
    return root


def listing(run_cli) -> dict:
    proc = run_cli("categories", "list", "--json", check=True)
    return {c["name"]: c for c in json.loads(proc.stdout)}


def test_add_list_edit_remove(run_cli):
    proc = run_cli("categories", "add", "E-books", "EPUB,mobi", ".azw3", check=True)
    assert "Added E-books: .epub .mobi .azw3" in proc.stdout
    cats = listing(run_cli)
    assert cats["E-books"]["custom"] is True and cats["E-books"]["extensions"] == [".epub", ".mobi", ".azw3"]
    assert cats["documents"]["custom"] is False and ".epub" in cats["documents"]["claimed_by_custom"]
    assert ".epub" not in cats["documents"]["extensions"]

    run_cli("categories", "edit", "e-books", "epub", "fb2", "--rename", "Books", check=True)
    text = run_cli("categories", "list", check=True).stdout
    assert "Custom categories:" in text and "Books" in text and ".fb2" in text and "E-books" not in text
    # issue 18.11: the extensions a custom category took read as moved there, not as gained
    documents = next(line for line in text.splitlines() if line.strip().startswith("documents "))
    assert documents.endswith("  (.epub is in Books now)") and "[custom:" not in text
    run_cli("categories", "add", "RAW", "cr2", "nef", check=True)
    images = next(line for line in run_cli("categories", "list", check=True).stdout.splitlines()
                  if line.strip().startswith("images "))
    assert images.endswith(" .avif  (.cr2 .nef are in RAW now)")
    run_cli("categories", "remove", "RAW", check=True)

    proc = run_cli("categories", "remove", "books", check=True)
    assert proc.stdout.startswith("Removed Books")
    assert [c for c in listing(run_cli).values() if c["custom"]] == []
    assert "No custom categories" in run_cli("categories", "list", check=True).stdout


@pytest.mark.parametrize("args, message", [
    (("add", "E-BOOKS", "fb2"), "There is already a category named 'E-books'"),
    (("add", "Novels", "EPUB"), ".epub already belongs to 'E-books'"),
    (("add", "Images", "jxl"), "'Images' is a built-in category"),
    (("add", "a/b", "x"), "cannot contain"),
    (("add", "Notes", "my.notes"), "'my.notes' is not an extension"),
    (("edit", "Nope", "x"), "There is no custom category named 'Nope'"),
    (("edit", "E-books"), "give the new extensions and/or --rename"),
    (("remove", "video"), "'video' is a built-in category; only custom ones can be changed"),
])
def test_invalid_input_exits_2_with_the_reason(run_cli, args, message):
    run_cli("categories", "add", "books", "epub", check=True)
    run_cli("categories", "edit", "books", "--rename", "E-books", check=True)
    proc = run_cli("categories", *args)
    assert proc.returncode == 2, proc.stdout
    assert message in proc.stderr
    assert [c["name"] for c in listing(run_cli).values() if c["custom"]] == ["E-books"]


def test_scan_report_and_by_category_preview_use_custom_categories(run_cli, tree, tmp_path):
    run_cli("scan", str(tree), check=True)
    proc = run_cli("categories", "add", "E-books", "epub", "mobi", check=True)
    assert "2 indexed files re-classified" in proc.stdout
    run_cli("categories", "add", "RAW photos", "cr2", "nef", check=True)
    report = tmp_path / "report.json"
    run_cli("report", str(tree), "--format", "json", "-o", str(report), check=True)
    by_cat = {c["category"]: c["files"] for c in json.loads(report.read_text())["by_category"]}
    assert by_cat == {"E-books": 2, "RAW photos": 1, "documents": 1}

    dest = tmp_path / "sorted"
    proc = run_cli("organize", str(tree), "--preset", "by-category", "--dest", str(dest), "--format", "json",
                   check=True)
    moves = {op["src"].rsplit("/", 1)[1]: op["dst"] for op in json.loads(proc.stdout)["operations"]
             if op["kind"] == "move"}
    assert moves == {"novel.epub": str(dest / "E-books" / "novel.epub"),
                     "story.mobi": str(dest / "E-books" / "story.mobi"),
                     "IMG_1.CR2": str(dest / "RAW photos" / "IMG_1.CR2"),
                     "report.pdf": str(dest / "documents" / "report.pdf")}

    run_cli("categories", "remove", "E-books", check=True)
    run_cli("report", str(tree), "--format", "json", "-o", str(report), check=True)
    by_cat = {c["category"]: c["files"] for c in json.loads(report.read_text())["by_category"]}
    assert by_cat == {"documents": 3, "RAW photos": 1}


def test_html_report_gives_custom_categories_a_colour_and_their_name(run_cli, tree, tmp_path):
    from app.core.report.style import CATEGORY_COLORS, category_class, category_color

    run_cli("scan", str(tree), check=True)
    run_cli("categories", "add", "RAW photos", "cr2", check=True)
    page = tmp_path / "report.html"
    run_cli("report", str(tree), "--format", "html", "-o", str(page), check=True)
    html = page.read_text()
    css = category_class("RAW photos")
    assert " " not in css and css.startswith("c-x")
    light, dark = category_color("RAW photos")
    assert (light, dark) not in CATEGORY_COLORS.values()
    assert f".{css}{{--c:{light}}}" in html and f".{css}{{--c:{dark}}}" in html
    assert f'class="swatch {css}"></span>RAW photos<' in html
    assert f'class="bar {css}"' in html
    # the same name gets the same colour on every run and device
    assert category_color("RAW photos") == (light, dark) and category_class("RAW photos") == css
