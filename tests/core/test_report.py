"""core.report.model: the JSON and CSV writers parse back to what went in."""

import csv
import io
import json
import os
import time

from app.core.report.model import (
    DUPLICATES_CSV_HEADER,
    FILES_CSV_HEADER,
    SCHEMA_VERSION,
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
    display_path,
    report_dict,
    report_json,
    write_duplicates_csv,
    write_files_csv,
)
from app.core.units import human_bytes

ODD = os.fsdecode(b"/r/caf\xe9 \xff.txt")          # a name that is not UTF-8


def sample_report() -> Report:
    files = [FileEntry("/r/big, \"quoted\".iso", 5000, 1_700_000_000 * 10**9, "archives", ".iso", 1),
             FileEntry(ODD, 10, 0, "documents", ".txt")]
    return Report(
        roots=["/r"],
        totals=Totals(files=2, folders=1, bytes=5010, symlinks=1, unique_bytes=5010),
        by_category=[Share("archives", 1, 5000, 5000 / 5010), Share("documents", 1, 10, 10 / 5010)],
        by_extension=Listing([Share(".iso", 1, 5000, 0.998)], 2),
        by_age=[AgeBucket("last_week", "Last 7 days", 2, 5010)],
        by_year=[YearCount(2023, 2, 5010)],
        largest_files=Listing(files, 2),
        largest_folders=Listing([FolderEntry("/r/sub", 10, 1)], 1),
        duplicates=DuplicateSummary(1, 1, 5000),
        duplicate_groups=Listing([DuplicateSet(1, 5000, "ab" * 32, 2, 3, ["/r/a", "/r/b"])], 1),
        errors=Listing([ErrorEntry("/r/locked", "permission denied", 1_700_000_000.0)], 7),
        generated_at=1_700_000_000.0,
    )


def test_json_has_schema_version_and_parses_back_exactly():
    text = report_json(sample_report())
    text.encode("utf-8")                                          # valid UTF-8 despite the odd name
    doc = json.loads(text)
    assert doc["schema_version"] == SCHEMA_VERSION == 1
    assert doc["generated_at"] == "2023-11-14T22:13:20Z"
    assert doc["totals"] == {"files": 2, "folders": 1, "bytes": 5010, "unique_bytes": 5010, "symlinks": 1}
    assert doc["by_category"][0] == {"category": "archives", "files": 1, "bytes": 5000, "share": 0.998004}
    assert doc["by_extension"]["total"] == 2 and doc["by_extension"]["items"][0]["extension"] == ".iso"
    paths = [f["path"] for f in doc["largest_files"]["items"]]
    assert paths == ["/r/big, \"quoted\".iso", ODD]                # json.loads restores the exact name
    assert doc["largest_files"]["items"][0]["duplicate_group"] == 1
    assert doc["largest_files"]["items"][1]["duplicate_group"] is None
    assert doc["duplicate_groups"]["items"][0] == {"id": 1, "size": 5000, "hash": "ab" * 32, "copies": 2,
                                                   "reclaimable_bytes": 5000, "path_count": 3,
                                                   "paths": ["/r/a", "/r/b"], "more_paths": 1}
    assert doc["errors"] == {"total": 7, "items": [{"path": "/r/locked", "reason": "permission denied",
                                                    "at": "2023-11-14T22:13:20Z"}]}
    assert set(doc) == set(report_dict(sample_report()))


def test_files_csv_is_rfc4180_and_parses_back():
    tricky = "/r/line\nbreak, \"quotes\" and ;semicolons.txt"
    rows = [FileEntry(tricky, 12, 1_700_000_000 * 10**9, "documents", ".txt", 3),
            FileEntry(ODD, 0, 0, "documents", ".txt")]
    buf = io.BytesIO()
    assert write_files_csv(rows, buf) == 2
    data = buf.getvalue()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.startswith(b"path,size,modified,category,extension,duplicate_group\r\n")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert tuple(parsed[0]) == FILES_CSV_HEADER
    assert parsed[1] == [tricky, "12", time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(1_700_000_000)),
                         "documents", ".txt", "3"]
    assert parsed[2][0] == "/r/caf\\xe9 \\xff.txt" and parsed[2][5] == ""


def test_bom_is_optional_and_first():
    buf = io.BytesIO()
    write_files_csv([], buf, bom=True)
    assert buf.getvalue() == b"\xef\xbb\xbfpath,size,modified,category,extension,duplicate_group\r\n"


def test_duplicates_csv_one_row_per_file():
    g = DuplicateSet(4, 100, "cd" * 32, 2, 2, ["/x/a", "/x/b"])
    files = [FileEntry("/x/a", 100, 0, "other", ""), FileEntry("/x/b", 100, 0, "other", "")]
    buf = io.BytesIO()
    assert write_duplicates_csv([(g, files)], buf, bom=True) == 2
    parsed = list(csv.reader(io.StringIO(buf.getvalue().decode("utf-8-sig"), newline="")))
    assert tuple(parsed[0]) == DUPLICATES_CSV_HEADER
    assert [r[:3] + r[4:] for r in parsed[1:]] == [["4", "/x/a", "100", "2", "100", "cd" * 32],
                                                   ["4", "/x/b", "100", "2", "100", "cd" * 32]]


def test_helpers():
    assert human_bytes(0) == "0 B" and human_bytes(1536) == "1.5 KiB" and human_bytes(3 * 2**30) == "3.0 GiB"
    assert display_path("/plain/é") == "/plain/é"
    assert display_path(ODD) == "/r/caf\\xe9 \\xff.txt"
    assert Listing([1, 2], 5).more == 3 and Listing([1], 0).more == 0
