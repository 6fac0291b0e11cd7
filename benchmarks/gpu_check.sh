#!/usr/bin/env bash
# The checks to run when a GPU machine is lent for a few minutes, as one prepared script.
#
#   bash benchmarks/gpu_check.sh OUT [REPRODUCE_SECONDS]
#
# 1. benchmarks/train_step.py on CUDA with AMP (bf16): the pipeline step against a bare
#    forward/backward, clips/s and peak GPU memory, for cpu-tiny and for the paper's
#    slowfast-r50-ava, on the demo world.
# 2. The loader alone at the paper's input size on the bench-ucf world (default and large cache).
# 3. The default reproduction plan's table (Table 1, 16 epochs a run) on world seed 0, runs
#    trained in parallel, for REPRODUCE_SECONDS (default 300); what finished is reported.
#    The world is generated on one core while step 1 runs.
#
# Packages the machine lacks can be given as wheels in .whl/ (installed into /tmp/site).
# Everything printed goes to OUT/log.txt; the reproduction's results and report go to OUT.
set -u
out=${1:?usage: gpu_check.sh OUT [REPRODUCE_SECONDS]}
budget=${2:-300}
mkdir -p "$out"
exec > >(tee "$out/log.txt") 2>&1
export PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore
if compgen -G ".whl/*.whl" > /dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH=/tmp/site
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
python3 -c "import sys, torch, torchvision, av, pytorchvideo, wsad_core; print(sys.version.split()[0], 'torch', torch.__version__, 'torchvision', torchvision.__version__, 'av', av.__version__, 'cuda', torch.cuda.is_available())" || exit 1
nproc

wsad() { python3 -c 'import sys; from wsad_core.cli import main; sys.exit(main(sys.argv[1:]))' "$@"; }
repro=/tmp/wsad-gpu-reproduce
python3 - "$repro" > /tmp/wsad-gpu-world.txt 2>&1 <<'EOF' &
import sys, time
from pathlib import Path
from wsad_core.reproduce.worlds import seed_world
started = time.perf_counter()
print("detections", seed_world(Path(sys.argv[1]), "bench-ucf", 0).ensure_main())
print(f"bench-ucf world seed 0 generated in {time.perf_counter() - started:.0f} s")
EOF
world=$!

section() { echo; echo "== $* ($(date -u +%T))"; }
section "demo world"
wsad synth demo /tmp/wsad-gpu-demo --preset demo
section "train step, cpu-tiny, AMP bf16"
timeout 150 python3 benchmarks/train_step.py --project /tmp/wsad-gpu-demo --model cpu-tiny --steps 40 --workers 4
section "train step, slowfast-r50-ava, AMP bf16"
timeout 200 python3 benchmarks/train_step.py --project /tmp/wsad-gpu-demo --model slowfast-r50-ava --steps 15 --workers 8

section "waiting for the bench-ucf world"
wait "$world"
cat /tmp/wsad-gpu-world.txt
# The loader alone on the paper's input size: 96 videos at 224 px need about 5 GB decoded, more
# than the old fixed 1.5 GB cache (on a CPU: 21 against 74 clips/s with 2 workers, session 7).
# The default budget is now sized from the free memory.
section "loader alone, slowfast-r50-ava input, bench-ucf world, 8 workers, sized cache and the old 1.5 GB"
timeout 90 python3 benchmarks/train_step.py --project "$repro/worlds/bench-ucf-seed0/main" --model slowfast-r50-ava --loader-only --workers 8 --steps 20
timeout 90 python3 benchmarks/train_step.py --project "$repro/worlds/bench-ucf-seed0/main" --model slowfast-r50-ava --loader-only --workers 8 --steps 20 data.cache_mb=1536
section "reproduction: the default plan's table on world seed 0, 6 runs at a time, ${budget} s"
timeout -s INT -k 30 "$budget" python3 benchmarks/reproduce.py --out "$repro" --seeds 1 --only table --parallel 6 data.num_workers=2
section "report of what finished"
wsad bench report "$repro/results-default.json" --out "$out/report" --json "$out/OUT.json"
cp "$repro/results-default.json" "$out/" 2>/dev/null
section "done"
