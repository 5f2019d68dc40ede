"""The session's words to the writer, translatable without Qt in this layer (writer_app/translation.py):
the window installs its translator (ui/i18n.py), and pyside6-lupdate collects the literals passed to
tr() here as everywhere."""

from __future__ import annotations

from collections.abc import Callable

from writer_app.assist.requests import AssistError, ErrorKind
from writer_app.translation import set_translate, tr

_task_language = "en"


def task_language() -> str:
    """The key of the task labels to show ('en' or 'zh')."""
    return _task_language


def set_translator(translate: Callable[[str], str], language: str) -> None:
    global _task_language
    set_translate(translate)
    _task_language = language


def no_model_hint() -> str:
    return tr("No model installed: Assist → Models… installs one (or 'writer-app models install-default').")


def still_loading() -> str:
    return tr("The model is still loading; try again in a moment.")


def no_probabilities() -> str:
    return tr(
        "This model's server gives no word probabilities, which the word choices and the surprise view need."
    )


def explain_error(error: AssistError) -> str:
    return no_model_hint() if error.kind is ErrorKind.NO_MODEL else error.message
