#!/usr/bin/env bash
# Smoke-test the Linux bundle on the systems librarians have, each in a clean root made with debootstrap:
#
#   sudo packaging/smoke_matrix.sh dist/paperdesk-<version>-linux-x86_64.tar.gz [SYSTEM...]
#   sudo packaging/smoke_matrix.sh --prepare [SYSTEM...]          only make the roots with the README's packages
#   sudo packaging/smoke_matrix.sh --readme-first-command          the README's first command, Debian 12
#
# SYSTEMs: debian11 debian12 debian13 ubuntu22.04 ubuntu24.04 (all by default). Each run starts from a fresh
# copy of a cached bare root (debootstrap --variant=minbase: no X, no GL, no fonts) into which exactly the
# packages packaging/linux/README.txt tells users to install were installed (apt-get install, as a user would:
# with the recommended packages; that root is cached too, for that package list) and runs
# packaging/smoke_test.sh on the tarball inside it: the command line, imports,
# exports, the window offscreen, and the window on an X server through Qt's xcb plugin. The X server is an
# Xvfb on this machine whose socket is bound into the root, so the root holds no X server package that could
# bring a library the README forgot. A system below the bundle's glibc floor must refuse with the launcher's
# one sentence instead. Prints a Markdown table (also in $CACHE/matrix.md); exit 1 if a row failed.
#
# --readme-first-command: in a fresh Debian 12 root with python3 and only the packages the README lists, runs
# the README's first command (venv, pip install -e ., paperdesk) to a window on the X server.
#
# Needs root, debootstrap, Xvfb (xvfb package) on this machine, and the Debian (and Ubuntu) mirrors.
# Cache: $PAPERDESK_BUILD_CACHE (default ~/.cache/paperdesk-build)/roots and /matrix; never the checkout.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${PAPERDESK_BUILD_CACHE:-"$HOME/.cache/paperdesk-build"}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
UBUNTU_MIRROR=${UBUNTU_MIRROR:-http://archive.ubuntu.com/ubuntu}
ALL="debian11 debian12 debian13 ubuntu22.04 ubuntu24.04"
FLOOR=$(sed -n 's/^FLOOR=//p' "$ROOT/packaging/linux/paperdesk.sh")

say() { echo "smoke_matrix.sh: $*" >&2; }
[ "$(id -u)" = 0 ] || { say "needs root (debootstrap, chroot)"; exit 2; }
command -v debootstrap >/dev/null 2>&1 || { say "needs debootstrap (apt-get install debootstrap)"; exit 2; }

suite() {
    case "$1" in
        debian11) echo "bullseye $DEBIAN_MIRROR" ;;
        debian12) echo "bookworm $DEBIAN_MIRROR" ;;
        debian13) echo "trixie $DEBIAN_MIRROR" ;;
        ubuntu22.04) echo "jammy $UBUNTU_MIRROR" ;;
        ubuntu24.04) echo "noble $UBUNTU_MIRROR" ;;
        *) say "unknown system $1 (one of: $ALL)"; exit 2 ;;
    esac
}

# The packages a README tells users to install: the words after `apt-get install` on its line.
readme_packages() {
    grep -o 'sudo apt-get install [a-z0-9. +-]*' "$1" | head -n 1 | sed 's/^sudo apt-get install //'
}

# A bare root per system, made once and kept; runs work on copies of it.
base_root() {
    local sys=$1 base="$CACHE/roots/$1-minbase" name mirror
    read -r name mirror <<< "$(suite "$sys")"
    if [ ! -f "$base/.complete" ]; then
        say "debootstrap $sys ($name) into $base"
        rm -rf "$base"
        mkdir -p "$CACHE/roots"
        local extra=()
        case "$sys" in
            # Debian's debootstrap knows Ubuntu's releases (noble through the gutsy script all of them use); this
            # machine has no Ubuntu archive key, so the Release file's signature is not checked.
            ubuntu*) extra=(--no-check-gpg "--components=main,universe") ;;
        esac
        local script=""
        [ -e "/usr/share/debootstrap/scripts/$name" ] || script=/usr/share/debootstrap/scripts/gutsy
        debootstrap --variant=minbase ${extra[@]+"${extra[@]}"} "$name" "$base" "$mirror" $script \
            > "$CACHE/roots/$sys.debootstrap.log" 2>&1 \
            || { say "debootstrap $sys failed (see $CACHE/roots/$sys.debootstrap.log)"; return 1; }
        touch "$base/.complete"
    fi
    echo "$base"
}

# A fresh copy of the bare root, with the apt sources a user of that system has (release and updates).
fresh_root() {
    local sys=$1 base run="$CACHE/matrix/$1"
    base=$(base_root "$sys") || return 1
    rm -rf "$run"
    mkdir -p "$CACHE/matrix"
    cp -a "$base" "$run"
    cp /etc/resolv.conf "$run/etc/resolv.conf"
    echo "$run"
}

