#!/usr/bin/env sh
# Install Paperdesk from this unpacked folder: the app, a `paperdesk` command, a menu entry and an icon.
#
#   ./install.sh                 for you alone, under ~/.local (no root needed)
#   sudo ./install.sh --system   for everyone, under /opt/paperdesk and /usr/local
#   ./install.sh --uninstall     (with --system if it was installed that way) removes all of it again
#
# Your library is never touched: it lives in your data folder (~/.local/share/Paperdesk), not here.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
MODE=user
ACTION=install
for arg in "$@"; do
    case "$arg" in
        --system) MODE=system ;;
        --uninstall) ACTION=uninstall ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    esac
done

if [ "$MODE" = system ]; then
    APP_DIR=/opt/paperdesk
    BIN_DIR=/usr/local/bin
    SHARE=/usr/local/share
else
    DATA_HOME=${XDG_DATA_HOME:-"$HOME/.local/share"}
    APP_DIR="$DATA_HOME/paperdesk-app"
    BIN_DIR="$HOME/.local/bin"
    SHARE="$DATA_HOME"
fi
DESKTOP_FILE="$SHARE/applications/paperdesk.desktop"
ICON_FILE="$SHARE/icons/hicolor/scalable/apps/paperdesk.svg"

refresh_menus() {
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$SHARE/applications" || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true
}

if [ "$ACTION" = uninstall ]; then
    if [ ! -e "$APP_DIR" ] && [ ! -e "$DESKTOP_FILE" ] && [ ! -L "$BIN_DIR/paperdesk" ]; then
        echo "Paperdesk is not installed in $APP_DIR: nothing to remove."
        exit 0
    fi
    rm -rf "$APP_DIR"
    rm -f "$DESKTOP_FILE" "$ICON_FILE"
    if [ -L "$BIN_DIR/paperdesk" ]; then rm -f "$BIN_DIR/paperdesk"; fi
    refresh_menus
    echo "Paperdesk removed (your library and window settings are kept)."
    exit 0
fi

if [ ! -x "$HERE/paperdesk" ] || [ ! -d "$HERE/_internal" ]; then
    echo "install.sh: run me from the unpacked Paperdesk folder (paperdesk and _internal/ beside me)" >&2
    exit 1
fi

# Copy into a fresh folder first, then swap: an interrupted install leaves the old version working.
mkdir -p "$(dirname "$APP_DIR")" "$BIN_DIR" "$(dirname "$DESKTOP_FILE")" "$(dirname "$ICON_FILE")"
rm -rf "$APP_DIR.new"
cp -R "$HERE" "$APP_DIR.new"
rm -rf "$APP_DIR.old"
if [ -e "$APP_DIR" ]; then mv "$APP_DIR" "$APP_DIR.old"; fi
mv "$APP_DIR.new" "$APP_DIR"
rm -rf "$APP_DIR.old"

ln -sf "$APP_DIR/paperdesk" "$BIN_DIR/paperdesk"
cp "$HERE/paperdesk.svg" "$ICON_FILE"
# The menu entry names the installed program by its full path: ~/.local/bin is not on every desktop's PATH.
sed -e "s|^Exec=.*|Exec=\"$APP_DIR/paperdesk\"|" -e "s|^Icon=.*|Icon=paperdesk|" \
    "$HERE/paperdesk.desktop" > "$DESKTOP_FILE"
chmod 0644 "$DESKTOP_FILE" "$ICON_FILE"
refresh_menus

echo "Paperdesk $(cat "$HERE/VERSION" 2>/dev/null || echo) installed in $APP_DIR"
echo "Start it from your applications menu, or run: $BIN_DIR/paperdesk"
case ":$PATH:" in *":$BIN_DIR:"*) ;; *) echo "($BIN_DIR is not on your PATH)";; esac
