"""Every relative link in README.md, CHANGELOG.md and docs/*.md points at a file that exists, and
a link to a heading (`file.md#heading`) at a heading that exists, so moving or renaming a page
cannot leave the front door or the docs pointing nowhere."""

from __future__ import annotations

import re
from pathlib import Path

from tests.packaging.pkg_helpers import ROOT

PAGES = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"```.*?```", re.DOTALL)


def _anchors(page: Path) -> set[str]:
    """The heading anchors GitHub makes for `page` (lower case, punctuation dropped, spaces to
    hyphens, repeats numbered)."""
    seen: dict[str, int] = {}
    out = set()
    for line in FENCE.sub("", page.read_text(encoding="utf-8")).splitlines():
        if not line.startswith("#"):
            continue
        text = line.lstrip("#").strip().lower()
        slug = re.sub(r"[^\w\- ]", "", text).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def _links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return [m.group(1) for m in LINK.finditer(text)]


def broken_links(pages: list[Path], root: Path = ROOT) -> list[str]:
    """Each relative link of `pages` whose file or heading is missing, as 'page: link' (the
    page named relative to `root`)."""
    broken = []
    for page in pages:
        for link in _links(page):
            if re.match(r"^[a-z][a-z0-9+.-]*:", link):          # http:, https:, mailto:
                continue
            path, _, anchor = link.partition("#")
            target = (page.parent / path).resolve() if path else page
            if not target.exists():
                broken.append(f"{page.relative_to(root)}: {link}")
            elif anchor and target.suffix == ".md" and anchor not in _anchors(target):
                broken.append(f"{page.relative_to(root)}: {link} (no such heading)")
    return broken


def test_every_relative_link_points_at_something():
    assert all(p.exists() for p in PAGES)
    assert broken_links(PAGES) == []


def test_the_check_finds_a_missing_file_and_a_missing_heading(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other page\n\n## Some `code` heading\n", encoding="utf-8")
    page.write_text("[ok](other.md#some-code-heading) [gone](missing.md) [bad](other.md#nope)\n"
                    "```\n[in a code block](ignored.md)\n```\n", encoding="utf-8")
    broken = [b.split(": ", 1)[1] for b in broken_links([page], tmp_path)]
    assert broken == ["missing.md", "other.md#nope (no such heading)"]

