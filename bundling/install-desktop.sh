#!/usr/bin/env sh
# Installs a launcher for a built Wizard Desktop bundle into the user's applications
# menu (no root): the .desktop file and the icons, following the XDG directories.
# Usage: install-desktop.sh [BUNDLE_DIR]   (default: the folder this script is in,
# or dist/WizardDesktop when run from the source tree)
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
bundle=${1:-}
if [ -z "$bundle" ]; then
  if [ -x "$here/WizardDesktop" ]; then bundle=$here; else bundle=$here/../dist/WizardDesktop; fi
fi
bundle=$(CDPATH= cd -- "$bundle" && pwd)
exe=$bundle/WizardDesktop
[ -x "$exe" ] || { echo "install-desktop: no built app at $exe (run 'make app' first)" >&2; exit 1; }
resources=$bundle/_internal/resources
data_home=${XDG_DATA_HOME:-$HOME/.local/share}

for size in 16 32 48 64 128 256; do
  mkdir -p "$data_home/icons/hicolor/${size}x${size}/apps"
  cp "$resources/icons/wizard-desktop-$size.png" "$data_home/icons/hicolor/${size}x${size}/apps/wizard-desktop.png"
done
mkdir -p "$data_home/applications"
sed "s|@EXEC@|\"$exe\"|" "$resources/wizard-desktop.desktop" > "$data_home/applications/wizard-desktop.desktop"
chmod 0644 "$data_home/applications/wizard-desktop.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$data_home/applications" || true
echo "Installed the Wizard Desktop launcher: $data_home/applications/wizard-desktop.desktop"
