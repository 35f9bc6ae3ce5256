import gc
import weakref

from app.core import leftovers


class _Rows(list):
    """A list that can be weakly referenced."""


def test_let_go_frees_at_once_until_the_process_is_about_to_end(monkeypatch):
    monkeypatch.setattr(leftovers, "_kept", None)
    rows = _Rows([1, 2, 3])
    ref = weakref.ref(rows)
    leftovers.let_go(rows)
    del rows
    gc.collect()
    assert ref() is None

    leftovers.keep_until_exit()
    rows = _Rows([1, 2, 3])
    ref = weakref.ref(rows)
    leftovers.let_go(rows)
    del rows
    gc.collect()
    assert ref() == [1, 2, 3]
