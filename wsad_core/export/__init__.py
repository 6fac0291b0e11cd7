"""Exports of a run's stored predictions: AVA CSV, tubes CSV, and the rendered overlay video.

Every export is written atomically and refuses to replace an existing file unless forced
(:func:`wsad_core.files.atomic_output`).
"""

from wsad_core.export.predictions import export_predictions_ava, export_tubes_csv
from wsad_core.export.video import render_video

__all__ = ["export_predictions_ava", "export_tubes_csv", "render_video"]
