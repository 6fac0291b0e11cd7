"""Keep ``None``, ``True`` and ``False`` alive under PySide6 6.12 on Python 3.11.

PySide6 6.12.0 (abi3 wheel) returns ``None`` from every void method and ``True`` from
``Signal.emit`` without taking a reference. On Python 3.12+ these objects are immortal and
nothing happens; on 3.11 each call lowers their reference count by one, and after a few thousand
calls (a few seconds of playback) the interpreter aborts with "deallocating None". Python 3.12
makes them immortal by giving them a huge reference count; this does the same on older versions.
"""

from __future__ import annotations

import ctypes
import sys

# As many missing references as calls in years of use; far below the counter's limit.
HEADROOM = 1 << 48


def protect_singletons() -> None:
    """Give the singletons the headroom that Python 3.12 gives all immortal objects."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    for singleton in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))
        if count.value < HEADROOM:
            count.value += HEADROOM
