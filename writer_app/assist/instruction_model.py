"""The model rewrites and tasks run on. It is the continuation model itself unless Settings name another
(an instruction-tuned model such as Qwen2.5-Instruct beside a fast GPT-2 for ghost text); that one loads
on first use, so a writer who never rewrites never pays for it, and it can be unloaded."""

from __future__ import annotations

from collections.abc import Callable

from writer_app.assist.flow import FlowContext
from writer_app.assist.ports import ModelState
from writer_app.assist.requests import AssistError, ModelInfo, Role
from writer_app.assist.wording import tr


class InstructionModel:
    def __init__(self, context: FlowContext) -> None:
        self.context = context
        self.session = context.session
        self.state = ModelState()
        self._loaded_ref: str | None = None
        self._pending: Callable[[], object] | None = None

    def ref(self) -> str | None:
        """The instruction model's name or folder when it is not the continuation model, else None."""
        wanted = self.session.settings.instruction_model.strip()
        loaded = self.session.model.info
        same = wanted == self.session.continuation_ref or (loaded is not None and wanted == loaded.name)
        return wanted if wanted and not same else None

    @property
    def separate(self) -> bool:
        return self.ref() is not None

    def info(self) -> ModelInfo | None:
        return self.state.info if self.separate else self.session.model.info

    def when_ready(self, action: Callable[[], object]) -> bool:
        """Run action now if the model is ready, or once it has loaded (starting the load). False when
        it cannot run: the shared continuation model is still loading, or the instruction model failed."""
        if self.info() is not None:
            action()
            return True
        ref = self.ref()
        if ref is None:
            return False
        if self.state.error is not None and self._loaded_ref == ref:
            return False
        self._pending = action
        if not self.state.loading:
            self._set(ModelState(loading=True))
            self._loaded_ref = ref
            self.context.listener.message(tr("Loading the instruction model {name}…").format(name=ref))
            self.context.engine.load(ref, self.session.settings.threads, Role.INSTRUCTION)
        return True

    def loaded(self, info: ModelInfo) -> None:
        self._set(ModelState(info=info))
        self.context.listener.message(tr("Instruction model {name} ready.").format(name=info.name))
        pending, self._pending = self._pending, None
        if pending is not None:
            pending()

    def failed(self, error: AssistError) -> None:
        waiting, self._pending = self._pending is not None, None
        self._set(ModelState(error=error))
        message = self.session.explain(error)
        self.context.listener.message(message)
        if waiting:
            self.context.listener.rewrite_done(message)

    def unload(self) -> None:
        """Free the instruction model's memory; it loads again on the next rewrite."""
        if self.state.info is not None or self.state.loading:
            self.context.engine.unload(Role.INSTRUCTION)
        self._pending = None
        self._loaded_ref = None
        self._set(ModelState())

    def settings_changed(self) -> None:
        """Another instruction model chosen: the old one is unloaded (the new one loads when used)."""
        if self._loaded_ref is not None and self._loaded_ref != self.ref():
            self.unload()
        else:
            self._publish()

    def _set(self, state: ModelState) -> None:
        self.state = state
        self._publish()

    def _publish(self) -> None:
        self.context.listener.instruction_model_changed(self.state if self.separate else None)
