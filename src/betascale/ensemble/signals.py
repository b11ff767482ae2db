"""SIGINT, SIGTERM and SIGHUP during a run: the first asks to stop, a second stops at once.

SIGHUP (a closed terminal or SSH session, or a batch system's hang-up) is treated as
SIGTERM: the samples in progress are finished and stored, the run is recorded as
interrupted and the resume hint is printed. The signals are :data:`STOP_SIGNALS`, the
one list every part of a run installs.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

#: The signals that ask a run to stop gracefully (SIGHUP only where the platform has it).
STOP_SIGNALS: tuple[int, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
#: What :func:`signal.signal` takes and returns.
_Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


class StopSignal:
    """Turn the first SIGINT/SIGTERM/SIGHUP into a stop request; a second one stops at once.

    Installed only in the main thread (signals are delivered there). The second
    signal raises :class:`KeyboardInterrupt` in the main thread.
    """

    def __init__(self, on_first: Callable[[int], None] | None = None) -> None:
        self.event = threading.Event()
        self.signum: int | None = None
        self._on_first = on_first
        self._previous: dict[int, _Handler] = {}

    def __enter__(self) -> StopSignal:
        if threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def is_set(self) -> bool:
        """Whether a stop was asked for."""
        return self.event.is_set()

    def _handle(self, signum: int, frame) -> None:
        if self.event.is_set():
            raise KeyboardInterrupt
        self.signum = signum
        self.event.set()
        if self._on_first is not None:
            self._on_first(signum)
