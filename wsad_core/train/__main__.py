"""`python -m wsad_core.train [-p PROJECT] key=value …` (what torchrun launches)."""

import sys

from wsad_core.cli import main

sys.exit(main(["train", *sys.argv[1:]]))
