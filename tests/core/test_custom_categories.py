"""Custom categories in the engine: validation, classification, rules and templates."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.organize.matching import compile_rules
from app.core.organize.planner import plan_organize
from app.core.organize.rules import rule_from_dict
from app.core.organize.templates import Fields, Template
from app.core.scan.categories import active_map, category_for, classify, use_custom
from app.core.scan.custom_categories import (
    CategoryError,
    CustomCategory,
    custom_map,
    normalize_extension,
    split_extensions,
    validate,
)
from app.core.scan.walk import walk

BOOKS = CustomCategory("E-books", (".epub", ".mobi", ".azw3"), "u1")
RAW = CustomCategory("RAW photos", (".cr2", ".nef", ".arw"), "u2")


@pytest.mark.parametrize("text, ext", [("EPUB", ".epub"), (".Mobi", ".mobi"), ("*.azw3", ".azw3"),
                                       (" cr2 ", ".cr2"), ("TAR.GZ", ".tar.gz")])
def test_extensions_are_normalized(text, ext):
    assert normalize_extension(text) == ext


def test_split_extensions_accepts_commas_and_spaces():
    assert split_extensions("epub, mobi;azw3  .cbz") == ["epub", "mobi", "azw3", ".cbz"]


@pytest.mark.parametrize("name, exts, field, message", [
    ("  ", ["epub"], "name", "Give the category a name."),
    ("e-BOOKS", ["djvu"], "name", "There is already a category named 'E-books'."),
    ("Images", ["jxl"], "name", "'Images' is a built-in category; choose another name."),
    ("a/b", ["x"], "name", "cannot contain"),
    ("x" * 101, ["x"], "name", "at most 100 characters"),
    ("Books", [], "extensions", "List at least one extension"),
    ("Books", ["."], "extensions", "An extension cannot be empty."),
    ("Books", ["my ext"], "extensions", "'my ext' is not an extension"),
    ("Books", ["a.b"], "extensions", "'a.b' is not an extension"),
    ("Books", ["pdf", "EPUB"], "extensions", ".epub already belongs to 'E-books'"),
])
def test_invalid_categories_are_rejected_with_a_message(name, exts, field, message):
    with pytest.raises(CategoryError) as err:
        validate(name, exts, [BOOKS, RAW])
    assert err.value.field == field
    assert message in str(err.value)


def test_validate_normalizes_and_drops_repeats():
    cat = validate("  Comic   books ", ["CBZ", ".cbz", "cbr"], [BOOKS])
    assert cat == CustomCategory("Comic books", (".cbz", ".cbr"))


def test_custom_extensions_override_the_built_in_map():
    assert category_for("novel.epub") == "documents" and category_for("IMG_1.CR2") == "images"
    use_custom(custom_map([BOOKS, RAW]))
    assert category_for("novel.epub") == "E-books"
    assert category_for("IMG_1.CR2") == "RAW photos"
    assert classify("a.AZW3") == (".azw3", "E-books")
    assert category_for("report.pdf") == "documents"          # the rest is unchanged
    # a custom category claims its extension outright: a TIFF signature does not override it
    assert category_for("IMG_2.nef", b"II*\x00" + b"\0" * 20) == "RAW photos"
    assert category_for("noext", b"II*\x00" + b"\0" * 20) == "images"
    use_custom({})
    assert category_for("novel.epub") == "documents" and active_map()[".cr2"] == "images"


def test_an_extension_claimed_twice_stays_with_the_first_category():
    # two devices may each have claimed it before syncing; the older category keeps it
    later = CustomCategory("Books", (".epub", ".fb2"))
    assert custom_map([BOOKS, later]) == {".epub": "E-books", ".mobi": "E-books", ".azw3": "E-books",
                                          ".fb2": "Books"}


def _plan(root: Path, rule: dict, dest: Path):
    records = [r for b in walk([str(root)]) for r in b]
    compiled = compile_rules([rule_from_dict(rule)], [str(root)])
    return {os.path.basename(op.src): op.dst for op in plan_organize(records, compiled, [str(root)],
                                                                      str(dest)).plan.operations}


def test_category_condition_and_template_use_custom_categories(tmp_path):
    root, dest = tmp_path / "in", tmp_path / "out"
    root.mkdir()
    for name in ("a.epub", "b.MOBI", "c.pdf", "d.cr2"):
        (root / name).write_bytes(b"x")
    use_custom(custom_map([BOOKS, RAW]))
    by_category = {"name": "By category", "actions": [{"type": "move", "to": "{category}"}]}
    assert _plan(root, by_category, dest) == {
        "a.epub": str(dest / "E-books" / "a.epub"), "b.MOBI": str(dest / "E-books" / "b.MOBI"),
        "c.pdf": str(dest / "documents" / "c.pdf"), "d.cr2": str(dest / "RAW photos" / "d.cr2")}
    # a category condition names a custom category in any case
    books = {"name": "Books", "conditions": [{"type": "category", "categories": ["e-books"]}],
             "actions": [{"type": "move", "to": "Library"}]}
    assert set(_plan(root, books, dest)) == {"a.epub", "b.MOBI"}
    docs = {"name": "Docs", "conditions": [{"type": "category", "categories": ["Documents"]}],
            "actions": [{"type": "move", "to": "Docs"}]}
    assert set(_plan(root, docs, dest)) == {"c.pdf"}
    assert Template.parse("{category}/{name}").expand(Fields("/in/x.azw3", 1, 0)) == ["E-books", "x.azw3"]


def test_a_rule_may_name_a_custom_category_not_defined_yet():
    rule = rule_from_dict({"name": "Comics", "conditions": [{"type": "category", "categories": ["Comics"]}],
                           "actions": [{"type": "move", "to": "c"}]})
    assert rule.conditions[0].options["categories"] == ["Comics"]
    rule = rule_from_dict({"name": "Pics", "conditions": [{"type": "category", "categories": ["IMAGES"]}],
                           "actions": [{"type": "move", "to": "p"}]})
    assert rule.conditions[0].options["categories"] == ["images"]
