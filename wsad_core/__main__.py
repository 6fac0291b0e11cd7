"""`python -m wsad_core` runs the `wsad` command line."""

import sys

from wsad_core.cli import main

sys.exit(main())
