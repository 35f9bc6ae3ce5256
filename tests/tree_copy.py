"""Copy a test tree the way ``cp -a`` does, in Python so it runs on every OS: symbolic links stay
links, hard links stay linked within the copy, and modes and times are kept."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def copy_tree(src: str | os.PathLike, dst: str | os.PathLike) -> Path:
    """Copy the folder `src` to the new folder `dst`; returns `dst`."""
    first_copy: dict[tuple[int, int], str] = {}

    def copy_file(s: str, d: str) -> str:
        st = os.lstat(s)
        key = (st.st_dev, st.st_ino)
        if st.st_nlink > 1 and key in first_copy:
            os.link(first_copy[key], d)               # one inode in the source: one in the copy
            return d
        shutil.copy2(s, d, follow_symlinks=False)
        first_copy[key] = d
        return d

    shutil.copytree(src, dst, symlinks=True, copy_function=copy_file)
    shutil.copystat(src, dst)
    return Path(dst)
