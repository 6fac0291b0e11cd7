"""Multiple instance learning: bags of tubelets with clip labels, and their sampling."""

from wsad_core.mil.bags import Bag, BagReport, BagSampler, ClipSpan, bag_report, make_bags

__all__ = ["Bag", "BagReport", "BagSampler", "ClipSpan", "bag_report", "make_bags"]
