#!/bin/sh
# Adds WBS Screen to this user's application menu (no root needed). Run it from the unpacked
# folder: ./install-desktop-entry.sh   Remove it again: ./install-desktop-entry.sh --uninstall
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data="${XDG_DATA_HOME:-$HOME/.local/share}"
apps="$data/applications"
icons="$data/icons/hicolor"
if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$apps/wbs-screen.desktop" "$icons/512x512/apps/wbs-screen.png" \
        "$icons/scalable/apps/wbs-screen.svg"
    echo "WBS Screen removed from the application menu."
    exit 0
fi
mkdir -p "$apps" "$icons/512x512/apps" "$icons/scalable/apps"
cp "$here/_internal/resources/icons/wbs-screen.png" "$icons/512x512/apps/wbs-screen.png"
cp "$here/_internal/resources/icons/wbs-screen.svg" "$icons/scalable/apps/wbs-screen.svg"
# The menu entry starts this folder's executable (quoted: the path may hold spaces).
sed -e "s|^Exec=.*|Exec=\"$here/wbs-screen\" %f|" -e "s|^TryExec=.*|TryExec=$here/wbs-screen|" \
    "$here/wbs-screen.desktop" > "$apps/wbs-screen.desktop"
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database "$apps" || true
fi
echo "WBS Screen added to the application menu ($apps/wbs-screen.desktop)."
