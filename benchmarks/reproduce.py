"""Reproduce the paper's findings on the synthetic world: Table 1's variants over world seeds,
the sub-clip (Table 4), bag-sampling (Table 2) and detector-noise sweeps.

Same options as `wsad bench reproduce` (this script calls it):

    python benchmarks/reproduce.py --out bench-out/reproduce            # default plan, hours
    python benchmarks/reproduce.py --quick --out bench-out/reproduce    # one seed, <= 20 min

Interrupt it at any time; the same command resumes, keeping every finished run.
"""

from __future__ import annotations

import sys

from wsad_core.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "reproduce", *sys.argv[1:]]))
