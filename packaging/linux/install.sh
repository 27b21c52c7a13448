#!/usr/bin/env sh
# Install Paperdesk from this unpacked folder: the app, a `paperdesk` command, a menu entry and an icon.
#
#   ./install.sh                 for you alone, under ~/.local (no root needed)
#   sudo ./install.sh --system   for everyone, under /opt/paperdesk and /usr/local
#   ./install.sh --uninstall     (with --system if it was installed that way) removes all of it again
#
# Your library is never touched: it lives in your data folder (~/.local/share/Paperdesk), not here.
# Packagers: DESTDIR=/stage ./install.sh --system installs under /stage with the paths of the real system.
set -eu

# Every file and folder gets its mode set explicitly below; this umask only covers what cp and mkdir create
# in between (a root umask of 077 would otherwise leave /opt/paperdesk unreadable for everyone else).
umask 022

HERE=$(cd "$(dirname "$0")" && pwd)
MODE=user
ACTION=install
for arg in "$@"; do
    case "$arg" in
        --system) MODE=system ;;
        --uninstall) ACTION=uninstall ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    esac
done

DEST=""
if [ "$MODE" = system ]; then
    DEST=${DESTDIR:-}
    APP=/opt/paperdesk
    BIN_DIR=/usr/local/bin
    SHARE=/usr/local/share
else
    DATA_HOME=${XDG_DATA_HOME:-"$HOME/.local/share"}
    APP="$DATA_HOME/paperdesk-app"
    BIN_DIR="$HOME/.local/bin"
    SHARE="$DATA_HOME"
fi
APP_DIR="$DEST$APP"
DESKTOP_FILE="$DEST$SHARE/applications/paperdesk.desktop"
ICON_FILE="$DEST$SHARE/icons/hicolor/scalable/apps/paperdesk.svg"
# The folders install.sh made (and only those) are listed here, so that --uninstall removes them again.
CREATED="$APP_DIR/.created-folders"
FOLDERS="$DEST$BIN_DIR $DEST$SHARE/applications $DEST$SHARE/icons/hicolor/scalable/apps"

refresh_menus() {  # (only folders that exist: the tools would create them)
    if [ -d "$DEST$SHARE/applications" ] && command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$DEST$SHARE/applications" || true
    fi
    if [ -d "$DEST$SHARE/icons/hicolor" ] && command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t "$DEST$SHARE/icons/hicolor" || true
    fi
}

if [ "$ACTION" = uninstall ]; then
    if [ ! -e "$APP_DIR" ] && [ ! -e "$DESKTOP_FILE" ] && [ ! -L "$DEST$BIN_DIR/paperdesk" ]; then
        echo "Paperdesk is not installed in $APP_DIR: nothing to remove."
        exit 0
    fi
    created=""
    if [ -f "$CREATED" ]; then created=$(cat "$CREATED"); fi
    rm -rf "$APP_DIR"
    rm -f "$DESKTOP_FILE" "$ICON_FILE"
    if [ -L "$DEST$BIN_DIR/paperdesk" ]; then rm -f "$DEST$BIN_DIR/paperdesk"; fi
    # Folders made by the install, deepest first, if nothing else has been put in them since; the menu and icon
    # caches in them were written by refresh_menus for our entry alone.
    printf '%s\n' "$created" | sort -r | while IFS= read -r folder; do
        [ -n "$folder" ] && [ -d "$folder" ] || continue
        rm -f "$folder/mimeinfo.cache" "$folder/icon-theme.cache"
        rmdir "$folder" 2>/dev/null || true
    done
    refresh_menus
    echo "Paperdesk removed (your library and window settings are kept)."
    exit 0
fi

if [ ! -x "$HERE/paperdesk" ] || [ ! -d "$HERE/_internal" ]; then
    echo "install.sh: run me from the unpacked Paperdesk folder (paperdesk and _internal/ beside me)" >&2
    exit 1
fi

# Which folders do not exist yet (each level up to one that does), to be removed again by --uninstall.
created=""
if [ -f "$CREATED" ]; then created=$(cat "$CREATED"); fi
for folder in "$(dirname "$APP_DIR")" $FOLDERS; do
    while [ ! -d "$folder" ]; do
        created="$created
$folder"
        folder=$(dirname "$folder")
    done
done
created=$(printf '%s\n' "$created" | sed '/^$/d' | sort -u)

# Copy into a fresh folder first, then swap: an interrupted install leaves the old version working.
mkdir -p "$(dirname "$APP_DIR")" $FOLDERS
rm -rf "$APP_DIR.new"
cp -R "$HERE" "$APP_DIR.new"
# Modes as they must be whatever the umask was when the tarball was unpacked: readable by all, programs and
# folders executable, nothing writable but by the owner.
chmod -R u+rwX,go+rX,go-w "$APP_DIR.new"
printf '%s\n' "$created" > "$APP_DIR.new/.created-folders"
chmod 0644 "$APP_DIR.new/.created-folders"
rm -rf "$APP_DIR.old"
if [ -e "$APP_DIR" ]; then mv "$APP_DIR" "$APP_DIR.old"; fi
mv "$APP_DIR.new" "$APP_DIR"
rm -rf "$APP_DIR.old"
printf '%s\n' "$created" | while IFS= read -r folder; do
    if [ -n "$folder" ] && [ -d "$folder" ]; then chmod 0755 "$folder"; fi
done

ln -sf "$APP/paperdesk" "$DEST$BIN_DIR/paperdesk"
cp "$HERE/paperdesk.svg" "$ICON_FILE"
# The menu entry names the installed program by its full path: ~/.local/bin is not on every desktop's PATH.
sed -e "s|^Exec=.*|Exec=\"$APP/paperdesk\"|" -e "s|^Icon=.*|Icon=paperdesk|" \
    "$HERE/paperdesk.desktop" > "$DESKTOP_FILE"
chmod 0644 "$DESKTOP_FILE" "$ICON_FILE"
refresh_menus

echo "Paperdesk $(cat "$HERE/VERSION" 2>/dev/null || echo) installed in $APP_DIR"
echo "Start it from your applications menu, or run: $BIN_DIR/paperdesk"
case ":$PATH:" in *":$BIN_DIR:"*) ;; *) echo "($BIN_DIR is not on your PATH)";; esac
