from __future__ import annotations

import pytest

from wsad_core.formats import BUILTIN_LABEL_MAPS, LabelMapEntry, builtin_label_map

EVAL_EXCLUDED = {2, 16, 18, 19, 21, 23, 25, 31, 32, 33, 35, 39, 40, 42, 44, 50, 53, 55, 71, 75}
UCF24 = (
    "Basketball BasketballDunk Biking CliffDiving CricketBowling Diving Fencing FloorGymnastics GolfSwing "
    "HorseRiding IceDancing LongJump PoleVault RopeClimbing SalsaSpin SkateBoarding Skiing Skijet "
    "SoccerJuggling Surfing TennisSwing TrampolineJumping VolleyballSpiking WalkingWithDog"
).split()


def test_names_listed() -> None:
    assert BUILTIN_LABEL_MAPS == ("ava-v2.2", "ava-v2.2-eval", "ucf101-24")


def test_ava_full_list_has_ids_1_to_80_with_official_names() -> None:
    entries = builtin_label_map("ava-v2.2")
    assert [e.id for e in entries] == list(range(1, 81))
    names = {e.id: e.name for e in entries}
    assert names[1] == "bend/bow (at the waist)"
    assert names[3] == "crouch/kneel"
    assert names[11] == "sit"
    assert names[12] == "stand"
    assert names[14] == "walk"
    assert names[17] == "carry/hold (an object)"
    assert names[64] == "fight/hit (a person)"
    assert names[79] == "talk to (e.g., self, a person, a group)"
    assert names[80] == "watch (a person)"


def test_ava_eval_list_is_the_60_scored_classes() -> None:
    full = builtin_label_map("ava-v2.2")
    scored = builtin_label_map("ava-v2.2-eval")
    assert len(scored) == 60
    assert scored == [e for e in full if e.id not in EVAL_EXCLUDED]


def test_ucf101_24_alphabetical_ids() -> None:
    assert builtin_label_map("ucf101-24") == [LabelMapEntry(i, n) for i, n in enumerate(UCF24, start=1)]


def test_returns_a_fresh_list() -> None:
    builtin_label_map("ucf101-24").clear()
    assert len(builtin_label_map("ucf101-24")) == 24


def test_unknown_name() -> None:
    with pytest.raises(ValueError, match="ava-v2.2"):
        builtin_label_map("kinetics")
