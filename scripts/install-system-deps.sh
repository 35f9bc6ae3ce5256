#!/usr/bin/env bash
# Debian packages the test suite and benchmarks use. Run as root (CI runs it through scripts/test.sh).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
PKGS=(
  # Qt's xcb platform plugin under Xvfb, and a tray host for the tray tests
  xvfb xauth trayer libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libegl1 libgl1
  libfontconfig1 libdbus-1-3 fonts-dejavu-core
  # the watcher's start-at-login test launches the XDG .desktop file with GLib's gtk-launch
  libgtk-3-bin libglib2.0-bin
  # peers the tests compare against, the browser that renders reports, services for the server tests
  jdupes rdfind rmlint chromium postgresql redis-server
  # packaging checks
  desktop-file-utils appstream dpkg-dev
)
missing=()
for p in "${PKGS[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
