import threading

import pytest

from app.core.progress import Cancelled, Progress


def test_stage_advance_and_snapshot():
    seen = []
    p = Progress(listener=seen.append, min_interval=0)
    p.stage("hashing", total=4, bytes_total=400)
    p.advance(2, 200)
    snap = p.snapshot()
    assert (snap.stage, snap.done, snap.bytes_done) == ("hashing", 2, 200)
    assert snap.fraction == pytest.approx(0.5)
    assert seen[-1].done == 2


def test_cancel_from_another_thread_stops_check():
    p = Progress()
    t = threading.Thread(target=p.cancel)
    t.start()
    t.join()
    assert p.cancelled
    with pytest.raises(Cancelled):
        p.check()
