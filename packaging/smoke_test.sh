#!/usr/bin/env bash
# Smoke-test a built Paperdesk with no network and outside any virtual environment.
#
#   packaging/smoke_test.sh dist/paperdesk-<version>-linux-x86_64.tar.gz   the Linux bundle
#   packaging/smoke_test.sh --wheelhouse dist/wheelhouse                    installs it offline in a fresh venv
#   packaging/smoke_test.sh --command /path/to/paperdesk                    any installed paperdesk
#
# Checks: --version; the first start at the default location opens the sample library in the per-user data
# folder (never the install folder), offscreen and on Xvfb; an import of the seeds into a fresh library, and
# of 9 MB of copies of them (parsed in a worker process); a BibTeX export, read by bibtex where installed;
# the main window, an author page and Help > About rendered offscreen to PNG; for the bundle, install.sh
# and its --uninstall.
# The PNGs and a log are left in $SMOKE_OUT (default: dist/smoke/, dist/smoke-wheelhouse/ or
# dist/smoke-command/). Exits non-zero on the first failure.
#
# No network: every run of the app goes through `unshare -n` (or `unshare -rn` without root). Set
# SMOKE_ALLOW_NETWORK=1 to run where neither is allowed (macOS, Windows: the run then says so and is not an
# offline proof). SMOKE_DISPLAY=:N checks the window on that X server instead of one started with xvfb-run
# (packaging/smoke_matrix.sh passes its Xvfb into clean roots that have no X server package).
#
# Written for every bash the workflow meets: macOS's bash 3.2 (an empty array expanded under set -u aborts it, TMPDIR
# ending in "/"), Git Bash on Windows (programs print CRLF: every captured output goes through `tr -d '\r'`).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# One folder per kind of run, so a wheelhouse run does not overwrite the bundle's pictures.
case "${1:-}" in
    --wheelhouse) OUT=${SMOKE_OUT:-"$ROOT/dist/smoke-wheelhouse"} ;;
    --command) OUT=${SMOKE_OUT:-"$ROOT/dist/smoke-command"} ;;
    *) OUT=${SMOKE_OUT:-"$ROOT/dist/smoke"} ;;
esac
TMP=${TMPDIR:-/tmp}
SCRATCH=$(mktemp -d "${TMP%/}/paperdesk-smoke.XXXXXX")
SCRATCH=$(cd "$SCRATCH" && pwd -P)  # one spelling of it: no "//", no symbolic link (macOS: /var -> /private/var)
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -p "$OUT"
LOG="$OUT/smoke.log"
: > "$LOG"

fail() { echo "SMOKE FAIL: $*" | tee -a "$LOG" >&2; exit 1; }
ok() { echo "ok   $*" | tee -a "$LOG"; }

