#!/usr/bin/env bash
# Build the Linux bundle (dist/FileOrganizerPro/) and the .deb (dist/fileorganizer-pro_<version>_<arch>.deb).
#   DIST_DIR=...  where the bundle and the .deb go (default dist)
#   WORK_DIR=...  PyInstaller's work folder, kept between builds to make them faster (default build/pyinstaller)
#   DEB_COMPRESS  xz (default, smallest download), zstd (fast, used by the tests) or gzip
set -euo pipefail
cd "$(dirname "$0")/.."
DIST_DIR="${DIST_DIR:-dist}"
WORK_DIR="${WORK_DIR:-build/pyinstaller}"
python3 -m PyInstaller --noconfirm --log-level WARN --distpath "$DIST_DIR" --workpath "$WORK_DIR" build.spec
bash packaging/linux/build_deb.sh "$DIST_DIR/FileOrganizerPro" "$DIST_DIR"
