"""Nothing leaves the machine: the editor's and the command line's main paths make no network call.

Each path runs in a subprocess under `strace -f -e trace=network` (every thread, every socket call) and
then stays alive for a while, because onnxruntime's telemetry starts seconds after a session is made.
Any socket that is not a local (AF_UNIX) one, and any name lookup (glibc asks nscd over a local socket
first), fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

# onnxruntime 1.32's telemetry resolved its host 6-10 s after the first session was made.
HOLD_SECONDS = 15
STRACE = shutil.which("strace")

CLI = """
import time
from writer_app.cli import main
assert main(["complete", "--model", MODEL, "--max-new-tokens", "6", "The harbour at dawn"]) == 0
time.sleep(HOLD)
"""

EDITOR = """
import time
from pathlib import Path
from PySide6.QtWidgets import QApplication
from writer_app.settings import Settings
from writer_app.ui.main_window import MainWindow

app = QApplication([])
window = MainWindow(Settings(greedy=True, alternatives=2), model=MODEL, save_settings_on_close=False)
window.show()

def wait(condition, seconds=60):
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        app.processEvents()
        time.sleep(0.01)

wait(lambda: window.session.model.info is not None)
window.editor.setPlainText("The ferry left the harbour at dawn and")
cursor = window.editor.textCursor()
cursor.movePosition(cursor.MoveOperation.End)
window.editor.setTextCursor(cursor)
assert window.session.request_suggestion()
wait(lambda: not window.session.busy)
cursor.setPosition(4)
cursor.setPosition(9, cursor.MoveMode.KeepAnchor)
window.editor.setTextCursor(cursor)
window.open_rewrite()
window.run_rewrite("shorter")
wait(lambda: not window.session.busy)
assert window.files.write_to(Path(OUT))
end = time.monotonic() + HOLD
while time.monotonic() < end:
    app.processEvents()
    time.sleep(0.05)
window.editor.document().setModified(False)
window.close()
"""


def network_calls(log: str) -> list[str]:
    """Socket calls that could reach past this machine: non-local sockets and name lookups."""
    suspicious = []
    for line in log.splitlines():
        if not re.search(r"\b(socket|connect|sendto|sendmsg|bind)\(", line):
            continue
        if "AF_UNIX" in line and "nscd" not in line:
            continue  # local IPC (e.g. Qt's): not the network
        suspicious.append(line)
    return suspicious


def traced(script: str, model: Path, tmp_path: Path, name: str) -> subprocess.Popen:
    code = textwrap.dedent(script).replace("MODEL", repr(str(model))).replace("HOLD", str(HOLD_SECONDS))
    code = code.replace("OUT", repr(str(tmp_path / f"{name}.txt")))
    env = {
        **{k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"},
        "QT_QPA_PLATFORM": "offscreen",
        "WRITER_APP_HOME": str(tmp_path / "home"),
    }
    command = [STRACE, "-f", "-qq", "-e", "trace=network", "-o", str(tmp_path / f"{name}.strace")]
    return subprocess.Popen(
        [*command, sys.executable, "-c", code], env=env, stderr=subprocess.PIPE, text=True
    )


def test_the_editor_and_the_command_line_make_no_network_call(tiny_model, tmp_path):
    assert STRACE is not None, "this check needs strace (Debian package strace, in the machine image)"
    runs = {
        name: traced(script, tiny_model, tmp_path, name)
        for name, script in (("cli", CLI), ("editor", EDITOR))
    }
    for name, process in runs.items():
        _, err = process.communicate(timeout=HOLD_SECONDS + 120)
        assert process.returncode == 0, f"{name} failed: {err[-2000:]}"
    for name in runs:
        log = (tmp_path / f"{name}.strace").read_text()
        assert network_calls(log) == [], f"{name} made network calls"
    assert (tmp_path / "editor.txt").read_text(encoding="utf-8").startswith("The ferry")


def test_the_checker_sees_a_lookup_and_a_connection():
    log = (
        "101 socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = 8\n"
        '102 connect(8, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT\n'
        "103 socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 9\n"
        '103 connect(9, {sa_family=AF_UNIX, sun_path=@"/tmp/.X11-unix/X0"}, 20) = 0\n'
    )
    assert len(network_calls(log)) == 2
