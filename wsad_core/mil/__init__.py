"""Multiple instance learning: bags of tubelets with clip labels, their sampling, the
aggregation of tubelet scores into bag scores, and the losses of the paper (Eqs. 2-6)."""

from wsad_core.mil.aggregate import AGGREGATIONS, BagPrediction, aggregate
from wsad_core.mil.bags import Bag, BagReport, BagSampler, ClipSpan, bag_report, make_bags
from wsad_core.mil.losses import LOSSES, bag_bce, uncertainty_bce
from wsad_core.mil.targets import fully_supervised_targets, instance_bce, naive_instance_targets

__all__ = [
    "AGGREGATIONS",
    "LOSSES",
    "Bag",
    "BagPrediction",
    "BagReport",
    "BagSampler",
    "ClipSpan",
    "aggregate",
    "bag_bce",
    "bag_report",
    "fully_supervised_targets",
    "instance_bce",
    "make_bags",
    "naive_instance_targets",
    "uncertainty_bce",
]
