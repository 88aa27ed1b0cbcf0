#!/usr/bin/env bash
# Code signing and notarisation for the macOS build, driven by environment variables; each part is skipped,
# with a message, when its variables are unset (e.g. on forks and pull requests, which have no secrets).
#
#   sign_and_notarize.sh app "dist/Xcelsior Desktop.app"    sign every Mach-O file inside out, then the bundle
#   sign_and_notarize.sh dmg dist/xcelsior-desktop-....dmg   sign the disk image, notarise it, staple the ticket
#
# Signing:      MACOS_SIGN_IDENTITY   e.g. "Developer ID Application: Jane Doe (AB12CD34EF)" (in the keychain)
# Notarising:   either MACOS_NOTARY_KEYCHAIN_PROFILE (made by `xcrun notarytool store-credentials`)
#               or MACOS_NOTARY_APPLE_ID + MACOS_NOTARY_TEAM_ID + MACOS_NOTARY_PASSWORD (app-specific password)
set -euo pipefail
mode=${1:?usage: sign_and_notarize.sh app|dmg PATH}
target=${2:?usage: sign_and_notarize.sh app|dmg PATH}
here=$(cd "$(dirname "$0")" && pwd)
entitlements="$here/entitlements.plist"

if [[ -z "${MACOS_SIGN_IDENTITY:-}" ]]; then
  echo "sign_and_notarize: MACOS_SIGN_IDENTITY is not set: $target stays ad-hoc signed (Gatekeeper will warn; not notarised)"
  if [[ "$mode" == app ]] && command -v codesign >/dev/null; then
    # build.py adds licence files after PyInstaller signed the bundle: renew the ad-hoc seal so it stays valid
    codesign --force --deep --sign - "$target"
  fi
  exit 0
fi

sign() {  # hardened runtime + secure timestamp: both required for notarisation
  codesign --force --timestamp --options runtime --entitlements "$entitlements" --sign "$MACOS_SIGN_IDENTITY" "$@"
}

case "$mode" in
  app)
    # Inside out: nested libraries and executables first, the bundle last (no --deep: Apple advises against it)
    while IFS= read -r -d '' file; do
      if file -b "$file" | grep -q "Mach-O"; then
        sign "$file"
      fi
    done < <(find "$target/Contents" -type f \( -name "*.so" -o -name "*.dylib" -o -perm -u+x \) -print0)
    while IFS= read -r -d '' framework; do
      sign "$framework"
    done < <(find "$target/Contents" -type d -name "*.framework" -print0)
    sign "$target"
    codesign --verify --strict --verbose=2 "$target"
    echo "sign_and_notarize: signed $target"
    ;;
  dmg)
    codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$target"
    if [[ -n "${MACOS_NOTARY_KEYCHAIN_PROFILE:-}" ]]; then
      auth=(--keychain-profile "$MACOS_NOTARY_KEYCHAIN_PROFILE")
    elif [[ -n "${MACOS_NOTARY_APPLE_ID:-}" && -n "${MACOS_NOTARY_TEAM_ID:-}" && -n "${MACOS_NOTARY_PASSWORD:-}" ]]; then
      auth=(--apple-id "$MACOS_NOTARY_APPLE_ID" --team-id "$MACOS_NOTARY_TEAM_ID" --password "$MACOS_NOTARY_PASSWORD")
    else
      echo "sign_and_notarize: no notary credentials (MACOS_NOTARY_KEYCHAIN_PROFILE or MACOS_NOTARY_APPLE_ID/TEAM_ID/PASSWORD): $target is signed but not notarised"
      exit 0
    fi
    xcrun notarytool submit "$target" "${auth[@]}" --wait --timeout 30m
    xcrun stapler staple "$target"
    xcrun stapler validate "$target"
    spctl --assess --type open --context context:primary-signature --verbose=2 "$target"
    echo "sign_and_notarize: notarised and stapled $target"
    ;;
  *)
    echo "usage: sign_and_notarize.sh app|dmg PATH" >&2
    exit 2
    ;;
esac
