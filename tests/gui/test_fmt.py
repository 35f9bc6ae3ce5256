"""One convention for numbers and sizes: the window writes them as the command line and the
reports do (app.core.units): '38,096', '1 file' / '2 files', '330.4 MiB'."""

from __future__ import annotations

import random

from app.core import units
from app.gui import fmt


def test_counts_sizes_and_plurals_read_as_the_cli_writes_them():
    seed = random.randrange(1 << 30)
    print(f"seed {seed}")
    rng = random.Random(seed)
    for n in [0, 1, 2, 999, 1000, 38_096, 1_234_567] + [rng.randrange(10**9) for _ in range(50)]:
        assert fmt.count(n) == f"{n:,}"
        assert fmt.plural(n, "file", "files") == units.count(n, "file")
        assert fmt.size(n * 37) == units.human_bytes(n * 37)
    assert fmt.count(38_096) == "38,096"
    assert fmt.plural(1, "copy", "copies") == "1 copy"
    assert fmt.plural(2, "copy", "copies") == "2 copies"
    assert fmt.size(346_456_064) == "330.4 MiB"  # never MB
    assert fmt.count(None) == fmt.size(None) == "–"
