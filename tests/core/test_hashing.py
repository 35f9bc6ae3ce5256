import os

import pytest
from blake3 import blake3

from app.core.dedup import hashing


def test_small_file_partial_gives_full_hash(tmp_path):
    p = tmp_path / "s"
    p.write_bytes(b"abc" * 100)
    partial, full, head = hashing.partial_hash(str(p), 300)
    assert full == blake3(b"abc" * 100).digest()
    assert partial == full[:hashing.PARTIAL_LEN]
    assert head == b"abc" * 100


def test_partial_hash_sees_head_and_tail_only(tmp_path):
    size = 3 * hashing.BLOCK
    a = os.urandom(size)
    b = bytearray(a)
    b[size // 2] ^= 0xFF                  # differs in the middle only
    c = bytearray(a)
    c[-1] ^= 0xFF                         # differs in the tail
    for name, data in (("a", a), ("b", b), ("c", c)):
        (tmp_path / name).write_bytes(bytes(data))
    pa, fa, _ = hashing.partial_hash(str(tmp_path / "a"), size)
    pb, fb, _ = hashing.partial_hash(str(tmp_path / "b"), size)
    pc, _, _ = hashing.partial_hash(str(tmp_path / "c"), size)
    assert fa is None and fb is None
    assert pa == pb != pc
    assert hashing.full_hash(str(tmp_path / "a"), size) != hashing.full_hash(str(tmp_path / "b"), size)
    assert hashing.full_hash(str(tmp_path / "a"), size) == blake3(a).digest()


def test_full_hash_large_file_in_chunks_with_threads(tmp_path):
    data = os.urandom(hashing.WHOLE_MAX + hashing.CHUNK // 2 + 123)
    p = tmp_path / "big"
    p.write_bytes(data)
    assert hashing.full_hash(str(p), len(data)) == blake3(data).digest()
    with pytest.raises(hashing.ChangedError):
        hashing.full_hash(str(p), len(data) - 1)


def test_changed_size_is_detected(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"x" * 100)
    with pytest.raises(hashing.ChangedError):
        hashing.partial_hash(str(p), 50)
    with pytest.raises(hashing.ChangedError):
        hashing.full_hash(str(p), 99)


def test_missing_file_raises_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        hashing.partial_hash(str(tmp_path / "nope"), 10)


def test_same_bytes(tmp_path):
    (tmp_path / "a").write_bytes(b"1" * 5000)
    (tmp_path / "b").write_bytes(b"1" * 5000)
    (tmp_path / "c").write_bytes(b"1" * 4999 + b"2")
    assert hashing.same_bytes(str(tmp_path / "a"), str(tmp_path / "b"))
    assert not hashing.same_bytes(str(tmp_path / "a"), str(tmp_path / "c"))
