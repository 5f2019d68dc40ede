#!/usr/bin/env bash
# Set up a virtual environment with the export and dev extras, then run the linter and the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# llama-cpp-python (the server tests' llama.cpp server) builds from source the first time; its native
# build crashed on CPUs with AMX, so AMX is left out (pip keeps the built wheel: later installs are quick).
export CMAKE_ARGS=${CMAKE_ARGS:-"-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AMX_INT8=OFF -DGGML_AMX_TILE=OFF"}
built=$(find "${PIP_CACHE_DIR:-$HOME/.cache/pip}/wheels" -name 'llama_cpp_python-*.whl' 2>/dev/null | head -n 1)
if ! .venv/bin/python -c "import llama_cpp" 2>/dev/null && [ -z "$built" ]; then
    echo "test.sh: first set-up: pip builds llama.cpp's server (llama-cpp-python) from source for the server" \
         "tests, about 15-20 minutes on 2 cores; later set-ups reuse the built wheel"
fi
.venv/bin/python -m pip install --quiet -e '.[export,dev]'
.venv/bin/ruff check writer_app tests
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
