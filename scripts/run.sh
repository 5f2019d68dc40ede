#!/usr/bin/env bash
# Open the editor. The first run (or the first after pyproject.toml changed) sets up .venv and installs a
# model (GPT-2 online, SmolLM2 offline); every later start uses the network not at all.
set -euo pipefail
cd "$(dirname "$0")/.."
# Its words in the writer's language, chosen as writer-app chooses (writer_app/translation.py).
language=${WRITER_APP_LANGUAGE:-${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}}
say() {  # say ENGLISH CHINESE
    case "$language" in zh*) echo "run.sh: $2" ;; *) echo "run.sh: $1" ;; esac
}
stamp=.venv/.installed-from-pyproject.toml  # a copy of the pyproject.toml .venv was installed from
if [ ! -x .venv/bin/writer-app ] || ! cmp -s pyproject.toml "$stamp"; then
    say "setting up .venv (first run, or pyproject.toml changed): about 1 GB of packages, a few minutes" \
        "正在准备 .venv（首次运行，或 pyproject.toml 有改动）：约 1 GB 的软件包，需要几分钟"
    python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
    # pip's own output (build boxes, warnings) goes to a log; a failure shows its end.
    if ! { .venv/bin/python -m pip install --quiet --upgrade pip &&
           .venv/bin/python -m pip install --quiet -e '.[export]'; } > .venv/install.log 2>&1; then
        say "installing failed; the end of .venv/install.log:" "安装失败；以下是 .venv/install.log 的末尾：" >&2
        tail -n 15 .venv/install.log >&2
        exit 1
    fi
    cp pyproject.toml "$stamp"
fi
# Prints what it did, or that a model is there already (without touching the network). Offline with no
# model, the editor still opens and offers one to install or import.
.venv/bin/writer-app models install-default ||
    say "no model installed yet; the editor offers one" "还没有安装模型；编辑器会提供可安装的模型"
exec .venv/bin/writer-app "$@"
