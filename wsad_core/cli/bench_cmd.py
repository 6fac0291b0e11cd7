"""`wsad bench …`: benchmarks that train and evaluate many runs (the paper's tables)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from wsad_core.cli.common import say
from wsad_core.errors import WsadError

app = typer.Typer(help="Reproduce the paper's findings on the synthetic world.", no_args_is_help=True)


@app.command("reproduce")
def reproduce(
    out: Annotated[Path, typer.Option("--out", help="Folder for worlds, runs, results and the report.")],
    overrides: Annotated[
        Optional[list[str]],
        typer.Argument(help="Extra training overrides for every run, key=value (e.g. optim.lr=0.1)."),
    ] = None,
    quick: Annotated[bool, typer.Option("--quick", help="One world seed, the table only, 1.25 training minutes a run (a smoke check).")] = False,
    seed: Annotated[int, typer.Option("--seed", help="First world seed (the world and the training seed).")] = 0,
    json_path: Annotated[Optional[Path], typer.Option("--json", help="Where to write OUT.json.")] = None,
    preset: Annotated[
        Optional[str],
        typer.Option("--preset", help="World preset of every study (default: bench-ucf, and bench for the sub-clip sweep)."),
    ] = None,
    subclip_preset: Annotated[
        Optional[str], typer.Option("--subclip-preset", help="World preset of the sub-clip sweep (default: as --preset, or bench).")
    ] = None,
    model: Annotated[str, typer.Option("--model", help="Model preset, the same for every variant.")] = "cpu-tiny",
    epochs: Annotated[Optional[int], typer.Option("--epochs", help="Epochs per run (default: the plan's).")] = None,
    seeds: Annotated[
        Optional[int], typer.Option("--seeds", help="Number of world seeds (default: the plan's).")
    ] = None,
    threads: Annotated[
        Optional[int],
        typer.Option("--threads", help="Torch CPU threads (1 is fastest on a machine other jobs keep busy); with --parallel, shared among the runs."),
    ] = None,
    only: Annotated[
        Optional[str], typer.Option("--only", help="Comma-separated studies: table,subclip,bags,noise (table always).")
    ] = None,
    mil_warmup: Annotated[
        Optional[float],
        typer.Option("--mil-warmup", help="Fraction of every MIL run's epochs trained naively first (default: the plan's; 0: none)."),
    ] = None,
    pretrain: Annotated[
        Optional[str],
        typer.Option("--pretrain", help="The backbone every run starts from: actor-clips (pretrained on another "
                     "world's action clips, as the paper's Kinetics start) or none (random) (default: the plan's)."),
    ] = None,
    pretrain_seed: Annotated[
        Optional[int], typer.Option("--pretrain-seed", help="World seed of the pretraining (default 100).")
    ] = None,
    parallel: Annotated[
        int, typer.Option("--parallel", "-j", min=1, help="Runs trained at once, each in its own process (a GPU has room for several).")
    ] = 1,
) -> None:
    """Table 1 (naive, MIL LSE/mean/max, MIL max + uncertainty, full) over world seeds, and the
    sub-clip, bag-sampling and detector-noise sweeps; resumable (finished runs are kept)."""
    import dataclasses

    from wsad_core.reproduce import default_plan, quick_plan
    from wsad_core.reproduce.plan import STUDIES, with_pretraining
    from wsad_core.reproduce import reproduce as run_reproduction

    make = quick_plan if quick else default_plan
    plan = make(seed, model=model, preset=preset, subclip_preset=subclip_preset)
    changes: dict = {"extra_overrides": tuple(overrides or ())}
    if epochs is not None:
        changes["epochs"] = epochs
    if mil_warmup is not None:
        changes["mil_naive_warmup"] = mil_warmup or None
    if seeds is not None:
        changes["seeds"] = tuple(range(seed, seed + seeds))
    if only is not None:
        wanted = {name.strip() for name in only.split(",") if name.strip()} | {"table"}
        changes["studies"] = tuple(name for name in STUDIES if name in wanted) + tuple(sorted(wanted - set(STUDIES)))
    plan = dataclasses.replace(plan, **changes)
    if pretrain is not None or pretrain_seed is not None:
        kind = plan.pretrain if pretrain is None else (None if pretrain == "none" else pretrain)
        if kind is None and pretrain_seed is not None:
            raise WsadError("--pretrain-seed needs a pretraining (--pretrain actor-clips)")
        plan = with_pretraining(plan, kind, pretrain_seed if pretrain_seed is not None else plan.pretrain_seed,
                                plan.pretrain_epochs)
    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    run_reproduction(plan, out, json_path=json_path, log=say, parallel=parallel)


@app.command("report")
def report(
    results: Annotated[Path, typer.Argument(help="A results file (DIR/results-<plan>.json).")],
    out: Annotated[Path, typer.Option("--out", help="Folder for report.md, the PNGs and OUT.json.")],
    json_path: Annotated[Optional[Path], typer.Option("--json", help="Where to write OUT.json.")] = None,
) -> None:
    """Write the report again from a results file, e.g. while a reproduction is still running."""
    from wsad_core.reproduce.report import closing_lines, write_report
    from wsad_core.reproduce.store import load_results

    document = write_report(load_results(results), out, json_path)
    for line in closing_lines(document):
        say(line)
