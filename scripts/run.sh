#!/usr/bin/env bash
# Set up a virtual environment, install a model on first run (GPT-2 online, SmolLM2 offline), open the editor.
set -euo pipefail
cd "$(dirname "$0")/.."
python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[export]'
.venv/bin/writer-app models install-default
exec .venv/bin/writer-app "$@"
