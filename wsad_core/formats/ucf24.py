"""UCF101-24 ground truth from either community pickle, as one structure.

Two files circulate: ACT's ``UCF101v2-GT.pkl`` and the corrected
``pyannot.pkl``. Both are Python 2 pickles of dicts and numpy arrays, loaded
through :func:`safe_load_pickle` because a pickle can otherwise run code.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping

from wsad_core.errors import FormatError
from wsad_core.formats._fields import PathLike
from wsad_core.formats._ucf24_act import parse_act, to_act
from wsad_core.formats._ucf24_pyannot import looks_like_pyannot, parse_pyannot
from wsad_core.formats.labelmap import builtin_label_map
from wsad_core.formats.safe_pickle import safe_load_pickle
from wsad_core.formats.ucf24_types import UcfAnnotations, UcfTube, UcfVideo

__all__ = ["UcfAnnotations", "UcfTube", "UcfVideo", "read_ucf24", "write_ucf24_act"]


def read_ucf24(path: PathLike, *, split: int = 0) -> UcfAnnotations:
    """Read UCF101-24 annotations, telling the format from the pickle's structure.

    Frames come out 0-based and boxes as pixel ``x1, y1, x2, y2`` whatever the source:

    - ACT: frames are shifted from 1-based; ``split`` (0-based) picks which of
      ``train_videos`` / ``test_videos`` sets :attr:`UcfVideo.split`.
    - pyannot: a box ``[x, y, w, h]`` becomes ``x1=x, y1=y, x2=x+w, y2=y+h`` (no
      ``-1``: the width is the distance between the edges); frames are ``sf .. ef-1``;
      every video is 320x240; class names are the built-in ``ucf101-24`` map,
      since the file has none; ``split`` is ``None``.

    All tubes of a video must share the video's class. Raises :class:`FormatError`
    naming the file, the video and the tube for anything malformed.
    """
    data = safe_load_pickle(path)
    if isinstance(data, Mapping) and "gttubes" in data:
        return parse_act(data, path, split)
    if looks_like_pyannot(data):
        labels = [entry.name for entry in sorted(builtin_label_map("ucf101-24"), key=lambda e: e.id)]
        return parse_pyannot(data, path, labels)
    raise FormatError(
        path,
        "not UCF101-24 annotations: expected the ACT pickle (a dict with 'gttubes') "
        "or pyannot.pkl (a dict of videos with 'annotations')",
    )


def write_ucf24_act(annotations: UcfAnnotations, path: PathLike) -> None:
    """Write ``annotations`` as an ACT pickle (protocol 2, frames 1-based) with one split.

    Raises ``ValueError`` when a tube's class differs from its video's, which the format cannot hold.
    """
    data = to_act(annotations)
    with open(path, "wb") as handle:
        pickle.dump(data, handle, protocol=2)