in_root() {  # in_root ROOT COMMAND...: chroot with /proc, /dev/shm and the X server's socket folder
    local run=$1
    shift
    mkdir -p "$run/tmp/.X11-unix"
    unshare -m bash -c '
        run=$1; shift
        mount -t proc proc "$run/proc"
        mount -t tmpfs tmpfs "$run/dev/shm" 2>/dev/null || true
        mount --bind /tmp/.X11-unix "$run/tmp/.X11-unix"
        exec chroot "$run" "$@"' inner "$run" "$@"
}

apt_in_root() {  # apt_in_root ROOT LOG PACKAGES...: as a user would, recommended packages included
    local run=$1 log=$2
    shift 2
    in_root "$run" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin apt-get update >> "$log" 2>&1 &&
        in_root "$run" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin \
            apt-get install -y "$@" >> "$log" 2>&1
}

XVFB_PID=""
start_xvfb() {
    command -v Xvfb >/dev/null 2>&1 || { say "needs Xvfb on this machine (apt-get install xvfb)"; exit 2; }
    local n=77
    while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
    Xvfb ":$n" -screen 0 1600x1000x24 -nolisten tcp > "$CACHE/xvfb.log" 2>&1 &
    XVFB_PID=$!
    local i=0
    while [ ! -e "/tmp/.X11-unix/X$n" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ -e "/tmp/.X11-unix/X$n" ] || { say "Xvfb did not start (see $CACHE/xvfb.log)"; exit 1; }
    DISPLAY_NUM=":$n"
}
stop_xvfb() { if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null || true; fi; }
trap stop_xvfb EXIT

