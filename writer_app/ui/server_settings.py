"""Settings → Server: where the models run (this computer, or an OpenAI-compatible server of the
writer's own), the server's address, model and API key (kept in the system keyring, never in the
settings file), and local-only mode, which refuses any server."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from writer_app.errors import UserError
from writer_app.remote.http_stream import Endpoint, ServerError, Timeouts, server_models
from writer_app.remote.server_config import api_key, normalize_base_url
from writer_app.settings import Settings
from writer_app.ui.i18n import tr


class ServerSettings(QGroupBox):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(tr("Where the models run"), parent)
        form = QFormLayout(self)
        self.source = QComboBox()
        self.source.addItem(tr("This computer"), "local")
        self.source.addItem(tr("A server (OpenAI-compatible)"), "server")
        self.source.setCurrentIndex(max(0, self.source.findData(settings.model_source)))
        form.addRow(tr("Models"), self.source)
        self.url = QLineEdit(settings.server_url)
        self.url.setPlaceholderText("http://127.0.0.1:8080/v1")
        form.addRow(tr("Server address"), self.url)
        self.model = QComboBox()
        self.model.setEditable(True)  # typed, or picked from what the server lists
        self.model.setEditText(settings.server_model)
        self.model.lineEdit().setPlaceholderText(tr("as the server names it"))
        self.list_button = QPushButton(tr("List the server's models"))
        self.list_button.clicked.connect(self.list_models)
        row = QHBoxLayout()
        row.addWidget(self.model, 1)
        row.addWidget(self.list_button)
        form.addRow(tr("Server model"), row)
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText(tr("unchanged (kept in the system keyring)"))
        form.addRow(tr("API key"), self.key)
        self.local_only = QCheckBox(tr("Local only: never send text to a server"))
        self.local_only.setChecked(settings.local_only)
        self.local_only.toggled.connect(self._update)
        form.addRow("", self.local_only)
        self.status = QLabel()
        self.status.setWordWrap(True)
        form.addRow("", self.status)
        self._update()

    def _update(self) -> None:
        refused = self.local_only.isChecked()
        for field in (self.source, self.url, self.model, self.key, self.list_button):
            field.setEnabled(not refused)
        if refused:
            self.source.setCurrentIndex(self.source.findData("local"))

    def apply_to(self, settings: Settings) -> None:
        settings.local_only = self.local_only.isChecked()
        settings.model_source = "local" if settings.local_only else self.source.currentData()
        try:
            settings.server_url = normalize_base_url(self.url.text())
        except UserError:  # kept as typed: connecting to it then says what is wrong, in one line
            settings.server_url = self.url.text().strip()
        settings.server_model = self.model.currentText().strip()

    def list_models(self) -> list[str]:
        """Ask the server at the address typed for its models (no text of the writer's is sent)."""
        try:
            url = normalize_base_url(self.url.text())
        except UserError as exc:
            self.status.setText(str(exc))
            return []
        if not url:
            self.status.setText(tr("Type the server's address first."))
            return []
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            key = self.new_key() or api_key(url)
            endpoint = Endpoint(url, key, Timeouts(connect_s=3, first_token_s=10))
            names = [str(m.get("id")) for m in server_models(endpoint)]
        except ServerError as exc:
            self.status.setText(str(exc))
            return []
        finally:
            QApplication.restoreOverrideCursor()
        typed = self.model.currentText()
        self.model.clear()
        self.model.addItems(names)
        self.model.setEditText(typed if typed in names or not names else names[0])
        self.status.setText(
            tr("Models on the server at {host}: {count}").format(host=endpoint.where, count=len(names))
        )
        return names

    def new_key(self) -> str | None:
        """The key typed in, or None when the field was left as it was."""
        return self.key.text().strip() or None
