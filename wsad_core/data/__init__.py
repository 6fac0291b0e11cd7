"""Training data: bags of tubelets decoded into clips, transformed with their boxes."""

from wsad_core.data.bags_dataset import BagBatch, BagDataset, ClipSpec, collate_bags, group_by_centre

__all__ = ["BagBatch", "BagDataset", "ClipSpec", "collate_bags", "group_by_centre"]