BUNDLE_DIR=""
offline_prefix() {  # how to run a command with the network cut off, as a bash array in ISOLATE
    ISOLATED=1
    if [ "${SMOKE_ALLOW_NETWORK:-0}" = 1 ]; then
        ISOLATE=()
        ISOLATED=0
    elif [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
        ISOLATE=(unshare -n)
    elif unshare -rn true 2>/dev/null; then
        ISOLATE=(unshare -rn)
    else
        fail "cannot cut the network off here (unshare -n / -rn refused); run as root or set SMOKE_ALLOW_NETWORK=1"
    fi
}
offline_prefix

if [ "${1:-}" = "--wheelhouse" ]; then
    WHEELHOUSE=$(readlink -f "${2:-}")
    ls "$WHEELHOUSE"/paperdesk-*.whl >/dev/null 2>&1 || fail "no paperdesk wheel in ${2:-(none given)}"
    PYTHON=${PYTHON:-python3}
    "$PYTHON" -m venv "$SCRATCH/venv" || fail "cannot make a virtual environment with $PYTHON"
    # No index, no pip configuration (this machine's may name other wheel folders), no network at all.
    env -i HOME="$SCRATCH" PATH=/usr/bin:/bin PIP_CONFIG_FILE=/dev/null ${ISOLATE[@]+"${ISOLATE[@]}"} \
        "$SCRATCH/venv/bin/python" -m pip install --no-index --find-links "$WHEELHOUSE" paperdesk \
        >> "$LOG" 2>&1 || fail "pip install --no-index from $WHEELHOUSE failed (see $LOG)"
    echo "ok   installed offline from $WHEELHOUSE into a fresh virtual environment" | tee -a "$LOG"
    set -- --command "$SCRATCH/venv/bin/paperdesk"
fi

if [ "${1:-}" = "--command" ]; then
    [ -n "${2:-}" ] || fail "--command needs the path of a paperdesk program"
    APP=$(readlink -f "$2")
    [ -x "$APP" ] || fail "$2 is not an executable"
    KIND="installed command $APP"
elif [ -n "${1:-}" ]; then
    TARBALL=$(readlink -f "$1")
    [ -f "$TARBALL" ] || fail "no such tarball: $1"
    mkdir "$SCRATCH/unpacked"
    tar -xzf "$TARBALL" -C "$SCRATCH/unpacked" || fail "cannot unpack $TARBALL"
    BUNDLE_DIR=$(find "$SCRATCH/unpacked" -mindepth 1 -maxdepth 1 -type d | head -n 1)
    APP="$BUNDLE_DIR/paperdesk"
    [ -x "$APP" ] || fail "the tarball has no executable paperdesk at its top folder"
    KIND="bundle $(basename "$TARBALL")"
else
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
echo "smoke test of the $KIND" | tee -a "$LOG"

# --- no network, no Python environment -------------------------------------------------------------------------
if [ "$ISOLATED" = 0 ]; then
    echo "note: SMOKE_ALLOW_NETWORK=1, runs are NOT cut off from the network" | tee -a "$LOG"
else
    # Inside a fresh network namespace the only interface is the loopback one.
    interfaces=$(${ISOLATE[@]+"${ISOLATE[@]}"} sh -c "tail -n +3 /proc/self/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' '")
    [ "$interfaces" = "lo " ] || fail "the isolated runs still see network interfaces: $interfaces"
    ok "runs are cut off from the network (${ISOLATE[*]}: interfaces: $interfaces)"
fi

HOME_DIR="$SCRATCH/home"
mkdir -p "$HOME_DIR"
case "$(uname -s)" in
    Linux) PLATFORM=linux ;;
    Darwin) PLATFORM=macos ;;
    *) PLATFORM=windows ;;  # Git Bash / MSYS on the Windows runners
esac
# A clean environment: no virtualenv, no PYTHONPATH/PYTHONHOME, a fresh HOME (so a fresh per-user data folder
# on Linux and macOS; Windows keeps its own AppData). Windows programs need their system variables, so there
# only the Python ones are removed.
# Its output loses the CR of Windows line ends (the exit status is the app's: pipefail).
run_app() {
    if [ "$PLATFORM" = windows ]; then
        env -u VIRTUAL_ENV -u PYTHONPATH -u PYTHONHOME QT_QPA_PLATFORM=offscreen PYTHONUTF8=1 "$APP" "$@" | tr -d '\r'
    else
        env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
            ${ISOLATE[@]+"${ISOLATE[@]}"} "$APP" "$@" | tr -d '\r'
    fi
}
native_path() {  # what the app prints, as a path this shell can test
    if command -v cygpath >/dev/null 2>&1; then cygpath -u "$1"; else printf '%s\n' "$1"; fi
}
MARK="$SCRATCH/start-mark"
touch "$MARK"
sleep 1  # file times have a one-second grain on some file systems

