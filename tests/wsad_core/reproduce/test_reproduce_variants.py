"""Table 1's variants become the training configs they name; the plans' overrides apply."""

import dataclasses

import pytest

from wsad_core.errors import WsadError
from wsad_core.reproduce import VARIANTS, Plan, default_plan, quick_plan, variant_overrides
from wsad_core.reproduce.jobs import _canonical, plan_jobs
from wsad_core.reproduce.variants import RUN_ORDER
from wsad_core.reproduce.plan import scaled_subclip_seconds
from wsad_core.train import make_config

EXPECTED = {
    # variant: (mode, aggregation, r, loss)
    "naive": ("naive", None, None, "bce"),
    "mil_lse": ("mil", "lse", 1.0, "bce"),
    "mil_mean": ("mil", "mean", None, "bce"),
    "mil_max": ("mil", "max", None, "bce"),
    "mil_max_unc": ("mil", "max", None, "uncertainty"),
    "full": ("full", None, None, "bce"),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_variant_config(name):
    plan = quick_plan(3, preset="tiny", model="cpu-tiny")
    config = make_config([*plan.common_overrides(3), *variant_overrides(name)])
    mode, aggregation, r, loss = EXPECTED[name]
    assert (config.mode, config.loss) == (mode, loss)
    if aggregation is not None:
        assert config.aggregation == aggregation
    if r is not None:
        assert config.r == r
    # the same model and budget for every variant
    assert (config.model, config.epochs, config.seed, config.val_split) == ("cpu-tiny", plan.epochs, 3, "val")
    assert (config.data.bags_per_batch, config.data.tubelets_per_bag) == (4, 4)


def test_variants_are_table_one():
    assert list(VARIANTS) == list(EXPECTED)
    with pytest.raises(WsadError, match="unknown variant"):
        variant_overrides("mil_gem")


def test_plans():
    default, quick = default_plan(5), quick_plan(5)
    assert default.seeds == (5, 6, 7) and quick.seeds == (5,)
    assert quick.epochs < default.epochs
    assert default.subclip_seconds == (1.0, 2.0, 5.0, None)
    assert all(b * m == 16 for b, m in default.bag_grid if (b, m) != (3, 5))
    assert default.recalls[0] == 0.9 and default.recalls[-1] == 0.5
    with pytest.raises(WsadError):
        Plan(name="x", preset="tiny", model="cpu-tiny", seeds=(), epochs=1)
    with pytest.raises(WsadError, match="fraction"):
        Plan(name="x", preset="tiny", model="cpu-tiny", seeds=(0,), epochs=8, mil_naive_warmup=1.0)


def test_default_worlds_follow_the_paper_datasets():
    """Table 1 (UCF101-24 in the paper) on one-class-per-video bench-ucf, the sub-clip curve
    (AVA) on the multi-label bench; a preset given alone is every study's."""
    plan = default_plan(0)
    assert (plan.preset_of("table"), plan.preset_of("bags"), plan.preset_of("noise")) == ("bench-ucf",) * 3
    assert plan.preset_of("subclip") == "bench"
    assert quick_plan(0).preset_of("table") == "bench-ucf"
    tiny = default_plan(0, preset="tiny")
    assert tiny.subclip_preset is None and tiny.preset_of("subclip") == "tiny"
    mixed = default_plan(0, preset="tiny", subclip_preset="demo")
    assert (mixed.preset_of("table"), mixed.preset_of("subclip")) == ("tiny", "demo")
    assert default_plan(0, preset="bench", subclip_preset="bench").subclip_preset is None


def test_job_counts():
    """Quick: the table on one world. Default: the table on three seeds, the sweeps on the
    first (the sub-clip whole-video, bag 4x4 and recall-0.7 points are the table's runs)."""
    quick = plan_jobs(quick_plan(0))
    assert [job.study for job in quick] == ["table"] * 6
    default = plan_jobs(default_plan(0))
    assert len([job for job in default if job.study == "table"]) == 18
    assert {job.seed for job in default if job.study != "table"} == {0}
    assert len(default) == 18 + 4 + 8 + 6
    with_sweeps = plan_jobs(dataclasses.replace(quick_plan(0), studies=("table", "subclip", "bags", "noise")))
    assert len(with_sweeps) == 6 + 4 + 8 + 6


def test_jobs_and_sharing_keys():
    plan = dataclasses.replace(default_plan(0), seeds=(0,))
    jobs = plan_jobs(plan)
    keys = [job.key for job in jobs]
    assert len(keys) == len(set(keys))
    assert keys[: len(VARIANTS)] == [f"table/{name}/seed0" for name in RUN_ORDER]
    assert sorted(RUN_ORDER) == sorted(VARIANTS) and RUN_ORDER[:2] == ("full", "mil_max_unc")
    studies = {job.study for job in jobs}
    assert studies == {"table", "subclip", "bags", "noise"}
    # canonical overrides: the last value wins, so a sweep point equal to the default compares equal
    assert _canonical(("a=1", "b=2", "a=3")) == ("a=3", "b=2")


def test_subclip_scaling():
    assert scaled_subclip_seconds(None, 3.5) is None
    assert scaled_subclip_seconds(2.0, 8.0) == 2.0
    assert scaled_subclip_seconds(2.0, 4.0) == 1.0


def test_the_default_plans_warm_mil_up_naively():
    assert default_plan(0).mil_naive_warmup == quick_plan(0).mil_naive_warmup == 0.25
