"""Custom categories made with the app on one device reach the other through the real server and
re-classify the files it has indexed there."""

from __future__ import annotations

import sqlite3

import pytest
from sync_helpers import sign_in

from app.core.organize.presets import preset
from app.core.progress import Progress
from app.core.scan.categories import category_for
from app.jobs import categories as categories_jobs
from app.jobs import organize
from app.jobs.scan import scan
from app.sync.engine import run_sync


@pytest.fixture
def pair(sync_server, device, email, memory_keyring):
    a, b = device("A"), device("B")
    sign_in(a, sync_server, email, register=True, device_name="Laptop")
    sign_in(b, sync_server, email, device_name="Desktop")
    return a, b


def categories_of(db) -> dict[str, str]:
    with sqlite3.connect(db.path) as conn:
        return dict(conn.execute("SELECT name, category FROM files").fetchall())


def test_category_made_on_a_reclassifies_b_and_edits_and_removal_follow(pair, tmp_path):
    a, b = pair
    tree = tmp_path / "comics"
    tree.mkdir()
    for name in ("one.cbz", "two.cbr", "three.pdf"):
        (tree / name).write_bytes(name.encode())
    scan(b, [str(tree)], progress=Progress())
    assert categories_of(b)["one.cbz"] == "other"

    categories_jobs.add(a, "Comics", ["cbz", "cbr"])
    run_sync(a)
    assert run_sync(b).received >= 1
    assert [c.name for c in categories_jobs.overview(b) if c.custom] == ["Comics"]
    assert categories_of(b) == {"one.cbz": "Comics", "two.cbr": "Comics", "three.pdf": "documents"}
    assert category_for("x.cbz") == "Comics"             # active on B at once
    rules = preset("by-category").build()
    plan = organize.preview(b, [str(tree)], rules, dest=str(tmp_path / "sorted"))
    dests = {op.src.rsplit("/", 1)[1]: op.dst for op in plan.plan.operations if op.dst}
    assert dests["one.cbz"] == str(tmp_path / "sorted" / "Comics" / "one.cbz")

    categories_jobs.edit(a, "Comics", ["cbz"])
    run_sync(a)
    run_sync(b)
    assert categories_of(b)["two.cbr"] == "other" and categories_of(b)["one.cbz"] == "Comics"

    categories_jobs.remove(a, "Comics")
    run_sync(a)
    run_sync(b)
    assert [c.name for c in categories_jobs.overview(b) if c.custom] == []
    assert categories_of(b)["one.cbz"] == "other"
    assert category_for("x.cbz") == "other"
    assert run_sync(a).received == 0 and run_sync(b).received == 0


def test_category_made_on_b_goes_up_and_comes_down_on_a(pair):
    a, b = pair
    categories_jobs.add(b, "RAW photos", ["cr2", "nef"])
    run_sync(b)
    run_sync(a)
    [raw] = [c for c in categories_jobs.overview(a) if c.custom]
    assert (raw.name, raw.extensions) == ("RAW photos", (".cr2", ".nef"))


def test_category_changes_wait_in_the_outbox_while_offline_then_arrive(tmp_path, device, email,
                                                                       memory_keyring):
    from sync_fixtures import start_server, stopped

    from app.store import outbox
    from app.sync.account import Account
    from app.sync.engine import status_dict

    server = start_server(tmp_path / "server")
    try:
        a, b = device("A"), device("B")
        sign_in(a, server, email, register=True)
        sign_in(b, server, email)
        account = Account(a)
        with stopped(server) as restarted:
            categories_jobs.add(a, "Comics", ["cbz"])
            categories_jobs.edit(a, "Comics", ["cbz", "cbr"])     # one item per category
            categories_jobs.add(a, "E-books", ["epub"])
            assert outbox.count(a) == 2
            result = run_sync(a, account)
            assert not result.ok and result.waiting == 2
            assert status_dict(a)["status"] == "offline, 2 changes waiting"
        server = restarted["server"]
        result = run_sync(a, account)
        assert result.ok and result.sent == 2 and outbox.count(a) == 0
        run_sync(b)
        got = {c.name: c.extensions for c in categories_jobs.overview(b) if c.custom}
        assert got == {"Comics": (".cbz", ".cbr"), "E-books": (".epub",)}
        categories_jobs.remove(a, "Comics")
        assert outbox.count(a) == 1
        run_sync(a)
        run_sync(b)
        assert [c.name for c in categories_jobs.overview(b) if c.custom] == ["E-books"]
    finally:
        server.stop()


def test_deleted_then_made_again_on_either_device(pair):
    a, b = pair
    categories_jobs.add(a, "Comics", ["cbz"])
    run_sync(a)
    run_sync(b)
    categories_jobs.remove(a, "Comics")
    run_sync(a)
    run_sync(b)
    assert [c.name for c in categories_jobs.overview(b) if c.custom] == []
    # A makes it again: its old row comes back to life, on the server and on B
    categories_jobs.add(a, "comics", ["cbz", "cb7"])
    run_sync(a)
    run_sync(b)
    got = {c.name: c.extensions for c in categories_jobs.overview(b) if c.custom}
    assert got == {"comics": (".cbz", ".cb7")}
    # A deleted name never synced does not block the same name coming from elsewhere
    categories_jobs.add(a, "Maps", ["gpx"])
    categories_jobs.remove(a, "Maps")
    categories_jobs.add(b, "Maps", ["kml"])
    run_sync(b)
    run_sync(a)
    got = {c.name: c.extensions for c in categories_jobs.overview(a) if c.custom}
    assert got == {"comics": (".cbz", ".cb7"), "Maps": (".kml",)}
