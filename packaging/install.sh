#!/usr/bin/env bash
# Install the writer_app bundle for this user (no root): the program folder, a `writer-app` command, the
# desktop entry and icons, so it appears in the applications menu. Run it from the unpacked archive:
#   tar xzf writer-app-*-linux-x86_64.tar.gz && writer-app-*/install.sh
#   writer-app-*/install.sh --uninstall        # removes all of it (your documents and models stay)
# PREFIX (default ~/.local) chooses where: PREFIX/opt/writer-app, PREFIX/bin, PREFIX/share.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
program=$prefix/opt/writer-app
share=$prefix/share
icon_sizes=(16x16 24x24 32x32 48x48 128x128 256x256 512x512 scalable)

uninstall() {
  rm -rf "$program"
  rm -f "$prefix/bin/writer-app" "$share/applications/writer-app.desktop" \
    "$share/metainfo/io.github.writer_app.metainfo.xml"
  for size in "${icon_sizes[@]}"; do
    rm -f "$share/icons/hicolor/$size/apps/writer-app.png" "$share/icons/hicolor/$size/apps/writer-app.svg"
  done
  echo "writer_app removed from $prefix (documents and models are kept)"
}

if [[ ${1:-} == --uninstall ]]; then
  uninstall
  exit 0
fi
[[ -x $here/writer-app/writer-app ]] || { echo "install.sh: run it from the unpacked archive" >&2; exit 2; }
mkdir -p "$prefix/opt" "$prefix/bin" "$share/applications" "$share/metainfo"
rm -rf "$program.new"
cp -a "$here/writer-app" "$program.new"
rm -rf "$program"
mv "$program.new" "$program"  # a reinstall replaces the old folder only once the new one is whole
ln -sfn "$program/writer-app" "$prefix/bin/writer-app"
# the menu entry runs this copy whether or not PREFIX/bin is on the PATH
sed "s|^Exec=writer-app|Exec=$program/writer-app|" "$here/share/writer-app.desktop" \
  >"$share/applications/writer-app.desktop"
cp "$here/share/io.github.writer_app.metainfo.xml" "$share/metainfo/"
for size in "${icon_sizes[@]}"; do
  for icon in "$here/share/icons/hicolor/$size/apps/"writer-app.*; do
    [[ -f $icon ]] || continue
    mkdir -p "$share/icons/hicolor/$size/apps"
    cp "$icon" "$share/icons/hicolor/$size/apps/"
  done
done
command -v update-desktop-database >/dev/null && update-desktop-database -q "$share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$share/icons/hicolor" || true
echo "writer_app installed in $program"
echo "  command: $prefix/bin/writer-app   (the applications menu has it as writer_app)"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "  note: $prefix/bin is not on your PATH" ;; esac
