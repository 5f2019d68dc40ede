#!/usr/bin/env bash
# Build the one-folder desktop bundle: dist/writer-app/ (an executable and what it needs, no Python
# required on the target machine). Needs the build tool: pip install 'writer-app[bundle]'.
set -euo pipefail
cd "$(dirname "$0")"
python=${PYTHON:-../.venv/bin/python}
"$python" -m PyInstaller --noconfirm --clean --distpath ../dist --workpath ../build writer-app.spec
size=$(du -sm ../dist/writer-app | cut -f1)
echo "dist/writer-app: ${size} MB (budget 250 MB)"
