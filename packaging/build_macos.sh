#!/usr/bin/env bash
# Build Paperdesk.app and dist/paperdesk-<version>-macos-<arch>.dmg on a Mac:  packaging/build_macos.sh
#
# Needs Python 3.11+ (python.org or Homebrew) and the Xcode command-line tools (iconutil, hdiutil, codesign).
# The app is signed ad hoc, enough to run on the machine that downloads it after "Open" in the Finder's menu;
# set CODESIGN_IDENTITY to sign with a Developer ID instead (notarisation is not scripted here).
# Not run on the Linux development machine: .github/workflows/bundles.yml runs it on macos-15.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
BUILD="$ROOT/build/macos"
. "$ROOT/packaging/build_common.sh"
make_build_venv
NAME="paperdesk-$VERSION-macos-$(uname -m)"

echo "==> icon"
"$BUILD/venv/bin/python" "$ROOT/packaging/make_icons.py" --iconset "$BUILD/paperdesk.iconset"
mkdir -p "$ROOT/packaging/macos"  # paperdesk.spec takes the icon from there; nothing else creates the folder
iconutil -c icns "$BUILD/paperdesk.iconset" -o "$ROOT/packaging/macos/paperdesk.icns"

run_pyinstaller "$NAME"
APP="$BUILD/dist/Paperdesk.app"
codesign --force --deep --sign "${CODESIGN_IDENTITY:--}" "$APP"

echo "==> dmg"
STAGE="$BUILD/dmg"
mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"  # drag the app onto it to install
rm -f "$ROOT/dist/$NAME.dmg"
hdiutil create -volname "Paperdesk $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$ROOT/dist/$NAME.dmg"
echo "$ROOT/dist/$NAME.dmg"
