"""Long model work (install, import) run as `writer-app models …` in a child process.

A child process keeps the window responsive through minutes of export and quantization, reports its
stages as the command line prints them, and can be stopped at any moment: Cancel asks it to stop
(SIGTERM, which unwinds its staging folder and temporary files), kills it if it does not, and then
removes whatever a killed install left in the store. Nothing half-installed stays.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from writer_app.errors import ERROR_TAG
from writer_app.models.stages import stage_detail, stage_of
from writer_app.models.store import ModelStore
from writer_app.translation import LANGUAGE_VARIABLE
from writer_app.ui.i18n import current_language, tr

STOP_GRACE_MS = 3000


def models_command(args: list[str]) -> tuple[str, list[str]]:
    """(program, arguments) that run `writer-app models ARGS`: the interpreter with -m, or, in the
    desktop bundle (PyInstaller sets sys.frozen), the bundle's own executable."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["models", *args]
    return sys.executable, ["-m", "writer_app", "models", *args]


@dataclass(frozen=True)
class JobOutcome:
    ok: bool
    cancelled: bool
    message: str  # the error line, or what was done


class ModelJob(QObject):
    """One `writer-app models ARGS` run. stage(label, fraction, line); done(JobOutcome)."""

    stage = Signal(str, float, str)
    done = Signal(object)

    def __init__(self, args: list[str], name: str, store: ModelStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.args, self.name, self.store = args, name, store
        self.cancelled = False
        self._errors: list[str] = []
        self._last = ""
        self.process = QProcess(self)
        environment = QProcessEnvironment.systemEnvironment()
        environment.insert("PYTHONUNBUFFERED", "1")
        environment.insert(LANGUAGE_VARIABLE, current_language())  # the command speaks the window's language
        self.process.setProcessEnvironment(environment)
        self.process.readyReadStandardOutput.connect(self._read_output)
        self.process.readyReadStandardError.connect(self._read_errors)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._failed_to_start)

    def start(self) -> None:
        self.stage.emit(tr("Starting"), 0.0, "")
        self.process.start(*models_command(self.args))

    def cancel(self) -> None:
        if self.process.state() == QProcess.ProcessState.NotRunning:
            return
        self.cancelled = True
        self.stage.emit(tr("Cancelling"), 0.0, "")
        self.process.terminate()
        QTimer.singleShot(STOP_GRACE_MS, self._kill_if_running)

    def _kill_if_running(self) -> None:
        if self.process.state() != QProcess.ProcessState.NotRunning:
            self.process.kill()

    def _read_output(self) -> None:
        text = bytes(self.process.readAllStandardOutput().data()).decode("utf-8", "replace")
        for line in text.splitlines():
            line = line.strip()
            if not line:
                continue
            self._last = line
            stage = stage_of(line)
            if stage is not None:
                self.stage.emit(tr(stage[0]), stage[1], line)

    def _read_errors(self) -> None:
        text = bytes(self.process.readAllStandardError().data()).decode("utf-8", "replace")
        self._errors += [line.strip() for line in text.splitlines() if line.strip()]

    def _failed_to_start(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.done.emit(
                JobOutcome(False, False, tr("could not start {program}").format(program=sys.executable))
            )

    def _finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        if self.cancelled:
            self.store.discard_staging(self.name)
            self.done.emit(JobOutcome(False, True, tr("Cancelled; nothing was installed.")))
            return
        if code == 0:
            self.stage.emit(tr("Done"), 1.0, self._last)
            self.done.emit(JobOutcome(True, False, self._last))
            return
        self.store.discard_staging(self.name)
        errors = [line for line in self._errors if line.startswith(ERROR_TAG)]
        message = (errors or self._errors or [tr("stopped with exit code {code}").format(code=code)])[-1]
        self.done.emit(JobOutcome(False, False, message.removeprefix(ERROR_TAG)))


class JobPanel(QWidget):
    """A stage label, a progress bar and Cancel, for one ModelJob at a time. finished(JobOutcome)."""

    finished = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job: ModelJob | None = None
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 2)
        row.addWidget(self.bar, 3)
        row.addWidget(self.cancel_button)
        self.hide()

    @property
    def busy(self) -> bool:
        return self.job is not None

    def run(self, args: list[str], name: str, store: ModelStore) -> ModelJob:
        job = ModelJob(args, name, store, self)
        job.stage.connect(self._stage)
        job.done.connect(self._done)
        self.job = job
        self.bar.setValue(0)
        self.cancel_button.setEnabled(True)
        self.show()
        job.start()
        return job

    def cancel(self) -> None:
        if self.job is not None:
            self.cancel_button.setEnabled(False)
            self.job.cancel()

    def _stage(self, label: str, fraction: float, line: str) -> None:
        text = label + "…" if fraction < 1 else label
        detail = stage_detail(line)  # a long stage says where it is
        self.label.setText(f"{text} {detail}" if detail else text)
        self.label.setToolTip(line)
        self.bar.setValue(max(self.bar.value(), int(fraction * 1000)))

    def _done(self, outcome: JobOutcome) -> None:
        self.job = None
        self.hide()
        self.finished.emit(outcome)
