#!/usr/bin/env bash
# Fail when any ELF file under DIR needs a newer glibc than FLOOR (default: the launcher's, 2.34):
#
#   packaging/glibc_floor.sh DIR [FLOOR]
#
# Reads each file's version needs (readelf -V: the GLIBC_x.y versions it asks of libc, libm, libpthread...) and
# prints the highest one found, or the files above the floor. build_linux.sh runs it on every bundle.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:?usage: packaging/glibc_floor.sh DIR [FLOOR]}
FLOOR=${2:-$(sed -n 's/^FLOOR=//p' "$ROOT/packaging/linux/paperdesk.sh")}
command -v readelf >/dev/null 2>&1 || { echo "glibc_floor.sh: needs readelf (binutils)" >&2; exit 2; }

newer() {  # newer A B: is version A above version B?
    [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]
}

count=0
highest=0
highest_file=""
above=""
while IFS= read -r -d '' file; do
    [ "$(head -c 4 "$file" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] || continue
    count=$((count + 1))
    need=$(readelf -V -W "$file" 2>/dev/null | grep -o 'Name: GLIBC_[0-9][0-9.]*' | sed 's/.*GLIBC_//' | sort -V | tail -n 1 || true)
    [ -n "$need" ] || continue
    if newer "$need" "$highest"; then highest=$need; highest_file=$file; fi
    if newer "$need" "$FLOOR"; then above="$above
  ${file#"$DIR"/} needs GLIBC_$need"; fi
done < <(find "$DIR" -type f -print0)

[ "$count" -gt 0 ] || { echo "glibc_floor.sh: no ELF file under $DIR" >&2; exit 1; }
if [ -n "$above" ]; then
    echo "glibc_floor.sh: FAIL: these files need a glibc newer than $FLOOR:$above" >&2
    exit 1
fi
echo "glibc floor: $count ELF files, the highest need is GLIBC_$highest (${highest_file#"$DIR"/}), floor $FLOOR: ok"
