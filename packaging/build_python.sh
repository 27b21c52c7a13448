#!/usr/bin/env bash
# Build the Python the Linux bundle is frozen with, so that the bundle runs on glibc 2.34 systems (Ubuntu 22.04,
# RHEL 9, Debian 12 and later), not only on the build machine's glibc:
#
#   sudo packaging/build_python.sh            prints the prefix, e.g. ~/.cache/paperdesk-build/python-3.11.2-deb11
#   PYTHON=<prefix>/bin/python3.11 packaging/build_linux.sh
#
# A program linked on a newer glibc asks for its newer symbol versions, and libpython is copied into the bundle.
# So CPython 3.11 (Debian 12's source package: the upstream release plus Debian's security fixes) is compiled
# inside a Debian 11 root made with debootstrap (glibc 2.31) and installed under a prefix in the cache folder,
# from where this (newer) machine runs it to install the wheels and PyInstaller. The few Debian 11 libraries
# its modules link to and a newer system lacks (libffi 7, OpenSSL 1.1) and libexpat (Debian 12's needs glibc
# 2.36; fontconfig needs it) are copied into <prefix>/lib, which build_linux.sh puts on LD_LIBRARY_PATH.
#
# Needs root (debootstrap, chroot), debootstrap and Debian's mirror; minutes on a laptop (no profile-guided
# optimisation). The result is cached: a second run only prints the prefix. Cache folder:
# $PAPERDESK_BUILD_CACHE (default ~/.cache/paperdesk-build), never inside the checkout.
set -euo pipefail

CACHE=${PAPERDESK_BUILD_CACHE:-"$HOME/.cache/paperdesk-build"}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PYVER=3.11.2
DEBREV=6+deb12u6
PREFIX="$CACHE/python-$PYVER-deb11"
ROOTFS="$CACHE/roots/bullseye-build"
JOBS=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)

say() { echo "build_python.sh: $*" >&2; }
if [ -x "$PREFIX/bin/python3.11" ] && [ -f "$PREFIX/.complete" ]; then
    echo "$PREFIX"
    exit 0
fi
[ "$(id -u)" = 0 ] || { say "needs root (debootstrap and chroot)"; exit 2; }
command -v debootstrap >/dev/null 2>&1 || { say "needs debootstrap (apt-get install debootstrap)"; exit 2; }
mkdir -p "$CACHE/src" "$CACHE/roots"

# --- a Debian 11 root with the compiler and the headers of the libraries Python's modules use ------------------
if [ ! -f "$ROOTFS/.complete" ]; then
    say "debootstrap Debian 11 into $ROOTFS"
    rm -rf "$ROOTFS"
    debootstrap --variant=minbase \
        --include=build-essential,pkg-config,libssl-dev,zlib1g-dev,libbz2-dev,libffi-dev,liblzma-dev,libsqlite3-dev,uuid-dev,libexpat1 \
        bullseye "$ROOTFS" "$MIRROR" >&2
    touch "$ROOTFS/.complete"
fi

# --- the source: Debian 12's python3.11 (upstream tarball + Debian's patches), checked against the .dsc ---------
DSC="python3.11_$PYVER-$DEBREV.dsc"
POOL="$MIRROR/pool/main/p/python3.11"
cd "$CACHE/src"
for f in "$DSC" "python3.11_$PYVER.orig.tar.gz" "python3.11_$PYVER-$DEBREV.debian.tar.xz"; do
    if [ ! -f "$f" ]; then
        curl -fsS -o "$f.part" "$POOL/$f" && mv "$f.part" "$f" || { say "cannot download $POOL/$f"; exit 1; }
    fi
done
sed -n '/^Checksums-Sha256:/,/^[A-Z]/p' "$DSC" | awk 'NF == 3 { print $1 "  " $3 }' | sha256sum -c --quiet - \
    || { say "checksums do not match $DSC"; exit 1; }

SRC="$ROOTFS/build/Python-$PYVER"
rm -rf "$ROOTFS/build"
mkdir -p "$ROOTFS/build"
tar -xzf "python3.11_$PYVER.orig.tar.gz" -C "$ROOTFS/build"
[ -d "$SRC" ] || SRC=$(find "$ROOTFS/build" -mindepth 1 -maxdepth 1 -type d | head -n 1)
tar -xJf "python3.11_$PYVER-$DEBREV.debian.tar.xz" -C "$SRC"
# Debian's own changes (its file layout, multiarch, disabled ensurepip) stay out: only the upstream fixes from
# shutdown-deadlock.diff on (security fixes: CVE-2023-24329, -27043, -40217, -41105, -6597, CVE-2024-0397, ...).
started=0
while read -r patch; do
    case "$patch" in ''|'#'*) continue ;; esac
    [ "$patch" = shutdown-deadlock.diff ] && started=1
    [ "$started" = 1 ] || continue
    patch -d "$SRC" -p1 --forward --quiet < "$SRC/debian/patches/$patch" >&2 || { say "patch $patch does not apply"; exit 1; }
done < "$SRC/debian/patches/series"
[ "$started" = 1 ] || { say "no shutdown-deadlock.diff in Debian's series: check the patch list"; exit 1; }

# --- configure, build and install inside the root (same prefix path inside and out) ---------------------------
say "building CPython $PYVER in the Debian 11 root (nice -n 10, $JOBS jobs)"
INNER_SRC=${SRC#"$ROOTFS"}
# /dev/shm too: configure runs sem_open, and without it builds a _multiprocessing with no semaphores ("This
# Python build lacks multiprocessing.synchronize": the importer's worker processes would fail).
unshare -m sh -c "mount -t proc proc '$ROOTFS/proc' && mount -t tmpfs tmpfs '$ROOTFS/dev/shm' && chroot '$ROOTFS' /bin/sh -c '
    set -e
    cd $INNER_SRC
    ./configure --quiet --prefix=$PREFIX --enable-shared --with-ensurepip=install \
        LDFLAGS=-Wl,-rpath,$PREFIX/lib >/dev/null
    nice -n 10 make -s -j$JOBS >/dev/null 2>make.err || { tail -n 40 make.err; exit 1; }
    make -s install >/dev/null 2>install.err || { tail -n 40 install.err; exit 1; }
'" >&2

rm -rf "$PREFIX"
mkdir -p "$(dirname "$PREFIX")"
cp -a "$ROOTFS$PREFIX" "$PREFIX"
# Debian 11's libraries the modules link to and a newer system lacks, and its libexpat (see the top).
for lib in libffi.so.7 libssl.so.1.1 libcrypto.so.1.1 libexpat.so.1; do
    src=$(find "$ROOTFS/usr/lib/x86_64-linux-gnu" "$ROOTFS/lib/x86_64-linux-gnu" -maxdepth 1 -name "$lib" 2>/dev/null | head -n 1)
    [ -n "$src" ] || { say "no $lib in the Debian 11 root"; exit 1; }
    cp -L "$src" "$PREFIX/lib/$lib"
done

LD_LIBRARY_PATH="$PREFIX/lib" "$PREFIX/bin/python3.11" -c \
    'import ssl, sqlite3, ctypes, lzma, bz2, zlib, decimal, pyexpat, uuid, venv, multiprocessing.synchronize; print("ok")' >&2 \
    || { say "the new Python lacks a module"; exit 1; }
touch "$PREFIX/.complete"
echo "$PREFIX"
