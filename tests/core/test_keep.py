"""Keep policies and their priority lists."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.core.dedup.keep import choose_keep, parse_policy


@dataclass
class F:
    path: str
    mtime_ns: int


FILES = [F("/data/b/long/name/x.txt", 300), F("/data/a/x.txt", 200), F("/ref/x.txt", 300),
         F("/data/a/y-longer.txt", 100)]


@pytest.mark.parametrize("policy, expected", [
    ("oldest", "/data/a/y-longer.txt"),
    ("newest", "/data/b/long/name/x.txt"),          # tie with /ref/x.txt broken by path
    ("shortest-path", "/ref/x.txt"),
    ("longest-path", "/data/b/long/name/x.txt"),
    ("first-root", "/ref/x.txt"),
    ("newest,shortest-path", "/ref/x.txt"),         # second criterion breaks the tie
])
def test_single_and_combined_policies(policy, expected):
    roots = ["/ref", "/data"]
    assert choose_keep(FILES, parse_policy(policy), roots).path == expected


def test_first_root_then_oldest_within_the_root():
    roots = ["/data", "/ref"]
    assert choose_keep(FILES, parse_policy("first-root,oldest"), roots).path == "/data/a/y-longer.txt"


def test_first_root_matches_whole_folder_names_only():
    files = [F("/data2/x", 1), F("/data/x", 2)]
    assert choose_keep(files, ["first-root"], ["/data"]).path == "/data/x"


def test_first_root_through_a_symlinked_root(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real)
    files = [F("/elsewhere/x", 1), F(str(real / "x"), 2)]
    assert choose_keep(files, ["first-root"], [str(tmp_path / "alias")]).path == str(real / "x")


def test_choice_is_deterministic_regardless_of_order():
    files = [F("/b", 5), F("/a", 5), F("/c", 5)]
    assert choose_keep(files, ["oldest"]).path == choose_keep(files[::-1], ["oldest"]).path == "/a"


@pytest.mark.parametrize("bad", ["", "biggest", "oldest,,nope"])
def test_bad_policy_names_are_rejected(bad):
    with pytest.raises(ValueError):
        parse_policy(bad)


def test_policy_parsing_accepts_spaces_and_case():
    assert parse_policy(" First-Root , OLDEST ") == ("first-root", "oldest")
