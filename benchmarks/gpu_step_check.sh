#!/usr/bin/env bash
# Issue #5's GPU check alone, for a lease too short for gpu_check.sh: the training step of the
# paper's slowfast-r50-ava (AMP bf16) against a bare forward/backward with 2 loader workers,
# with clips resized on the GPU (the default there) and, side by side, by the loader.
#
#   bash benchmarks/gpu_step_check.sh OUT [VIDEOS]
#
# The world is bench-ucf's kind of video, VIDEOS of them (default 96), nearly all for training so
# that an epoch has about 20 steps (generated there: about 0.9 s a video on one core).
# Wheels in .whl/ are installed by gpu_setup.sh.
set -u
out=${1:?usage: gpu_step_check.sh OUT [VIDEOS]}
videos=${2:-96}
source "$(dirname "$0")/gpu_setup.sh"
world=/tmp/wsad-step-world
rm -rf "$world"
python3 - "$world" "$videos" <<'EOF' || exit 1
import dataclasses, sys, time
from pathlib import Path
from wsad_core.project import Project
from wsad_core.synthetic import generate_world
from wsad_core.synthetic.config import get_preset
from wsad_core.synthetic.project_import import import_world
root, videos, started = Path(sys.argv[1]), int(sys.argv[2]), time.perf_counter()
config = dataclasses.replace(get_preset("bench-ucf"), name=f"bench-ucf-{videos}", videos=videos, splits=(0.9, 0.05, 0.05))
manifest = generate_world(config, root / "world", 0)
with Project.create(root) as project:
    report = import_world(project, manifest)
print(f"world of {report.videos} bench-ucf videos made in {time.perf_counter() - started:.0f} s")
EOF
for place in device loader; do
    echo; echo "== slowfast-r50-ava, 2 workers, clips resized by the $place (at ${SECONDS} s)"
    timeout 120 python3 benchmarks/train_step.py --project "$world" --model slowfast-r50-ava --steps 20 --workers 2 data.resize_on=$place
done
echo; echo "== done (at ${SECONDS} s)"
