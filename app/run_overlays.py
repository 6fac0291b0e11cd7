"""Which overlays the player and timeline draw: ground truth, and the predictions of one run
(which also feed the label suggestions)."""

from __future__ import annotations

from wsad_studio.overlays import OverlayProvider, ground_truth_overlay, prediction_overlay, prediction_spans
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

    def set_visible(self, *, ground_truth: bool | None = None, predictions: bool | None = None) -> None:
        if ground_truth is not None:
            self.show_ground_truth = ground_truth
        if predictions is not None:
            self.show_predictions = predictions
        self.apply()

    def apply(self) -> None:
        """Hand the player the overlays asked for and draw the frame shown again."""
        self.player.overlays = [
            overlay
            for overlay, wanted in (
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
