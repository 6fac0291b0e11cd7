"""Reading and writing the files users exchange: label maps, AVA CSV, UCF101-24 pickles, clip labels.

Parsers validate everything before returning and raise
:class:`wsad_core.errors.FormatError` naming the file, row and field; they never
return partial results. Nothing here touches the project database.
"""

from wsad_core.formats.ava_csv import AvaKind, AvaRow, ava_keyframe_groups, read_ava_csv, write_ava_csv
from wsad_core.formats.clip_labels_csv import ClipLabelRow, read_clip_labels_csv, write_clip_labels_csv
from wsad_core.formats.labelmap import (
    BUILTIN_LABEL_MAPS,
    LabelMapEntry,
    builtin_label_map,
    format_label_map,
    parse_label_map,
    read_label_map,
    read_vocabulary,
    write_label_map,
)
from wsad_core.formats.safe_pickle import safe_load_pickle
from wsad_core.formats.ucf24 import UcfAnnotations, UcfTube, UcfVideo, read_ucf24, write_ucf24_act

__all__ = [
    "BUILTIN_LABEL_MAPS",
    "AvaKind",
    "AvaRow",
    "ClipLabelRow",
    "LabelMapEntry",
    "UcfAnnotations",
    "UcfTube",
    "UcfVideo",
    "ava_keyframe_groups",
    "builtin_label_map",
    "format_label_map",
    "parse_label_map",
    "read_ava_csv",
    "read_clip_labels_csv",
    "read_label_map",
    "read_ucf24",
    "read_vocabulary",
    "safe_load_pickle",
    "write_ava_csv",
    "write_clip_labels_csv",
    "write_label_map",
    "write_ucf24_act",
]
