#!/usr/bin/env bash
# Make dist/fileorganizer-pro_<version>_<arch>.deb from the PyInstaller bundle (pyinstaller build.spec).
#   packaging/linux/build_deb.sh [BUNDLE_DIR [OUT_DIR]]
# The app goes under /opt/fileorganizer-pro/, with /usr/bin/fileorganizer-gui and /usr/bin/fileorganizer
# links, the .desktop entry, hicolor icons and AppStream metainfo. The version is pyproject.toml's.
# DEB_COMPRESS picks dpkg-deb's compressor (default xz; gzip or zstd build faster).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUNDLE="$(realpath "${1:-$ROOT/dist/FileOrganizerPro}")"
OUT="$(mkdir -p "${2:-$ROOT/dist}" && realpath "${2:-$ROOT/dist}")"
PKG=fileorganizer-pro
APPID=io.github.fileorganizerpro.FileOrganizerPro
HERE="$ROOT/packaging/linux"
VERSION="$(python3 "$ROOT/packaging/version.py")"
DEB_VERSION="$(python3 "$ROOT/packaging/version.py" --debian)"
ARCH="$(dpkg --print-architecture)"

[ -x "$BUNDLE/FileOrganizerPro" ] || { echo "no bundle at $BUNDLE: run pyinstaller build.spec first" >&2; exit 2; }

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
umask 022

install -d "$STAGE/DEBIAN" "$STAGE/opt/$PKG" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/metainfo" "$STAGE/usr/share/icons" "$STAGE/usr/share/doc/$PKG"
cp -a "$BUNDLE/." "$STAGE/opt/$PKG/"
ln -s "/opt/$PKG/FileOrganizerPro" "$STAGE/usr/bin/fileorganizer-gui"
ln -s "/opt/$PKG/fileorganizer" "$STAGE/usr/bin/fileorganizer"
install -m 644 "$HERE/$PKG.desktop" "$STAGE/usr/share/applications/$PKG.desktop"
cp -a "$ROOT/resources/icons/hicolor" "$STAGE/usr/share/icons/"
install -m 644 "$ROOT/LICENSE" "$STAGE/usr/share/doc/$PKG/copyright"

# AppStream: the release entry comes from pyproject.toml's version and the last commit's date.
RELEASE_DATE="$(git -C "$ROOT" log -1 --format=%cs 2>/dev/null || date -u +%F)"
sed "s|</component>|  <releases>\n    <release version=\"$VERSION\" date=\"$RELEASE_DATE\"/>\n  </releases>\n</component>|" \
  "$HERE/$APPID.metainfo.xml" > "$STAGE/usr/share/metainfo/$APPID.metainfo.xml"

chmod -R u+rwX,go+rX,go-w "$STAGE"
INSTALLED_SIZE="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
sed -e "s|@VERSION@|$DEB_VERSION|" -e "s|@ARCH@|$ARCH|" -e "s|@INSTALLED_SIZE@|$INSTALLED_SIZE|" \
  "$HERE/control.in" > "$STAGE/DEBIAN/control"

DEB="$OUT/${PKG}_${DEB_VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-xz}" --build "$STAGE" "$DEB" >/dev/null
echo "$DEB"
