"""Loading pickles from users without letting them run code.

A pickle can call any importable function while it loads. The annotation
pickles we read only ever need builtin containers and the few numpy callables
that rebuild arrays, dtypes and scalars, so everything else is refused before
it is imported.
"""

from __future__ import annotations

import builtins
import codecs
import collections
import pickle
from typing import Any

import numpy as np

from wsad_core.errors import FormatError
from wsad_core.formats._fields import PathLike

_BUILTINS = ("bool", "bytes", "complex", "dict", "float", "frozenset", "int", "list", "set", "str", "tuple")


def _numpy_callables() -> dict[tuple[str, str], Any]:
    # Taken from numpy's own reductions rather than imported by module path, because the
    # module moved from numpy.core to numpy._core in numpy 2 and pickles name either one.
    reconstruct = np.zeros(1).__reduce__()[0]
    scalar = np.float64(0).__reduce__()[0]
    from_buffer = np.zeros(1).__reduce_ex__(5)[0]  # protocol 5 rebuilds arrays from a buffer
    allowed: dict[tuple[str, str], Any] = {}
    for package in ("numpy.core", "numpy._core"):
        allowed[(f"{package}.multiarray", "_reconstruct")] = reconstruct
        allowed[(f"{package}.multiarray", "scalar")] = scalar
        allowed[(f"{package}.numeric", "_frombuffer")] = from_buffer
    allowed[("numpy", "ndarray")] = np.ndarray
    allowed[("numpy", "dtype")] = np.dtype
    return allowed


_ALLOWED: dict[tuple[str, str], Any] = {
    **{("builtins", name): getattr(builtins, name) for name in _BUILTINS},
    **{("__builtin__", name): getattr(builtins, name) for name in _BUILTINS},
    ("collections", "OrderedDict"): collections.OrderedDict,
    # Protocol 0-2 pickles written by Python 3 encode bytes as _codecs.encode(text, "latin1").
    ("_codecs", "encode"): codecs.encode,
    **_numpy_callables(),
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file: Any, path: PathLike) -> None:
        # latin1 lets numpy rebuild arrays whose data Python 2 stored as byte strings.
        super().__init__(file, encoding="latin1")
        self._path = path

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise FormatError(
                self._path, f"refusing to load a pickle that references {module}.{name}"
            ) from None


def safe_load_pickle(path: PathLike) -> Any:
    """Load a pickle allowing only builtin containers/scalars and numpy arrays, dtypes and scalars.

    Pickles written by Python 2 are read with ``encoding="latin1"``, the only
    setting under which their numpy arrays load.

    Raises :class:`FormatError` naming the file and the forbidden global, or saying
    the file is not a readable pickle.
    """
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise FormatError(path, f"cannot read file: {exc.strerror or exc}") from exc
    with handle:
        try:
            return _RestrictedUnpickler(handle, path).load()
        except FormatError:
            raise
        except Exception as exc:  # a corrupt pickle can fail in any of the callables it invokes
            raise FormatError(path, f"not a readable pickle ({type(exc).__name__}: {exc})") from exc
