"""Which overlays the player and timeline draw: ground truth, the predictions of one run
(which also feed the label suggestions) and raw person detections."""

from __future__ import annotations

import json

from wsad_core.detect.cache import DetectionSet, detection_sets

from wsad_studio.overlays import OverlayProvider, ground_truth_overlay, prediction_overlay, prediction_spans
from wsad_studio.overlays.detections import detections_overlay
from wsad_studio.state import AppState
from wsad_studio.suggestions import Suggester
from wsad_studio.widgets.player import Player
from wsad_studio.widgets.timeline import Timeline


class RunOverlays:
    def __init__(self, state: AppState, player: Player, timeline: Timeline) -> None:
        self.state, self.player, self.timeline = state, player, timeline
        self.ground_truth = ground_truth_overlay(state)
        self.predicted: OverlayProvider | None = None
        self.run_shown: int | str | None = None
        self.min_score = 0.0
        self.show_ground_truth = True
        self.show_predictions = True
        self.show_detections = False
        self.detections: OverlayProvider | None = None
        self.detection_set_shown: str | None = None
        # One provider per detection-set folder, so that toggling overlays or moving the score
        # threshold does not read the detections again.
        self._detection_providers: dict[str, OverlayProvider] = {}

    def show_run(self, run: int | str | None, min_score: float | None = None) -> None:
        """Draw a run's predicted tubes (score ≥ ``min_score``, default: as before) over the
        video and on the timeline, and suggest labels from them (None: stop)."""
        self.min_score = self.min_score if min_score is None else min_score
        self.predicted = None
        self.timeline.span_layers = []
        self.state.set_suggester(None)
        self.run_shown = None
        if run is not None and self.state.project is not None:
            predictions = self.state.project.predictions(run)
            self.predicted = prediction_overlay(self.state, predictions, self.min_score)
            self.timeline.span_layers.append(prediction_spans(self.state, predictions, self.min_score))
            self.state.set_suggester(Suggester(predictions))
            self.run_shown = run
        self.apply()

    def set_visible(
        self, *, ground_truth: bool | None = None, predictions: bool | None = None, detections: bool | None = None
    ) -> None:
        if ground_truth is not None:
            self.show_ground_truth = ground_truth
        if predictions is not None:
            self.show_predictions = predictions
        if detections is not None:
            self.show_detections = detections
        self.apply()

    def detection_set(self) -> DetectionSet | None:
        """The detections to draw: those the shown run was trained on, else the project's only
        set (None when there is no project, no set, or several and no run to choose)."""
        project = self.state.project
        if project is None:
            return None
        sets = {found.key: found for found in detection_sets(project.cache_dir)}
        if self.run_shown is not None:
            snapshot = project.run_dir(self.run_shown) / "snapshot.json"
            if snapshot.is_file():
                key = json.loads(snapshot.read_text(encoding="utf-8")).get("detection_set")
                if key in sets:
                    return sets[key]
        return next(iter(sets.values())) if len(sets) == 1 else None

    def apply(self) -> None:
        """Hand the player the overlays asked for and draw the frame shown again."""
        self.detections, self.detection_set_shown = None, None
        if self.show_detections:
            chosen = self.detection_set()
            if chosen is not None:
                folder = str(chosen.folder)
                if folder not in self._detection_providers:
                    self._detection_providers[folder] = detections_overlay(self.state, chosen)
                self.detections, self.detection_set_shown = self._detection_providers[folder], chosen.key
        self.player.overlays = [
            overlay
            for overlay, wanted in (
                (self.detections, self.show_detections),
                (self.ground_truth, self.show_ground_truth),
                (self.predicted, self.show_predictions),
            )
            if overlay is not None and wanted
        ]
        self.player.redraw_overlays()
        self.timeline.update()

    def runs_with_predictions(self) -> list[tuple[str, int]]:
        """(menu text, run id) of the project's runs that have stored predictions."""
        project = self.state.project
        if project is None:
            return []
        return [
            (f"#{run.id} {run.name}", run.id) for run in project.runs() if project.prediction_set(run.id) is not None
        ]
