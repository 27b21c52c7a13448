#!/usr/bin/env bash
# Turn the Linux bundle into an AppImage:  packaging/build_appimage.sh dist/paperdesk-<version>-linux-x86_64.tar.gz
#
# Leaves dist/Paperdesk-<version>-<arch>.AppImage. Needs appimagetool (on PATH or in $APPIMAGETOOL). It is in
# neither Debian's packages nor PyPI, so it was not available on the development machine: there this script
# builds and checks the AppDir and stops with exit code 3. The GitHub Actions workflow downloads appimagetool
# from its release page and builds and smoke-tests the AppImage.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
    echo "usage: packaging/build_appimage.sh dist/paperdesk-<version>-linux-<arch>.tar.gz (from build_linux.sh)" >&2
    exit 2
fi
TARBALL=$(readlink -f "$1")
BUILD="$ROOT/build/appimage"
rm -rf "$BUILD"
mkdir -p "$BUILD/unpacked"
tar -xzf "$TARBALL" -C "$BUILD/unpacked"
BUNDLE=$(find "$BUILD/unpacked" -mindepth 1 -maxdepth 1 -type d | head -n 1)
VERSION=$(cat "$BUNDLE/VERSION")
ARCH=$(uname -m)

APPDIR="$BUILD/Paperdesk.AppDir"
mkdir -p "$APPDIR/usr/lib" "$APPDIR/usr/share/applications" "$APPDIR/usr/share/icons/hicolor/scalable/apps"
mv "$BUNDLE" "$APPDIR/usr/lib/paperdesk"
rm -f "$APPDIR/usr/lib/paperdesk/install.sh"  # an AppImage integrates through the desktop's AppImage tools
cat > "$APPDIR/AppRun" <<'RUN'
#!/bin/sh
HERE=$(dirname "$(readlink -f "$0")")
exec "$HERE/usr/lib/paperdesk/paperdesk" "$@"
RUN
chmod +x "$APPDIR/AppRun"
cp "$ROOT/resources/paperdesk.desktop" "$APPDIR/paperdesk.desktop"
cp "$ROOT/resources/paperdesk.desktop" "$APPDIR/usr/share/applications/"
cp "$ROOT/resources/paperdesk.svg" "$APPDIR/paperdesk.svg"
cp "$ROOT/resources/paperdesk.svg" "$APPDIR/usr/share/icons/hicolor/scalable/apps/"
ln -s paperdesk.svg "$APPDIR/.DirIcon"

# The AppDir must run before it is packed.
got=$(env -i HOME="$BUILD" PATH=/usr/bin:/bin "$APPDIR/AppRun" --version)
[ "$got" = "paperdesk $VERSION" ] || { echo "build_appimage.sh: AppRun --version printed '$got'" >&2; exit 1; }
echo "AppDir ready: $APPDIR ($got)"

TOOL=${APPIMAGETOOL:-$(command -v appimagetool || true)}
if [ -z "$TOOL" ]; then
    echo "build_appimage.sh: appimagetool not found (set APPIMAGETOOL); the AppDir is built, the AppImage is not" >&2
    echo "  appimagetool: https://github.com/AppImage/appimagetool/releases (not in Debian or PyPI)" >&2
    exit 3
fi
OUT="$ROOT/dist/Paperdesk-$VERSION-$ARCH.AppImage"
ARCH="$ARCH" "$TOOL" --no-appstream "$APPDIR" "$OUT"
echo "$OUT"
