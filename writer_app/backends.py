"""Which backend a model reference names, opened: a server's model (`server:` references, see
remote/server_config.py) or a model folder on this computer (a name in the store, or a path).

The one place that knows both kinds exist: the model thread and the command line hold a `Backend` and
never ask which it is. The server engine and its HTTP code are imported only when a server is named, the
local runtime only when a local model is.
"""

from __future__ import annotations

from writer_app.engine.backend import Backend


def open_backend(model_ref: str | None, threads: int | None = None) -> Backend:
    """Load the model the reference names; raises UserError (with what to do) when it cannot."""
    from writer_app.remote.server_config import parse_ref

    server = parse_ref(model_ref or "")
    if server is not None:
        from writer_app.remote.remote_engine import RemoteEngine

        return RemoteEngine.connect(server)
    from writer_app.engine.local_backend import LocalBackend
    from writer_app.models.store import ModelStore

    return LocalBackend.load(ModelStore().resolve(model_ref or None), threads=threads or None)
