import pytest

from wsad_core.cli import main


@pytest.fixture
def wsad(capsys):
    """Run `wsad ARGS…` in-process; returns (exit status, stdout, stderr)."""

    def run(*args):
        status = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return status, out, err

    return run
