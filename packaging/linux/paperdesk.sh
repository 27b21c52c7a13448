#!/bin/sh
# The Linux bundle's `paperdesk`: checks the system's C library before anything else loads, then starts the
# program beside it (paperdesk-bin, PyInstaller's). Below the floor, PyInstaller's loader would fail with a
# cryptic "GLIBC_2.xx not found"; this says it in one sentence. The build's symbol scan (glibc_floor.sh)
# guarantees no file in the bundle needs a newer glibc than FLOOR.
FLOOR=2.34
here=$(dirname "$(readlink -f "$0")")
found=$(getconf GNU_LIBC_VERSION 2>/dev/null | sed -n 's/^glibc //p')
too_old=1
if [ -n "$found" ]; then
    major=${found%%.*}
    minor=${found#*.}
    minor=${minor%%.*}
    if [ "$major" -gt "${FLOOR%%.*}" ] || { [ "$major" -eq "${FLOOR%%.*}" ] && [ "$minor" -ge "${FLOOR#*.}" ]; }; then
        too_old=0
    fi
fi
if [ "$too_old" = 1 ]; then
    if [ -n "$found" ]; then what="glibc $found"; else what="not glibc"; fi
    echo "paperdesk: this system's C library is $what, and this Paperdesk bundle needs glibc $FLOOR or newer (Debian 12, Ubuntu 22.04, RHEL 9, Fedora 35 or later)." >&2
    exit 1
fi
exec "$here/paperdesk-bin" "$@"
