"""Settings → Server: where the models run (this computer, or an OpenAI-compatible server of the
writer's own), the server's address, model and API key (kept in the system keyring, never in the
settings file), and local-only mode, which refuses any server."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QLineEdit, QWidget

from writer_app.remote.server_config import normalize_base_url
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
        self.model = QLineEdit(settings.server_model)
        self.model.setPlaceholderText(tr("as the server names it (writer-app models list --server URL)"))
        form.addRow(tr("Server model"), self.model)
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText(tr("unchanged (kept in the system keyring)"))
        form.addRow(tr("API key"), self.key)
        self.local_only = QCheckBox(tr("Local only: never send text to a server"))
        self.local_only.setChecked(settings.local_only)
        self.local_only.toggled.connect(self._update)
        form.addRow("", self.local_only)
        self._update()

    def _update(self) -> None:
        refused = self.local_only.isChecked()
        for field in (self.source, self.url, self.model, self.key):
            field.setEnabled(not refused)
        if refused:
            self.source.setCurrentIndex(self.source.findData("local"))

    def apply_to(self, settings: Settings) -> None:
        settings.local_only = self.local_only.isChecked()
        settings.model_source = "local" if settings.local_only else self.source.currentData()
        settings.server_url = normalize_base_url(self.url.text())
        settings.server_model = self.model.text().strip()

    def new_key(self) -> str | None:
        """The key typed in, or None when the field was left as it was."""
        return self.key.text().strip() or None
