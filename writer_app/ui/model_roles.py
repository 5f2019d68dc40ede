"""Which installed model plays which role when Settings name none: the window asks here, so that its
ghost text, its rewrites and the model manager's "used for" column agree."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QLocale

from writer_app.models.catalog import writer_language
from writer_app.models.store import ModelStore
from writer_app.settings import Settings


def continuation_model(
    settings: Settings, store: ModelStore | None = None, language: str | None = None
) -> str:
    """The ghost-text model Settings name, else the installed one that suits the writer's language
    (the locale's unless given) best ("" when none is installed: the engine then says so)."""
    if settings.model:
        return settings.model
    language = language or writer_language(QLocale.system().name())
    return (store or ModelStore()).default_name(language) or ""


def instruction_model(settings: Settings, continuation: str, store: ModelStore) -> str:
    """The model rewrites and tasks run on: the one Settings name, else the store's choice for this
    ghost-text model."""
    return settings.instruction_model or store.instruction_default(continuation) or ""


def with_instruction_model(settings: Settings, continuation_override: str | None) -> Settings:
    """Settings as the session should read them: with no instruction model named, rewrites and tasks go
    to an installed model that follows instructions when the ghost-text model (by default a base
    model) does not."""
    if settings.instruction_model:
        return settings
    store = ModelStore()
    continuation = continuation_override or continuation_model(settings, store)
    chosen = instruction_model(settings, continuation, store)
    if not chosen or chosen == continuation:
        return settings
    return dataclasses.replace(settings, instruction_model=chosen)
