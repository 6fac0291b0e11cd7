"""A graceful stop: SIGINT/SIGTERM set a flag that the training loop reads between steps."""

from __future__ import annotations

import signal
import threading


class StopRequest:
    """Set by SIGINT/SIGTERM; the loop checkpoints at the next step and exits."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopRequest:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, _frame: object) -> None:
        self.signal = signum

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
