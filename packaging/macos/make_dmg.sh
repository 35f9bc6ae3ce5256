#!/usr/bin/env bash
# Make dist/FileOrganizerPro-<version>.dmg from "dist/FileOrganizer Pro.app" (run pyinstaller build.spec
# on macOS first). With CODESIGN_IDENTITY set ("Developer ID Application: Name (TEAMID)") the app and
# the image are signed with the hardened runtime; with NOTARY_PROFILE set too (a notarytool keychain
# profile) the image is notarized and stapled. See packaging/macos/README.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VERSION="$(python3 "$ROOT/packaging/version.py")"
APP="$ROOT/dist/FileOrganizer Pro.app"
DMG="$ROOT/dist/FileOrganizerPro-$VERSION.dmg"
ENTITLEMENTS="$ROOT/packaging/macos/entitlements.plist"

[ -d "$APP" ] || { echo "no app at $APP: run pyinstaller build.spec first" >&2; exit 2; }
PLIST_VERSION="$(/usr/libexec/PlistBuddy -c 'Print :CFBundleShortVersionString' "$APP/Contents/Info.plist")"
[ "$PLIST_VERSION" = "$VERSION" ] || { echo "app is $PLIST_VERSION, pyproject says $VERSION: rebuild" >&2; exit 2; }

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --force --deep --options runtime --timestamp --entitlements "$ENTITLEMENTS" \
    --sign "$CODESIGN_IDENTITY" "$APP"
  codesign --verify --deep --strict --verbose=2 "$APP"
fi

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
rm -f "$DMG"
hdiutil create -volname "FileOrganizer Pro $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$DMG"
  if [ -n "${NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY_PROFILE" --wait
    xcrun stapler staple "$DMG"
    spctl --assess --type open --context context:primary-signature --verbose "$DMG"
  fi
fi
echo "$DMG"
