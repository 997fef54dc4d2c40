#!/usr/bin/env bash
# The GPU checks of issue 15 in one run, for a machine with a CUDA GPU and PyTorch: the CUDA
# tests, then bench_training (every architecture, fp32/fp16/bf16, 112 and 224 px), bench_core
# (Grad-CAM against pytorch-grad-cam on the GPU) and bench_batch (the pipelined batch).
# Each step's output goes to $OUT (default /tmp/gpu_checks); a step that fails or runs past
# its time limit does not stop the others.
#
# What the GPU machine lacks travels as wheels in .whl/ (mediapipe 0.10.21 for Python 3.12
# with protobuf 4.25, grad-cam built from its sdist, ttach); see docs/performance.md.
#
#     bash tests/benchmarks/gpu_checks.sh
set -u
OUT=${OUT:-/tmp/gpu_checks}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 CUBLAS_WORKSPACE_CONFIG=:4096:8
export PYTHONPATH=$PWD
if compgen -G ".whl/*.whl" > /dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site:$PWD
fi

step() {  # step NAME SECONDS COMMAND...: run, keep its output in $OUT/NAME.txt
    local name=$1 seconds=$2
    shift 2
    echo "== $name: $*"
    timeout "$seconds" "$@" > "$OUT/$name.txt" 2>&1
    echo "   exit $? after $SECONDS s in all"
    tail -n 40 "$OUT/$name.txt"
}

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch, torchvision, numpy; print("torch", torch.__version__,
    "torchvision", torchvision.__version__, "numpy", numpy.__version__,
    "bf16", torch.cuda.is_bf16_supported())'
step tests 90 python3 -m pytest -q -p no:cacheprovider -k "cuda or gpu or precision" \
    tests/core/test_gradcam.py tests/core/test_analysis.py tests/core/test_batch_pipeline.py \
    tests/training/test_precision.py
step training112 110 python3 tests/benchmarks/bench_training.py --device cuda --size 112 \
    --batch-size 32 --images 1024 --precisions fp32 fp16 bf16 --json "$OUT/training112.json"
step training224 110 python3 tests/benchmarks/bench_training.py --device cuda --size 224 \
    --batch-size 32 --images 512 --epochs 2 --precisions fp32 fp16 bf16 --json "$OUT/training224.json"
step core 90 python3 tests/benchmarks/bench_core.py --device cuda --json "$OUT/core.json"
step batch 150 python3 tests/benchmarks/bench_batch.py --device cuda --photos 200
