#!/usr/bin/env bash
# Set up a virtual environment with the export and dev extras, then run the linter and the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[export,dev]'
.venv/bin/ruff check writer_app tests
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
