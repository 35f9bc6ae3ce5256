"""core.report.html: self-contained, escaped, capped with notes."""

import base64
import hashlib
import re
from html.parser import HTMLParser

from app.core.report.html import render_html
from app.core.report.model import (
    AgeBucket,
    DuplicateSet,
    DuplicateSummary,
    ErrorEntry,
    FileEntry,
    FolderEntry,
    Listing,
    Report,
    Share,
    Totals,
    YearCount,
)
from app.core.report.style import SORT_SCRIPT

EVIL = "<img src=x onerror=alert(1)>.txt"
EVIL2 = "\"><svg onload=alert(2)>&amp;"


class Elements(HTMLParser):
    """Collects tags, attributes and text of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text, self.scripts = [], [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)


def parse(page: str) -> Elements:
    p = Elements()
    p.feed(page)
    return p


def report(**changes) -> Report:
    root = f"/home/u/{EVIL2}"
    base = dict(
        roots=[root],
        totals=Totals(files=3, folders=2, bytes=3000, symlinks=1, unique_bytes=3000),
        by_category=[Share("documents", 2, 2000, 2 / 3), Share("other", 1, 1000, 1 / 3)],
        by_extension=Listing([Share(".txt", 2, 2000, 2 / 3), Share("", 1, 1000, 1 / 3)], 2),
        by_age=[AgeBucket("last_week", "Last 7 days", 3, 3000), AgeBucket("older", "Older", 0, 0)],
        by_year=[YearCount(2019, 1, 1000), YearCount(2024, 2, 2000)],
        largest_files=Listing([FileEntry(f"{root}/{EVIL}", 2000, 0, "documents", ".txt", 1)], 3),
        largest_folders=Listing([FolderEntry(f"{root}/{EVIL}dir", 2000, 2)], 1),
        duplicates=DuplicateSummary(1, 1, 1000),
        duplicate_groups=Listing([DuplicateSet(1, 1000, "ab" * 32, 2, 5, [f"{root}/{EVIL}", f"{root}/b"])],
                                 1),
        errors=Listing([ErrorEntry(f"{root}/{EVIL}", "permission <b>denied</b>", 0.0)], 1),
        generated_at=1_700_000_000.0,
    )
    base.update(changes)
    return Report(**base)


def test_every_name_is_escaped_text():
    page = render_html(report())
    p = parse(page)
    assert "img" not in p.tags and "svg" in p.tags                # our charts are svg; no img anywhere
    assert p.tags.count("script") == 1 and p.tags.count("b") == 0
    assert not [a for a, _ in p.attrs if a.startswith("on")]       # no event handler attribute at all
    text = "".join(p.text)
    assert text.count(EVIL) >= 4                                   # files, folders, duplicates, errors
    assert EVIL2 in text and "permission <b>denied</b>" in text
    assert EVIL not in page and "<svg onload" not in page


def test_self_contained_and_script_allowed_by_hash_only():
    page = render_html(report())
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import|url\(|<link|@font-face", page, re.I)
    digest = base64.b64encode(hashlib.sha256(SORT_SCRIPT.encode()).digest()).decode()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and f"script-src 'sha256-{digest}'" in csp
    assert f"<script>{SORT_SCRIPT}</script>" in page
    assert "prefers-color-scheme: dark" in page and "@media print" in page


def test_summary_numbers_are_in_data_attributes():
    page = render_html(report())
    for key, value in (("files", 3), ("bytes", 3000), ("folders", 2), ("reclaimable", 1000), ("errors", 1)):
        assert re.search(rf'id="sum-{key}" data-value="{value}"', page), key


def test_capped_lists_say_how_many_more():
    page = render_html(report(largest_files=Listing([FileEntry("/a", 1, 0, "other", "")], 1_000_001)))
    assert "Showing the first 1 of 1,000,001 files; 1,000,000 more not shown." in page
    assert "and 3 more" in page                                    # 5 paths in the group, 2 listed


def test_empty_index_renders():
    page = render_html(Report([], Totals(), [], Listing(), [], [], Listing(), Listing(), DuplicateSummary(),
                              Listing(), Listing()))
    assert "No files." in page and "No duplicate files found" in page and "the whole index" in page
    assert 'data-value="0"' in page


def test_many_years_and_a_big_capped_report_stay_small():
    long = "/" + "/".join(["deeply nested folder name"] * 20)
    files = [FileEntry(f"{long}/file {i}.bin", 10**9 - i, 0, "other", ".bin", i) for i in range(100)]
    groups = [DuplicateSet(i, 10**6, "ab" * 32, 50, 50, [f"{long}/copy {j}" for j in range(10)])
              for i in range(100)]
    years = [YearCount(y, 1, 10) for y in range(1900, 2030)]
    page = render_html(report(largest_files=Listing(files, 10**6),
                              largest_folders=Listing([FolderEntry(long, 1, 1)] * 100, 50_000),
                              duplicate_groups=Listing(groups, 200_000), by_year=years,
                              by_extension=Listing([Share(f".e{i}", 1, 1, 0.0) for i in range(50)], 4000),
                              errors=Listing([ErrorEntry(long, "permission denied", 0.0)] * 500, 10**5)))
    assert len(page.encode()) < 5 * 2**20
    assert ">1900<" in page and ">2029<" in page


def test_counts_in_the_page_read_in_the_singular_too():
    """Issue 18.10: '1 groups', '1 files' in the summary card, the notes and the tooltips."""
    one = DuplicateSet(1, 10, "ab" * 32, 2, 10, ["/r/a", "/r/b"])
    page = render_html(report(duplicates=DuplicateSummary(1, 1, 10), duplicate_groups=Listing([one], 1),
                              by_year=[YearCount(2020, 1, 10)]))
    assert "1 duplicate file in 1 group" in page and "1 group of identical files" in page
    assert "2020: 1 file, 10 B" in page
    assert not re.search(r"\b1 (files|groups|duplicate files)\b", page)
