"""metrics.json entries: the latest evaluation of a split, and each detection set's."""

from wsad_core.evaluate.metrics_file import stored_evaluation, with_history


def test_stored_evaluation_picks_the_latest_or_a_detection_sets():
    older = {"split": "test", "detection_set": "precomputed-a", "frame_ap": {"mAP": 0.2}}
    assert stored_evaluation({"test": older}, "test", "precomputed-a") is older  # written before the history
    assert stored_evaluation({"test": older}, "test", "precomputed-b") is None
    newer = {"split": "test", "detection_set": "precomputed-b", "frame_ap": {"mAP": 0.4}}
    metrics = {"test": with_history(older, newer)}
    assert stored_evaluation(metrics, "test")["frame_ap"]["mAP"] == 0.4
    assert stored_evaluation(metrics, "test", "precomputed-a")["frame_ap"]["mAP"] == 0.2
    again = {**older, "frame_ap": {"mAP": 0.3}}
    metrics = {"test": with_history(metrics["test"], again)}
    assert stored_evaluation(metrics, "test", "precomputed-a")["frame_ap"]["mAP"] == 0.3
    assert stored_evaluation(metrics, "test", "precomputed-b")["frame_ap"]["mAP"] == 0.4
    assert stored_evaluation(metrics, "val") is None
