#!/usr/bin/env bash
# The checks to run when a GPU machine is lent for a few minutes, as one prepared script.
#
#   bash benchmarks/gpu_check.sh OUT [TOTAL_SECONDS]
#
# 1. benchmarks/train_step.py on CUDA with AMP (bf16) for the paper's slowfast-r50-ava on the
#    bench-ucf world of seed 0 (long epochs: the steady state): the pipeline step against a bare
#    forward/backward, per clip, clips/s and peak GPU memory, with 2 loader workers (issue #5's
#    target), clips resized on the GPU (the default there) and, side by side, by the loader.
#    (A lease too short for step 2: benchmarks/gpu_step_check.sh, on a smaller world.)
# 2. With the time left of TOTAL_SECONDS (default 540), the default reproduction plan's table
#    (16 epochs a run) on world seed 0, its six runs side by side; what finished is reported.
#
# Packages the machine lacks can be given as wheels in .whl/ (installed into /tmp/site), the
# project's own wheel among them (`pip wheel --no-deps -w .whl .`).
# Everything printed goes to OUT/log.txt; the reproduction's results and report go to OUT.
set -u
out=${1:?usage: gpu_check.sh OUT [TOTAL_SECONDS]}
total=${2:-540}
source "$(dirname "$0")/gpu_setup.sh"

wsad() { python3 -c 'import sys; from wsad_core.cli import main; sys.exit(main(sys.argv[1:]))' "$@"; }
section() { echo; echo "== $* (at ${SECONDS} s)"; }
repro=/tmp/wsad-gpu-reproduce
world=$repro/worlds/bench-ucf-seed0/main
section "the bench-ucf world of seed 0"
python3 - "$repro" <<'EOF' || exit 1
import sys, time
from pathlib import Path
from wsad_core.reproduce.worlds import seed_world
started = time.perf_counter()
print("detections", seed_world(Path(sys.argv[1]), "bench-ucf", 0).ensure_main())
print(f"bench-ucf world seed 0 generated in {time.perf_counter() - started:.0f} s")
EOF
for place in device loader; do
    section "train step, slowfast-r50-ava, AMP bf16, bench-ucf world, 2 workers, clips resized by the $place"
    timeout 140 python3 benchmarks/train_step.py --project "$world" --model slowfast-r50-ava --steps 20 --workers 2 data.resize_on=$place
done

left=$((total - SECONDS - 45))
section "reproduction: the default plan's table on world seed 0, 6 runs at a time, ${left} s"
if [ "$left" -gt 60 ]; then
    timeout -s INT -k 20 "$left" python3 benchmarks/reproduce.py --out "$repro" --seeds 1 --only table --parallel 6 data.num_workers=2
    section "report of what finished"
    wsad bench report "$repro/results-default.json" --out "$out/report" --json "$out/OUT.json"
    cp "$repro/results-default.json" "$out/" 2>/dev/null
fi
section "done"
