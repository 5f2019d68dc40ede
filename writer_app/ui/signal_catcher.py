"""SIGTERM, SIGINT and SIGHUP (the terminal closed) for the editor: caught from the first moment of the
start, and run later in the Qt event loop.

Python runs signal handlers only between bytecodes, and the Qt event loop is C++: the C-level handler
writes the signal number to a socket Qt watches, which wakes the loop. Catching starts before Qt is even
imported (a Ctrl-C while Qt loaded was swallowed by its import machinery and the editor opened anyway, one
start in a few) and before the window is built: what arrives early waits in the socket and closes the
window as soon as the loop runs. Nothing here imports Qt until the window is there to be told.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtCore import QSocketNotifier

SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class SignalCatcher:
    def __init__(self) -> None:
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        for signum in SIGNALS:
            signal.signal(signum, lambda *_: None)  # the wakeup fd does the work

    def deliver_to(self, on_signal: Callable[[int], None]) -> QSocketNotifier:
        """From now on (and for what arrived before), on_signal(signum) in the Qt event loop."""
        from PySide6.QtCore import QSocketNotifier

        reader = self._reader
        notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)

        def woken() -> None:
            try:
                data = reader.recv(64)
            except BlockingIOError:
                return
            for signum in data:
                on_signal(signum)

        notifier.activated.connect(woken)
        notifier._sockets = (self._reader, self._writer)  # keep both ends alive with the notifier
        return notifier
