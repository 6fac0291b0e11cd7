"""Entry point of `wsad`: the command tree, and errors as one line unless --debug."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from wsad_core.cli import (
    bench_cmd,
    clips_cmd,
    detect_cmd,
    eval_cmd,
    export_cmd,
    import_cmd,
    info_cmd,
    labels_cmd,
    predict_cmd,
    synth_cmd,
    train_cmd,
    videos_cmd,
)
from wsad_core.errors import WsadError

app = typer.Typer(
    name="wsad",
    help="Weakly supervised spatio-temporal action detection: projects, data, training, evaluation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of errors.")
    ] = False,
) -> None:
    """wsad: the command line of wsad-studio."""


app.command("init")(info_cmd.init)
app.command("info")(info_cmd.info)
app.add_typer(import_cmd.app, name="import")
app.add_typer(labels_cmd.app, name="labels")
app.add_typer(clips_cmd.app, name="clips")
app.add_typer(videos_cmd.app, name="videos")
app.add_typer(export_cmd.app, name="export")
app.add_typer(synth_cmd.app, name="synth")
app.command("detect")(detect_cmd.detect)
app.command("tubelets")(detect_cmd.tubelets)
app.command("train")(train_cmd.train)
app.command("runs")(train_cmd.runs)
app.command("predict")(predict_cmd.predict)
app.add_typer(eval_cmd.app, name="eval")
app.add_typer(bench_cmd.app, name="bench")


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("WSAD_DEBUG", "") not in ("", "0")


def main(argv: list[str] | None = None) -> int:
    """Run `wsad`; returns the exit status (also used by tests, without a subprocess)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="wsad", standalone_mode=False)
    except typer.TyperException as exc:
        exc.show()
        return exc.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except WsadError as exc:
        if _debug_requested(argv):
            raise
        typer.echo(f"error: {exc}", err=True)
        return 1
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    return result if isinstance(result, int) else 0