glibc_of() { in_root "$1" getconf GNU_LIBC_VERSION 2>/dev/null | sed 's/^glibc //'; }
below_floor() {  # below_floor VERSION
    local major=${1%%.*} minor=${1#*.} fmajor=${FLOOR%%.*} fminor=${FLOOR#*.}
    minor=${minor%%.*}
    [ "$major" -lt "$fmajor" ] || { [ "$major" -eq "$fmajor" ] && [ "$minor" -lt "$fminor" ]; }
}

# A bare root with the bundle README's packages installed, cached for that list: runs start from copies of it.
PACKAGES=$(readme_packages "$ROOT/packaging/linux/README.txt")
prepared_root() {  # prepared_root SYSTEM LOG
    local sys=$1 log=$2 prep="$CACHE/prepared/$1" run
    if [ ! -f "$prep/.complete" ] || [ "$(cat "$prep/.complete")" != "$PACKAGES" ]; then
        run=$(fresh_root "$sys") || return 1
        # shellcheck disable=SC2086  # one word per package
        apt_in_root "$run" "$log" $PACKAGES || return 1
        rm -rf "$prep"
        mkdir -p "$CACHE/prepared"
        mv "$run" "$prep"
        printf '%s' "$PACKAGES" > "$prep/.complete"
    fi
    run="$CACHE/matrix/$sys"
    rm -rf "$run"
    mkdir -p "$CACHE/matrix"
    cp -a "$prep" "$run"
    rm -f "$run/.complete"
    echo "$run"
}

# --- the roots only -----------------------------------------------------------------------------------------------
if [ "${1:-}" = --prepare ]; then
    shift
    # shellcheck disable=SC2086  # one word per system
    [ $# -gt 0 ] || set -- $ALL
    mkdir -p "$CACHE/matrix"
    for sys in "$@"; do
        prepared_root "$sys" "$CACHE/matrix/$sys.prepare.log" >/dev/null \
            || { say "$sys: the README's packages do not install (see $CACHE/matrix/$sys.prepare.log)"; exit 1; }
        say "$sys: ready"
    done
    exit 0
fi

# --- the README's first command on a clean Debian 12 ---------------------------------------------------------------
if [ "${1:-}" = --readme-first-command ]; then
    LOG="$CACHE/matrix/readme-first-command.log"
    run=$(fresh_root debian12)
    : > "$LOG"
    # shellcheck disable=SC2046  # one word per package
    apt_in_root "$run" "$LOG" python3 $(readme_packages "$ROOT/README.md") \
        || { say "apt-get failed (see $LOG)"; exit 1; }
    mkdir -p "$run/src"
    git -C "$ROOT" ls-files -z | (cd "$ROOT" && xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$run/src"
    # Where this machine's HTTPS goes through a proxy with its own certificate authority (PIP_CERT, as on the
    # development machine), pip in the root needs that bundle too; a user's machine needs nothing of the kind.
    cert=""
    if [ -n "${PIP_CERT:-}" ] && [ -f "$PIP_CERT" ]; then
        mkdir -p "$run/etc/ssl"
        cp "$PIP_CERT" "$run/etc/ssl/host-ca-bundle.crt"
        cert=/etc/ssl/host-ca-bundle.crt
    fi
    start_xvfb
    first=$(sed -n '/^Start Paperdesk/,/^```$/p' "$ROOT/README.md" | sed -n '/^```sh$/,/^```$/p' | sed -n 2p)
    case "$first" in *"&& .venv/bin/paperdesk") ;; *) say "the README's first command changed: $first"; exit 1 ;; esac
    say "in a clean Debian 12 root: $first gui --exit-when-shown (DISPLAY=$DISPLAY_NUM, xcb)"
    if in_root "$run" env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 DISPLAY="$DISPLAY_NUM" QT_QPA_PLATFORM=xcb \
        ${cert:+PIP_CERT=$cert} sh -c "cd /src && $first gui --exit-when-shown" >> "$LOG" 2>&1 && grep -q '^window shown' "$LOG"; then
        echo "README's first command, clean Debian 12 + README packages: $(grep '^window shown' "$LOG" | tail -n 1) (xcb)"
    else
        say "FAIL: the README's first command did not show the window (see $LOG)"
        exit 1
    fi
    exit 0
fi

# --- the matrix ---------------------------------------------------------------------------------------------------
[ $# -ge 1 ] && [ -f "$1" ] || { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
TARBALL=$(readlink -f "$1")
shift
SYSTEMS=${*:-$ALL}
[ -n "$PACKAGES" ] || { say "no 'sudo apt-get install' line in packaging/linux/README.txt"; exit 1; }
start_xvfb
mkdir -p "$CACHE/matrix"
TABLE="$CACHE/matrix.md"
{
    echo "| system | glibc | command line | import, exports | window offscreen | window on X (Xvfb, xcb) | result |"
    echo "|---|---|---|---|---|---|---|"
} > "$TABLE"
failed=0
for sys in $SYSTEMS; do
    LOG="$CACHE/matrix/$sys.log"
    : > "$LOG"
    say "$sys: fresh root, README packages, smoke test (log: $LOG)"
    if ! run=$(prepared_root "$sys" "$LOG"); then
        echo "| $sys | | root or README packages failed (see $LOG) | | | | **not run** |" >> "$TABLE"
        failed=1
        continue
    fi
    glibc=$(glibc_of "$run")
    mkdir -p "$run/smoke/packaging" "$run/smoke/dist"
    cp "$ROOT/packaging/smoke_test.sh" "$run/smoke/packaging/"
    cp -r "$ROOT/seeds" "$run/smoke/seeds"
    cp "$TARBALL" "$run/smoke/"
    name=$(basename "$TARBALL")
    if below_floor "$glibc"; then
        # Below the floor the launcher must refuse with its one sentence, before any Python loads.
        mkdir -p "$run/smoke/unpacked"
        tar -xzf "$TARBALL" -C "$run/smoke/unpacked"
        app=$(cd "$run/smoke/unpacked" && ls -d */paperdesk | head -n 1)
        rc=0
        out=$(in_root "$run" env -i PATH=/usr/bin:/bin HOME=/root "/smoke/unpacked/$app" --version 2>&1) || rc=$?
        echo "$out" >> "$LOG"
        if [ "$rc" = 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [[ "$out" == *"needs glibc $FLOOR or newer"* ]]; then
            echo "| $sys | $glibc | refused in one sentence: \"${out//|/\\|}\" | — | — | — | **below the floor, as designed** |" >> "$TABLE"
        else
            echo "| $sys | $glibc | exit $rc: ${out//|/\\|} | | | | **FAIL** |" >> "$TABLE"
            failed=1
        fi
        continue
    fi
    rc=0
    in_root "$run" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 SMOKE_DISPLAY="$DISPLAY_NUM" \
        bash /smoke/packaging/smoke_test.sh "/smoke/$name" >> "$LOG" 2>&1 || rc=$?
    mark() { grep -q "^ok   $1" "$LOG" && echo "yes" || echo "**no**"; }
    cli=$(mark "--version"); imp=$(mark "BibTeX export"); off=$(mark "main window, author page"); x=$(mark "on an X server")
    if [ "$rc" = 0 ] && grep -q '^SMOKE PASS' "$LOG"; then result="**PASS**"; else result="**FAIL** ($(grep -m1 'SMOKE FAIL' "$LOG" | sed 's/|/\\|/g'))"; failed=1; fi
    echo "| $sys | $glibc | $cli | $imp | $off | $x | $result |" >> "$TABLE"
done
echo
echo "README packages installed in each root: \`$PACKAGES\`"
cat "$TABLE"
exit "$failed"
