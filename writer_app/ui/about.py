"""What the About dialog says: the version, the models in use, and the licence each is published under."""

from __future__ import annotations

import platform

import onnxruntime
from PySide6.QtCore import QCoreApplication

from writer_app.assist.ports import ModelState
from writer_app.assist.session import WritingSession
from writer_app.ui.i18n import tr


def _model_lines(role: str, state: ModelState | None) -> list[str]:
    if state is None or state.info is None:
        loading = state is not None and state.loading
        return [tr("{role}: {state}").format(role=role, state=tr("loading…") if loading else tr("none"))]
    info = state.info
    licence = info.licence or tr("not stated in its manifest (see where it came from)")
    lines = [tr("{role}: {name}").format(role=role, name=info.name)]
    if info.source:
        lines.append("    " + tr("from {source}").format(source=info.source))
    lines.append("    " + tr("licence: {licence}").format(licence=licence))
    return lines


def about_text(session: WritingSession) -> str:
    lines = [
        tr("writer_app {version}").format(version=QCoreApplication.applicationVersion()),
        tr("A writing assistant that runs its language models on this computer."),
        "",
        *_model_lines(tr("Ghost text model"), session.model),
        *(
            _model_lines(tr("Rewrite model"), instruction)
            if (instruction := session.instruction_state()) is not None
            else [tr("Rewrite model: the ghost text model")]
        ),
        "",
        tr("onnxruntime {ort} · Python {python} · {system}").format(
            ort=onnxruntime.__version__, python=platform.python_version(), system=platform.system()
        ),
        tr("What a model writes is yours to use as its licence allows."),
    ]
    return "\n".join(lines)
