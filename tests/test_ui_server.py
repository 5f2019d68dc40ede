"""The window with the server engine (a real llama.cpp server on 127.0.0.1): suggest, accept, rewrite;
where the text goes, shown; the one question before text first goes to another computer; local-only
mode; the API key kept out of the settings file."""

from __future__ import annotations

import json
import socket

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import Qt

from tests.server_fixtures import MODEL_ALIAS, free_port
from tests.test_ui_editor import make_window, select, type_text
from writer_app.remote import server_config
from writer_app.settings import Settings, load_settings, save_settings, settings_path
from writer_app.ui.main_window import MainWindow
from writer_app.ui.settings_dialog import SettingsDialog


def server_window(qtbot, base_url: str, **overrides) -> MainWindow:
    w = make_window(
        qtbot, None, model_source="server", server_url=base_url, server_model=MODEL_ALIAS, **overrides
    )
    qtbot.waitUntil(
        lambda: w.session.model.info is not None or w.session.model.error is not None, timeout=30000
    )
    return w


def test_suggest_accept_and_rewrite_through_the_server(qtbot, llama_server):
    w = server_window(qtbot, llama_server, alternatives=2)
    port = llama_server.split(":")[2].split("/")[0]
    assert w.session.model.info.name == MODEL_ALIAS
    assert w.bridge.where_label.isVisible() and f"127.0.0.1:{port}" in w.bridge.where_label.text()
    assert w.server_action.isChecked() and w.surprise_action.isEnabled()
    assert w.bridge.model_label.text() == f"Model: {MODEL_ALIAS} (server)"  # no local memory to show
    type_text(w, "The harbour was quiet that morning, and the")
    w.session.request_suggestion()
    qtbot.waitUntil(lambda: w.editor.ghost_text != "" and not w.session.busy, timeout=30000)
    ghost = w.editor.ghost_text
    qtbot.keyClick(w.editor, Qt.Key.Key_Tab)
    assert w.editor.toPlainText() == "The harbour was quiet that morning, and the" + ghost

    select(w.editor, 0, len("The harbour was quiet that morning"))
    w.open_rewrite()
    w.run_rewrite("shorter")
    qtbot.waitUntil(lambda: not w.session.busy, timeout=60000)
    candidates = [c for c in w.session.rewrite.candidates if c.strip()]
    assert candidates and w.apply_rewrite(0)
    assert w.editor.toPlainText().endswith(ghost) and not w.editor.toPlainText().startswith(
        "The harbour was quiet that morning,"
    )


def test_a_writer_on_a_server_is_not_offered_a_model_to_install(qtbot, llama_server, monkeypatch, tmp_path):
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))  # nothing installed here
    w = server_window(qtbot, llama_server)
    assert w.offer_first_run() is None and w.session.model.info.name == MODEL_ALIAS


def test_the_local_models_are_one_click_away(qtbot, llama_server, tiny_home):
    w = server_window(qtbot, llama_server)
    w.server_action.trigger()  # untick: this computer again
    qtbot.waitUntil(
        lambda: w.session.model.info is not None and not w.session.model.info.where, timeout=30000
    )
    assert not w.bridge.where_label.isVisible() and w.settings.model_source == "local"


def test_another_computer_is_asked_about_once(qtbot, monkeypatch, tmp_path, no_proxy_env):
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    asked: list[str] = []
    monkeypatch.setattr(MainWindow, "confirm_sending", lambda _self, host: asked.append(host) or False)
    w = server_window(qtbot, "http://writers.example:8080/v1")
    assert asked == ["writers.example"] and w.settings.model_source == "local"
    assert not w.session.continuation_ref.startswith("server:")

    def no_lookup(*_args, **_kwargs):  # no name lookup leaves this machine in a test
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
    monkeypatch.setattr(MainWindow, "confirm_sending", lambda _self, host: asked.append(host) or True)
    w = server_window(qtbot, "http://writers.example:8080/v1")
    assert asked == ["writers.example", "writers.example"] and "writers.example" in w.settings.confirmed_hosts
    assert "cannot find the server writers.example" in w.statusBar().currentMessage()
    again = server_window(qtbot, "http://writers.example:8080/v1", confirmed_hosts=["writers.example"])
    assert len(asked) == 2 and again.session.continuation_ref.startswith("server:")


def test_local_only_mode_refuses_the_server(qtbot, llama_server, tiny_home):
    w = server_window(qtbot, llama_server, local_only=True)
    assert not w.session.continuation_ref.startswith("server:")
    assert not w.server_action.isEnabled() and not w.bridge.where_label.isVisible()
    dialog = SettingsDialog(w.settings, [], w)
    assert not dialog.server.url.isEnabled() and dialog.server.source.currentData() == "local"


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.keys.get((service, username))

    def set_password(self, service, username, password):
        self.keys[(service, username)] = password

    def delete_password(self, service, username):
        self.keys.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def test_the_api_key_goes_to_the_keyring_never_to_the_settings_file(
    qtbot, monkeypatch, tmp_path, memory_keyring
):
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    monkeypatch.delenv(server_config.KEY_VARIABLE, raising=False)
    w = make_window(qtbot, None)
    dialog = SettingsDialog(w.settings, [], w)
    dialog.server.url.setText("127.0.0.1:9")  # nothing listens there; the key is only stored
    dialog.server.model.setEditText("m")
    dialog.server.key.setText("sk-very-secret")
    w.settings_accepted(dialog)  # OK pressed
    assert server_config.api_key("http://127.0.0.1:9/v1") == "sk-very-secret"
    assert "sk-very-secret" not in settings_path().read_text(encoding="utf-8")
    assert load_settings()[0].server_url == "http://127.0.0.1:9/v1"
    monkeypatch.setenv(server_config.KEY_VARIABLE, "from-the-environment")
    assert server_config.api_key("http://127.0.0.1:9/v1") == "from-the-environment"


def test_settings_keep_the_server_but_not_a_key(tmp_path, monkeypatch):
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    save_settings(Settings(model_source="server", server_url="http://127.0.0.1:8080/v1", server_model="m"))
    saved = json.loads(settings_path().read_text(encoding="utf-8"))
    assert saved == {"model_source": "server", "server_url": "http://127.0.0.1:8080/v1", "server_model": "m"}
    assert server_config.normalize_base_url("127.0.0.1:8080") == "http://127.0.0.1:8080/v1"
    assert server_config.normalize_base_url("https://h.example/v1/") == "https://h.example/v1"
    assert server_config.is_this_computer("127.0.0.1") and server_config.is_this_computer("::1")
    assert not server_config.is_this_computer("192.168.1.20")


def test_settings_list_the_servers_models_to_pick_from(qtbot, faults, monkeypatch, tmp_path):
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    dialog = SettingsDialog(Settings(), [])
    qtbot.addWidget(dialog)
    dialog.server.url.setText(faults.base_url)
    assert dialog.server.list_models() == ["m"]
    assert dialog.server.model.currentText() == "m" and dialog.server.status.text().endswith(": 1")
    dialog.server.url.setText(f"127.0.0.1:{free_port()}")
    assert dialog.server.list_models() == []
    assert "nothing answers at 127.0.0.1" in dialog.server.status.text()
    assert dialog.server.model.currentText() == "m"  # what was chosen stays
