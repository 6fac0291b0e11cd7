"""The `wsad` command line: everything the studio does, from a terminal or a cluster job."""

from wsad_core.cli.main import app, main

__all__ = ["app", "main"]
