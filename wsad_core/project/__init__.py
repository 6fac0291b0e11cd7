"""The project store: a folder with an SQLite database of videos, clips, labels and runs."""

from wsad_core.project.exchange import (
    export_ava_ground_truth,
    export_clip_labels,
    import_ava_ground_truth,
    import_clip_labels,
    import_ucf24_ground_truth,
)
from wsad_core.project.ground_truth import DerivedLabelsReport
from wsad_core.project.labels import GtPerson
from wsad_core.project.prediction_reader import RunPredictions, TubeBox, TubeletBoxes
from wsad_core.project.predictions import PredictedTubeRecord, PredictionSetRecord, VideoPredictions
from wsad_core.project.project import Project
from wsad_core.project.runs import RunRecord
from wsad_core.project.records import (
    ClipRecord,
    GroundTruthReport,
    ImportReport,
    LabelRecord,
    VideoRecord,
)

__all__ = [
    "ClipRecord",
    "DerivedLabelsReport",
    "GroundTruthReport",
    "GtPerson",
    "ImportReport",
    "LabelRecord",
    "PredictedTubeRecord",
    "PredictionSetRecord",
    "Project",
    "RunPredictions",
    "RunRecord",
    "TubeBox",
    "TubeletBoxes",
    "VideoPredictions",
    "VideoRecord",
    "export_ava_ground_truth",
    "export_clip_labels",
    "import_ava_ground_truth",
    "import_clip_labels",
    "import_ucf24_ground_truth",
]
