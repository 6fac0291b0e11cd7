"""Reproducing the paper's findings (Tables 1, 2 and 4) on the synthetic world.

- :mod:`~wsad_core.reproduce.variants`: Table 1's variants as training overrides.
- :mod:`~wsad_core.reproduce.plan`: the default and ``--quick`` plans.
- :mod:`~wsad_core.reproduce.worlds`: worlds per seed, sub-clip projects, noisier detections.
- :mod:`~wsad_core.reproduce.jobs`, :mod:`~wsad_core.reproduce.runner`: the runs, resumable.
- :mod:`~wsad_core.reproduce.summary`, :mod:`~wsad_core.reproduce.report`: numbers, Markdown, PNGs.
"""

from wsad_core.reproduce.plan import Plan, default_plan, quick_plan
from wsad_core.reproduce.run import reproduce
from wsad_core.reproduce.variants import VARIANTS, variant_overrides

__all__ = ["VARIANTS", "Plan", "default_plan", "quick_plan", "reproduce", "variant_overrides"]
