"""Path templates: every field, format specs, defaults, ~ and env vars, and errors shown before running."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from app.core.organize.templates import Fields, Template, TemplateError, name_problem, render, size_bucket

MTIME = int(dt.datetime(2023, 4, 5, 12, 0).timestamp() * 1e9)


def fields(path="/src/photos/Holiday Pic.JPG", size=5000, counter=7) -> Fields:
    return Fields(path, size, MTIME, counter)


@pytest.mark.parametrize(("text", "expected"), [
    ("{category}", "images"),
    ("{ext}", "jpg"),
    ("{name}", "Holiday Pic.JPG"),
    ("{stem}", "Holiday Pic"),
    ("{parent}", "photos"),
    ("{year}", "2023"),
    ("{month}", "04"),
    ("{day}", "05"),
    ("{size_bucket}", "small"),
    ("{counter}", "7"),
    ("{counter:03}", "007"),
    ("{year}/{month}/{day}", "2023/04/05"),
    ("by {category}/{ext} files", "by images/jpg files"),
    ("{{literal}}", "{literal}"),
])
def test_each_field(text, expected):
    assert render(Template.parse(text), fields(), "/dest") == "/dest/" + expected


def test_compound_extension_and_missing_extension():
    f = Fields("/src/backup.tar.gz", 10, MTIME)
    assert render(Template.parse("{ext}/{stem}"), f, "/d") == "/d/tar.gz/backup"
    bare = Fields("/src/README", 10, MTIME)
    assert render(Template.parse("{ext|no-extension}"), bare, "/d") == "/d/no-extension"
    with pytest.raises(TemplateError, match="gives an empty name"):
        render(Template.parse("{ext}/x"), bare, "/d")       # empty component, no default


def test_size_buckets():
    assert [size_bucket(n) for n in (0, 1, (1 << 20) - 1, 1 << 20, 100 << 20, 1 << 30)] == \
        ["empty", "small", "small", "medium", "large", "huge"]


def test_home_and_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FO_TEST_DIR", "sorted")
    t = Template.parse("~/Pictures/{year}")
    assert t.absolute and t.anchor == str(tmp_path / "home" / "Pictures")
    assert render(t, fields(), "/ignored") == str(tmp_path / "home" / "Pictures" / "2023")
    assert render(Template.parse("$FO_TEST_DIR/{ext}"), fields(), "/d") == "/d/sorted/jpg"
    assert render(Template.parse("${FO_TEST_DIR}/x"), fields(), "/d") == "/d/sorted/x"
    with pytest.raises(TemplateError, match="FO_NOT_SET_ANYWHERE is not set"):
        Template.parse("$FO_NOT_SET_ANYWHERE/{ext}")


@pytest.mark.parametrize(("text", "message"), [
    ("../outside/{ext}", "climbs out"),
    ("{ext}/../../etc", "climbs out"),
    ("{unknown}", "unknown field"),
    ("{ext", "unbalanced"),
    ("ext}", "unbalanced"),
    ("CON/{ext}", "reserved name"),
    ("lpt1.txt/{ext}", "reserved name"),
    ("bad:name/{ext}", "not allowed"),
    ('a"b/{ext}', "not allowed"),
    ("x{ext}?", "not allowed"),
    ("trailing./{ext}", "ends with a dot"),
    ("trailing /{ext}", "ends with a dot or space"),
    ("x" * 300 + "/{ext}", "longer than 255"),
    ("{counter:q}", "bad format"),
    ("{ext|bad:default}", "default"),
    ("", "empty"),
])
def test_invalid_templates_fail_before_running(text, message):
    with pytest.raises(TemplateError, match=message):
        Template.parse(text)


def test_name_template_is_one_component():
    with pytest.raises(TemplateError, match="cannot contain"):
        Template.parse("{year}/{name}", kind="name")
    assert render(Template.parse("{stem} {counter:02}.{ext}", kind="name"), fields(), "/d") == \
        "/d/Holiday Pic 07.jpg"


def test_values_that_make_invalid_names_are_reported_per_file():
    reserved = Fields("/src/CON.txt", 1, MTIME)
    with pytest.raises(TemplateError, match="reserved"):
        render(Template.parse("{stem}/{name}"), reserved, "/d")
    # the file's own unchanged name is accepted: it already exists on this system
    assert render(Template.parse("{name}", kind="name"), reserved, "/d") == "/d/CON.txt"
    dotted = Fields("/src/weird./f.txt", 1, MTIME)
    with pytest.raises(TemplateError, match="ends with a dot"):
        render(Template.parse("{parent}"), dotted, "/d")
    deep = Fields("/src/" + "n" * 200 + ".txt", 1, MTIME)
    with pytest.raises(TemplateError, match="longer than"):
        render(Template.parse("/".join(["{stem}"] * 25)), deep, "/d")


def test_name_problem_accepts_ordinary_names():
    for ok in ("report.pdf", "Фото 1.jpg", "a b (1).tar.gz", ".hidden", "CONSOLE.txt"):
        assert name_problem(ok) is None, ok
    assert name_problem("nul.tar.gz")
    assert name_problem("tab\there")


def test_absolute_template_stays_in_its_anchor(tmp_path):
    t = Template.parse(str(tmp_path / "sorted" / "{ext}"))
    assert t.anchor == str(tmp_path / "sorted")
    assert render(t, fields(), "/other") == os.path.join(str(tmp_path), "sorted", "jpg")