# --- 1. version -----------------------------------------------------------------------------------------------
version=$(run_app --version 2>>"$LOG") || fail "--version exited non-zero"
[[ "$version" =~ ^paperdesk\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "--version printed: $version"
if [ -n "$BUNDLE_DIR" ] && [ -f "$BUNDLE_DIR/VERSION" ]; then
    [ "$version" = "paperdesk $(cat "$BUNDLE_DIR/VERSION")" ] || fail "--version says '$version', the bundle $(cat "$BUNDLE_DIR/VERSION")"
fi
ok "--version: $version"

# --- 2. first start: window shown on the sample library, in the per-user data folder ---------------------------
shown=$(run_app gui --exit-when-shown 2>>"$LOG") || fail "the GUI did not start (see $LOG)"
echo "$shown" | grep -q "window shown" || fail "the GUI printed no 'window shown': $shown"
DEFAULT_DB=$(native_path "$(run_app paths 2>>"$LOG" | sed -n 's/^default library: //p')")
[ -n "$DEFAULT_DB" ] || fail "paperdesk paths names no default library"
[ -f "$DEFAULT_DB" ] || fail "the first start made no library at $DEFAULT_DB"
if [ "$PLATFORM" != windows ]; then
    case "$DEFAULT_DB" in "$HOME_DIR"/*) ;; *) fail "the library is not in the user's data folder: $DEFAULT_DB" ;; esac
fi
case "$DEFAULT_DB" in "$(dirname "$APP")"/*) fail "the library is inside the install folder: $DEFAULT_DB" ;; esac
ok "first start: $shown; library at ${DEFAULT_DB#"$HOME_DIR"/}"
first_count=$(run_app --db "$DEFAULT_DB" export --format json 2>>"$LOG" | grep -c '^  {"id": ' || true)
[ "$first_count" -gt 0 ] || fail "the first start did not load the sample library (0 records)"
ok "first start loaded the sample library: $first_count records"

# On a real X server too (Xvfb): offscreen runs never load Qt's xcb plugin nor the X11 libraries the bundle carries.
if [ "$PLATFORM" = linux ] && [ -n "${SMOKE_DISPLAY:-}" ]; then
    shown_x=$(env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=xcb DISPLAY="$SMOKE_DISPLAY" \
        ${ISOLATE[@]+"${ISOLATE[@]}"} "$APP" gui --exit-when-shown 2>>"$LOG" | tr -d '\r') \
        || fail "the GUI did not start on the X server $SMOKE_DISPLAY (xcb plugin; see $LOG)"
    echo "$shown_x" | grep -q "window shown" || fail "on $SMOKE_DISPLAY the GUI printed no 'window shown': $shown_x"
    ok "on an X server ($SMOKE_DISPLAY, Qt's xcb plugin): $shown_x"
elif [ "$PLATFORM" = linux ] && command -v xvfb-run >/dev/null 2>&1; then
    shown_x=$(env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=xcb \
        xvfb-run -a -s "-screen 0 1600x1000x24" ${ISOLATE[@]+"${ISOLATE[@]}"} "$APP" gui --exit-when-shown 2>>"$LOG" | tr -d '\r') \
        || fail "the GUI did not start on an X server (Xvfb, xcb plugin; see $LOG)"
    echo "$shown_x" | grep -q "window shown" || fail "on Xvfb the GUI printed no 'window shown': $shown_x"
    ok "on an X server (Xvfb, Qt's xcb plugin): $shown_x"
else
    echo "note: no xvfb-run here: the start on an X server (xcb plugin) was not checked" | tee -a "$LOG"
fi

# --- 3. import the seed dumps into a fresh library -------------------------------------------------------------
LIB="$SCRATCH/fresh.sqlite"
# The date the seeds were captured (year-less dates on the pages count back from it), as the first start uses.
CAPTURED=$(sed -n 's/.*"captured": *"\([0-9-]*\)".*/\1/p' "$ROOT/seeds/manifest.json")
[ -n "$CAPTURED" ] || fail "no capture date in seeds/manifest.json"
run_app --db "$LIB" import --captured "$CAPTURED" "$ROOT"/seeds/*.txt > "$SCRATCH/import.txt" 2>>"$LOG" || fail "import exited non-zero"
cat "$SCRATCH/import.txt" >> "$LOG"
added=$(awk '$3 == "records" && $4 == "added" { sum += $2 } END { print sum + 0 }' "$SCRATCH/import.txt")
files=$(ls "$ROOT"/seeds/*.txt | wc -l)
[ "${added:-0}" -gt 0 ] || fail "the import added no records"
[ "$added" = "$first_count" ] || fail "import added $added records, the first start loaded $first_count"
ok "import of $files seed dumps: $added records"
run_app --db "$DEFAULT_DB" export --format json > "$SCRATCH/first-start.json" 2>>"$LOG" || fail "JSON export failed"
run_app --db "$LIB" export --format json > "$SCRATCH/imported.json" 2>>"$LOG" || fail "JSON export failed"
cmp -s "$SCRATCH/first-start.json" "$SCRATCH/imported.json" \
    || fail "the first start's sample library and the imported seeds differ (JSON exports in $SCRATCH)"
ok "the first start's sample library and this import hold the same records, field for field"
again=$(run_app --db "$LIB" import --captured "$CAPTURED" "$ROOT"/seeds/*.txt 2>>"$LOG") || fail "second import exited non-zero"
echo "$again" | grep -qE '[1-9][0-9]* records added' && fail "importing the same dumps again added records"
ok "importing the same dumps again adds nothing"

# Over 8 MB of dumps at once are parsed in a worker process (spawned, not forked): in a frozen bundle that
# child must run the parser, not a second Paperdesk. Copies of the seeds, each with its own trailing
# blank lines so that no two files are the same file to the importer.
BIG="$SCRATCH/big"
mkdir "$BIG"
seed_bytes=$(cat "$ROOT"/seeds/*.txt | wc -c)
copies=$(( 9000000 / seed_bytes + 1 ))
i=1
while [ "$i" -le "$copies" ]; do
    for f in "$ROOT"/seeds/*.txt; do
        { cat "$f"; head -c "$i" /dev/zero | tr '\0' '\n'; } > "$BIG/$(printf 'copy%03d' "$i")_$(basename "$f")"
    done
    i=$((i + 1))
done
run_app --db "$SCRATCH/big.sqlite" import --captured "$CAPTURED" "$BIG"/*.txt > "$SCRATCH/big.txt" 2>>"$LOG" || fail "the large import exited non-zero"
big_added=$(awk '$3 == "records" && $4 == "added" { sum += $2 } END { print sum + 0 }' "$SCRATCH/big.txt")
[ "$big_added" = $((copies * added)) ] || fail "the large import added $big_added records, not $copies x $added"
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null || echo 1)
where=$([ "$cores" -gt 1 ] && echo "parsed in a worker process" || echo "one core: parsed in a thread")
ok "large import ($((copies * files)) files, $(( $(cat "$BIG"/*.txt | wc -c) / 1000000 )) MB, $where): $big_added records"

# --- 4. BibTeX export ------------------------------------------------------------------------------------------
BIB="$SCRATCH/library.bib"
run_app --db "$LIB" export --format bibtex -o "$BIB" >>"$LOG" 2>&1 || fail "BibTeX export exited non-zero"
entries=$(grep -cE '^@[a-z]+\{' "$BIB" || true)
[ "$entries" = "$added" ] || fail "BibTeX export has $entries entries for $added records"
keys=$(grep -oE '^@[a-z]+\{[^,]+' "$BIB" | sort | uniq -d | wc -l)
[ "$keys" = 0 ] || fail "BibTeX export repeats $keys citation keys"
cp "$BIB" "$OUT/library.bib"
ok "BibTeX export: $entries entries, keys unique ($OUT/library.bib)"
if command -v bibtex >/dev/null 2>&1; then
    # BibTeX itself reads every entry: an .aux that cites all of them with the plain style.
    printf '\\citation{*}\n\\bibdata{library}\n\\bibstyle{plain}\n' > "$SCRATCH/check.aux"
    (cd "$SCRATCH" && bibtex check >> "$LOG" 2>&1) || fail "bibtex reports errors or warnings on the export (see $LOG)"
    items=$(grep -c '^\\bibitem' "$SCRATCH/check.bbl" || true)
    [ "$items" = "$entries" ] || fail "bibtex formatted $items of the $entries entries"
    ok "bibtex reads the export with no error or warning and formats all $items entries"
else
    echo "note: no bibtex here: the export was not run through BibTeX itself" | tee -a "$LOG"
fi

# --- 5. windows rendered offscreen ------------------------------------------------------------------------------
png_ok() {  # a PNG signature and a real size
    [ -f "$1" ] && [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && [ "$(wc -c < "$1")" -gt 20000 ]
}
run_app --db "$LIB" snapshot "$SCRATCH/main.png" --view main >>"$LOG" 2>&1 || fail "rendering the main window failed"
png_ok "$SCRATCH/main.png" || fail "the main window PNG is missing or empty"
cp "$SCRATCH/main.png" "$OUT/main-window.png"
run_app --db "$LIB" snapshot "$SCRATCH/author.png" --view "author:Hao Gu" >>"$LOG" 2>&1 || fail "rendering an author page failed"
png_ok "$SCRATCH/author.png" || fail "the author page PNG is missing or empty"
cp "$SCRATCH/author.png" "$OUT/author-page.png"
run_app --db "$LIB" snapshot "$SCRATCH/about.png" --view about >>"$LOG" 2>&1 || fail "rendering Help > About failed"
[ -f "$SCRATCH/about.png" ] || fail "no Help > About PNG"
cp "$SCRATCH/about.png" "$OUT/about.png"
ok "main window, author page and Help > About rendered offscreen ($OUT/main-window.png, author-page.png, about.png)"

# --- 6. the install folder was not written to ------------------------------------------------------------------
if [ -n "$BUNDLE_DIR" ] && [ "$PLATFORM" = linux ]; then
    written=$(find "$BUNDLE_DIR" -newer "$MARK" -print | head -n 5)
    [ -z "$written" ] || fail "the app wrote into its install folder: $written"
    ok "nothing written inside the bundle's folder"

    # --- 7. install.sh adds the command, menu entry and icon; --uninstall takes them away again ---------------
    env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin "$BUNDLE_DIR/install.sh" >>"$LOG" 2>&1 || fail "install.sh failed"
    desktop="$HOME_DIR/.local/share/applications/paperdesk.desktop"
    [ -f "$desktop" ] || fail "install.sh made no menu entry"
    [ -f "$HOME_DIR/.local/share/icons/hicolor/scalable/apps/paperdesk.svg" ] || fail "install.sh installed no icon"
    validated=""
    if command -v desktop-file-validate >/dev/null 2>&1; then
        desktop-file-validate "$desktop" >>"$LOG" 2>&1 || fail "the installed menu entry is not valid (see $LOG)"
        validated=", valid"
    fi
    exec_line=$(grep '^Exec=' "$desktop")
    installed=$(echo "$exec_line" | sed -E 's/^Exec="?([^"]+)"?.*/\1/')
    [ -x "$installed" ] || fail "the menu entry runs $installed, which is not there"
    APP="$HOME_DIR/.local/bin/paperdesk"
    [ "$(run_app --version)" = "$version" ] || fail "the installed ~/.local/bin/paperdesk does not run"
    env -i HOME="$HOME_DIR" PATH=/usr/bin:/bin "$BUNDLE_DIR/install.sh" --uninstall >>"$LOG" 2>&1 || fail "uninstall failed"
    for left in "$desktop" "$HOME_DIR/.local/bin/paperdesk" "$installed"; do
        [ ! -e "$left" ] || fail "uninstall left $left"
    done
    [ -f "$DEFAULT_DB" ] || fail "uninstall removed the user's library"
    ok "install.sh: command, menu entry ($exec_line$validated) and icon; --uninstall removes them and keeps the library"
fi

echo "SMOKE PASS: $KIND" | tee -a "$LOG"
