#!/usr/bin/env bash
# Test the desktop bundle as a person uses it: build it, unpack the archive, install it with install.sh
# into a scratch prefix, then start the installed program in a real X window (Xvfb, through
# ../shared/tools/window-shot or $WINDOW_SHOT) on a tiny model, type, press Ctrl+Space, accept the ghost
# text with Tab and save with Ctrl+S; the saved file must hold the typed text and the accepted words.
#   bash packaging/test-bundle.sh            # builds first (about 30 s)
#   SKIP_BUILD=1 bash packaging/test-bundle.sh
# Needs the dev environment (.venv with the export and bundle extras) to build the bundle and the model.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}
shot=${WINDOW_SHOT:-$root/../shared/tools/window-shot}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "test-bundle: FAIL: $*" >&2; exit 1; }

[[ ${SKIP_BUILD:-0} == 1 ]] || bash "$root/packaging/build.sh"
archive=$(ls -t "$root"/dist/writer-app-*-linux-*.tar.gz | head -1)
tar -C "$work" -xzf "$archive"
PREFIX=$work/prefix "$work"/writer-app-*/install.sh >/dev/null
app=$work/prefix/bin/writer-app
[[ -x $app ]] || fail "install.sh left no $app"
grep -q "^Exec=$work/prefix/opt/writer-app/writer-app %F" "$work/prefix/share/applications/writer-app.desktop" \
  || fail "the desktop entry does not run the installed program"
[[ -f $work/prefix/share/icons/hicolor/256x256/apps/writer-app.png ]] || fail "no icon installed"
[[ -f $(find "$work/prefix/opt/writer-app" -name writer_app_zh_CN.qm | head -1) ]] || fail "no Chinese translation"
"$app" --version | grep -q "^writer-app " || fail "--version"

# a tiny GPT-2 with GPT-2's real tokenizer, exported as the tests export it
export WRITER_APP_HOME=$work/home
(cd "$root" && "$python" - "$work" <<'PY'
import sys
from pathlib import Path
from tests.fixtures_models import build_tiny_gpt2, export_with_cli
work = Path(sys.argv[1])
export_with_cli(build_tiny_gpt2(work / "tiny-src"), work / "home", "tiny")
PY
) >"$work/model.log" 2>&1 || { tail -20 "$work/model.log" >&2; fail "building the tiny model"; }
mkdir -p "$WRITER_APP_HOME/config"
echo '{"model": "tiny", "greedy": true, "suggestion_tokens": 8}' >"$WRITER_APP_HOME/config/settings.json"
"$app" complete --model tiny --max-new-tokens 4 "The harbour" >/dev/null || fail "complete on the command line"

doc=$work/harbour.txt
typed="The harbour was quiet and"
# shift presses are pauses (0.3 s each) for the ghost text to arrive before Tab takes it
"$shot" "$work/window.png" -w 60 -t "$typed" \
  -k "ctrl+space shift shift shift shift shift shift shift shift Tab ctrl+s" -s 2 -- "$app" "$doc" \
  || fail "the window did not appear"
cp "$work/window.png" "$root/dist/bundle-test.png"
[[ -f $doc ]] || fail "Ctrl+S saved nothing"
saved=$(cat "$doc")
[[ $saved == "$typed"* ]] || fail "the saved file does not start with the typed text: ${saved@Q}"
accepted=${saved#"$typed"}
[[ $accepted =~ [^[:space:]] ]] || fail "no ghost text was accepted (saved: ${saved@Q})"
echo "test-bundle: PASS: the installed bundle suggested, accepted ${accepted@Q} and saved"
echo "  bundle $(du -sm "$root/dist/writer-app" | cut -f1) MB; archive $(du -sm "$archive" | cut -f1) MB;" \
  "screenshot dist/bundle-test.png"
