#!/usr/bin/env bash
# Run here (any machine with pip and network): what a GPU machine with Python 3.12 and the CUDA 13
# libraries, but without TensorFlow or network, needs to run benchmarks/accelerator.py, in pieces
# that each fit a 64 MiB transfer: .xfer0 .. .xfer3 (TensorFlow, xz) and .devrun (the rest of
# TensorFlow, the wheels TensorFlow and mmzoo need beyond what such a machine has, libcudart 12,
# this repository's code and the scripts beside this one).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
download() {
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform any -d "$1" "${@:2}"
}
download "$work" tensorflow==2.21.0
unzip -q "$work"/tensorflow-*.whl -d "$work/tf"
rm -rf "$work/tf/tensorflow/include"  # headers: for building extensions only
rm "$work/tf/tensorflow/python/profiler/internal/_pywrap_profiler_plugin.so"
cp benchmarks/device/_pywrap_profiler_plugin.py "$work/tf/tensorflow/python/profiler/internal/"
tar cf - -C "$work/tf" . | xz -9 -T0 > "$work/tf.tar.xz"
sha256sum "$work/tf.tar.xz" | cut -d' ' -f1 > "$work/tf.sha256"
rm -rf .devrun .xfer[0-9] && mkdir -p .devrun/wheels
split -b 63M -d -a 2 "$work/tf.tar.xz" "$work/tf.part."
for part in "$work"/tf.part.*; do
  index=${part##*.}; index=$((10#$index))
  if [ "$index" -lt 4 ]; then mkdir -p ".xfer$index" && mv "$part" ".xfer$index/"; else mv "$part" .devrun/; fi
done
cp "$work/tf.sha256" .devrun/
download .devrun/wheels keras==3.15.1 namex==0.1.0 optree==0.20.0 protobuf==7.36.2 astunparse==1.6.3 \
  gast==0.7.0 google-pasta==0.2.0 termcolor==3.3.0 flatbuffers==25.12.19 soundfile==0.14.0 cffi pycparser \
  espeakng-loader ml_dtypes==0.7.0 tensorflow-serving-api==2.21.0 wrapt==2.5.2 h5py==3.14.0 numpy==2.4.6 \
  "nvidia-cuda-runtime-cu12>=12.5,<13"
tar cf .devrun/repo.tar --exclude=__pycache__ mmzoo benchmarks setup.cfg setup.py saved_models/fusion_avdigits \
  saved_models/fusion_shapes_image_text/metrics.json
cp benchmarks/device/install.sh benchmarks/device/gpu_env.sh benchmarks/device/run.sh .devrun/
rm -rf "$work"
du -sh .xfer* .devrun
