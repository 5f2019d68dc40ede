#!/usr/bin/env bash
# Build the one-folder desktop bundle, dist/writer-app/ (an executable and what it needs, no Python
# required on the target machine), and the archive a person downloads:
# dist/writer-app-VERSION-linux-ARCH.tar.gz (the bundle, install.sh, the desktop entry and icons).
# Needs the build tool: pip install -e '.[bundle]'.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/packaging"
python=${PYTHON:-$root/.venv/bin/python}
# the shipped translation is compiled from its source first, so a bundle never carries a stale one
"$python" "$root/scripts/build_translations.py" >/dev/null
"$python" -m PyInstaller --noconfirm --clean --log-level WARN --distpath "$root/dist" \
  --workpath "$root/build" writer-app.spec
# Debug symbols out of the native libraries (about 30 MB), except the ones auditwheel relocated into
# *.libs folders (numpy's OpenBLAS): stripping those breaks their patched ELF layout.
find "$root/dist/writer-app/_internal" -name '*.so*' -type f -not -path '*.libs/*' \
  -exec strip --strip-unneeded {} + 2>/dev/null || true
version=$("$root/dist/writer-app/writer-app" --version | awk '{print $2}')
name=writer-app-$version-linux-$(uname -m)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/share"
cp -a "$root/dist/writer-app" "$stage/$name/"
cp install.sh "$stage/$name/"
cp -a "$root/resources/writer-app.desktop" "$root/resources/io.github.writer_app.metainfo.xml" \
  "$root/resources/icons" "$stage/$name/share/"
tar -C "$stage" -czf "$root/dist/$name.tar.gz" "$name"
size=$(du -sm "$root/dist/writer-app" | cut -f1)
archive=$(du -sm "$root/dist/$name.tar.gz" | cut -f1)
echo "dist/writer-app: ${size} MB (budget 250 MB); dist/$name.tar.gz: ${archive} MB"
if (( size > 250 )); then
  echo "build.sh: the bundle is over its 250 MB budget" >&2
  exit 1
fi
