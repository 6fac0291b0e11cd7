"""Writing files users receive: atomically, and never over an existing file unless asked."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wsad_core.errors import WsadError


@contextmanager
def atomic_output(path: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` in one step.

    A crash or an error leaves no half-written file behind, and an existing file is only
    replaced with ``force``.
    """
    path = Path(path)
    if path.exists() and not force:
        raise WsadError(f"{path}: already exists (use --force to overwrite)")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temp = Path(temp_name)
    # mkstemp makes the file private (0600); the result gets the usual permissions instead.
    umask = os.umask(0)
    os.umask(umask)
    temp.chmod(0o666 & ~umask)
    try:
        yield temp
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
