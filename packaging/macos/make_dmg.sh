#!/usr/bin/env bash
# Make a compressed, drag-to-install disk image from the .app: the app next to a link to /Applications.
#   packaging/macos/make_dmg.sh "dist/Xcelsior Desktop.app" dist/xcelsior-desktop-0.1.0-macos-arm64.dmg "Xcelsior Desktop 0.1.0"
# Uses hdiutil only (part of macOS); build.py --dmg calls it between signing the .app and signing the .dmg.
set -euo pipefail
app=${1:?usage: make_dmg.sh APP OUT.dmg VOLUME_NAME}
out=${2:?usage: make_dmg.sh APP OUT.dmg VOLUME_NAME}
volume=${3:?usage: make_dmg.sh APP OUT.dmg VOLUME_NAME}
[[ -d "$app" ]] || { echo "make_dmg: $app not found: build the bundle first (python packaging/build.py)" >&2; exit 1; }

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
# ditto keeps symlinks, extended attributes and code signatures intact (cp -R may not)
ditto "$app" "$staging/$(basename "$app")"
ln -s /Applications "$staging/Applications"
rm -f "$out"
# UDZO: zlib-compressed, read-only; opens on every macOS version the app supports
hdiutil create -volname "$volume" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$out"
hdiutil verify "$out"
echo "make_dmg: wrote $out"
