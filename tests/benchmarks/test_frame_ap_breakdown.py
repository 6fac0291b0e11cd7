"""benchmarks/frame_ap_breakdown.py sorts keyframe detections into actors, bystanders and
background by the ground truth of their frame."""

import importlib.util
from pathlib import Path

from wsad_core.formats import AvaRow

ROOT = Path(__file__).resolve().parents[2]


def _module():
    spec = importlib.util.spec_from_file_location("frame_ap_breakdown", ROOT / "benchmarks" / "frame_ap_breakdown.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ACTOR = (0.10, 0.10, 0.40, 0.90)
BYSTANDER = (0.60, 0.10, 0.90, 0.90)
BACKGROUND = (0.45, 0.00, 0.55, 0.20)


def test_each_detection_takes_the_kind_of_the_person_it_overlaps_in_its_own_frame():
    breakdown = _module()
    gt = [AvaRow("v", 1.0, ACTOR, 3)]
    people = [AvaRow("v", 1.0, ACTOR, None, score=1.0), AvaRow("v", 1.0, BYSTANDER, None, score=1.0),
              AvaRow("v", 2.0, BACKGROUND, None, score=1.0)]
    shifted = (ACTOR[0] + 0.02, ACTOR[1], ACTOR[2] + 0.02, ACTOR[3])
    detections = [
        AvaRow("v", 1.0, shifted, 3, score=0.9),
        AvaRow("v", 1.0, shifted, 4, score=0.1),
        AvaRow("v", 1.0, BYSTANDER, 3, score=0.8),
        AvaRow("v", 1.0, BACKGROUND, 3, score=0.7),  # a person there one second later only
        AvaRow("w", 1.0, ACTOR, 3, score=0.6),  # another video, nobody in it
    ]
    kinds = breakdown.classify(detections, gt, people)
    assert kinds == {
        ("v", 1.0, shifted): "actor",
        ("v", 1.0, BYSTANDER): "bystander",
        ("v", 1.0, BACKGROUND): "background",
        ("w", 1.0, ACTOR): "background",
    }


def test_an_actor_detection_is_right_when_its_top_class_is_an_action_of_the_box_it_matches_best():
    breakdown = _module()
    gt_at = breakdown._by_frame([AvaRow("v", 1.0, ACTOR, 3), AvaRow("v", 1.0, ACTOR, 5), AvaRow("v", 1.0, BYSTANDER, 4)])
    assert breakdown._matched_actions(("v", 1.0, ACTOR), gt_at) == {3, 5}
    assert breakdown._top_class({3: 0.2, 4: 0.7}) == 4
    assert breakdown._matched_actions(("v", 2.0, ACTOR), gt_at) == set()
