#!/usr/bin/env bash
# Build the self-contained Linux bundle: dist/paperdesk-<version>-linux-<arch>.tar.gz
#
#   packaging/build_linux.sh
#
# Works from a clean checkout. Needs either the network or a wheelhouse (PIP_FIND_LINKS=dir PIP_NO_INDEX=1, see
# packaging/wheelhouse.sh). The build venv lives in build/linux/ and is made anew each time, so nothing from a
# developer's environment leaks into the bundle.
#
# The glibc floor: the bundle runs on glibc 2.34 and later (the launcher's FLOOR, packaging/linux/paperdesk.sh),
# whatever the build machine's glibc, because it is frozen with a Python compiled on Debian 11
# (packaging/build_python.sh, run here when PYTHON is not set: needs root and debootstrap the first time, then
# cached) and carries no libstdc++/libgcc_s (every system has its own). packaging/glibc_floor.sh then reads every
# ELF file in the bundle and FAILS the build if one needs a newer glibc. PYTHON=python3 freezes with this
# machine's Python instead; the scan then fails unless this machine's glibc is at most the floor.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${PYTHON:-}" ]; then
    PREFIX=$("$ROOT/packaging/build_python.sh")
    PYTHON="$PREFIX/bin/python3.11"
fi
# The Debian 11 libraries the Python's own modules link to (libffi 7, OpenSSL 1.1) and its libexpat (see
# build_python.sh) sit beside its libpython: PyInstaller finds and copies them from there.
PYLIB=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR") or "")')
export LD_LIBRARY_PATH="$PYLIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
BUILD="$ROOT/build/linux"

# Qt's GUI module and X11 plugin need these; the bundle carries them (only glibc, libstdc++, libxcb, libGL and
# libEGL are left to the system), so they must be on the build machine or the bundle opens no window on X11.
missing=""
known=$(PATH="$PATH:/sbin:/usr/sbin" ldconfig -p)
for lib in libxcb-cursor.so.0 libxcb-icccm.so.4 libxcb-keysyms.so.1 libxcb-image.so.0 libxcb-render-util.so.0 \
           libxcb-shape.so.0 libxcb-xkb.so.1 libxcb-util.so.1 libxcb-randr.so.0 libxcb-shm.so.0 libxcb-sync.so.1 \
           libxcb-xfixes.so.0 libxcb-render.so.0 libxkbcommon-x11.so.0 libxkbcommon.so.0 libX11.so.6 \
           libX11-xcb.so.1 libglib-2.0.so.0 libfontconfig.so.1 libfreetype.so.6 libdbus-1.so.3; do
    case "$known" in *"	$lib "*) ;; *) missing="$missing $lib" ;; esac
done
# readelf prunes the bundle (paperdesk.spec), strip trims libpython: both from binutils.
for tool in readelf strip; do command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool(binutils)"; done
# Fonts for systems without any (see paperdesk.spec): Sans, Bold and Mono in fonts-dejavu-core, Oblique in -extra.
for font in DejaVuSans.ttf DejaVuSans-Bold.ttf DejaVuSansMono.ttf DejaVuSans-Oblique.ttf; do
    [ -f "${PAPERDESK_FONT_DIR:-/usr/share/fonts/truetype/dejavu}/$font" ] || missing="$missing $font"
done
if [ -n "$missing" ]; then
    echo "build_linux.sh: missing on this machine:$missing" >&2
    echo "  on Debian/Ubuntu: sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \\" >&2
    echo "      libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxcb-util1 libxcb-randr0 libxcb-shm0 libxcb-sync1 \\" >&2
    echo "      libxcb-xfixes0 libxcb-render0 libxkbcommon-x11-0 libx11-xcb1 libglib2.0-0 libfontconfig1 libdbus-1-3 \\" >&2
    echo "      fonts-dejavu-core fonts-dejavu-extra binutils" >&2
    exit 1
fi

. "$ROOT/packaging/build_common.sh"
make_build_venv
NAME="paperdesk-$VERSION-linux-$(uname -m)"
run_pyinstaller "$NAME"

# A source-built Python (pyenv, deadsnakes builds…) leaves ~25 MB of debug symbols in libpython and its own
# extension modules. Those two come from the interpreter's build, not from wheels, so stripping them is safe;
# wheels' libraries are left alone (stripping NumPy's OpenBLAS breaks it).
find "$BUILD/dist/paperdesk/_internal" -maxdepth 1 -name 'libpython3*.so*' -type f -exec strip --strip-debug {} +
find "$BUILD/dist/paperdesk/_internal" -path '*/lib-dynload/*.so' -type f -exec strip --strip-debug {} +

# PyInstaller links Qt's libraries into the top folder too; the links to the ones the spec pruned dangle.
find "$BUILD/dist/paperdesk" -xtype l -print -delete | sed 's|^|removed dangling link |'

# The glibc floor: no file in the bundle may need a newer glibc than the launcher lets through.
echo "==> glibc floor"
"$ROOT/packaging/glibc_floor.sh" "$BUILD/dist/paperdesk"

# `paperdesk` is the launcher (a POSIX shell script): below the floor it says so in one sentence instead of
# PyInstaller's loader error; it then runs PyInstaller's program, paperdesk-bin.
mv "$BUILD/dist/paperdesk/paperdesk" "$BUILD/dist/paperdesk/paperdesk-bin"
install -m 0755 "$ROOT/packaging/linux/paperdesk.sh" "$BUILD/dist/paperdesk/paperdesk"

STAGE="$BUILD/stage/$NAME"
mkdir -p "$BUILD/stage"
mv "$BUILD/dist/paperdesk" "$STAGE"
install -m 0755 "$ROOT/packaging/linux/install.sh" "$STAGE/install.sh"
install -m 0644 "$ROOT/resources/paperdesk.desktop" "$ROOT/resources/paperdesk.svg" "$STAGE/"
install -m 0644 "$ROOT/packaging/linux/README.txt" "$STAGE/README.txt"
echo "$VERSION" > "$STAGE/VERSION"

echo "==> tarball"
# Same input, same bytes: sorted names, no owners, the last commit's time for every file.
EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || date +%s)}
TARBALL="$ROOT/dist/$NAME.tar.gz"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$EPOCH" \
    -C "$BUILD/stage" -cf - "$NAME" | gzip -n -6 > "$TARBALL.partial"
mv "$TARBALL.partial" "$TARBALL"

# MB = 10^6 bytes of file content, as docs/benchmarks.md counts them (du would give MiB on disk).
mb() { find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.1f", s / 1e6 }'; }
echo "unpacked: $(mb "$STAGE") MB   tarball: $(mb "$TARBALL") MB"
echo "$TARBALL"
