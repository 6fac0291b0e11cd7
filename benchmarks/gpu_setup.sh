# Sourced by the GPU scripts (gpu_check.sh, gpu_step_check.sh) with $out set: log everything
# to $out/log.txt, install the wheels in .whl/ (the packages the machine lacks and the
# project's own wheel: `pip wheel --no-deps -w .whl .`) into /tmp/site, and say what the
# machine is. Exits when the packages do not import.
#
# The wheels, made here before the call (the machine has Python 3.12 and torch; session 12):
#   echo /.whl/ >> .git/info/exclude
#   P="--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64"
#   pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp $P -d .whl \
#       av==18.1.0 SQLAlchemy==2.1.9 greenlet alembic==1.20.1 Mako==1.4.3 omegaconf==2.4.0 \
#       parameterized==0.9.0 termcolor==3.3.0 yacs==0.1.8
#   pip wheel -q --no-deps -w .whl pytorchvideo==0.1.5 fvcore==0.1.5.post20221221 iopath==0.1.10 .
# then `run` with carry [".whl"] (about 41 MB).
mkdir -p "$out"
exec > >(tee "$out/log.txt") 2>&1
export PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore
if compgen -G ".whl/*.whl" > /dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH=/tmp/site
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>/dev/null
python3 -c "import sys, torch, torchvision, av, pytorchvideo, wsad_core; print(sys.version.split()[0], 'torch', torch.__version__, 'torchvision', torchvision.__version__, 'av', av.__version__, 'cuda', torch.cuda.is_available())" || exit 1
echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
