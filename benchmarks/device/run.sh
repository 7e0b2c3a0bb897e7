# On the GPU machine, from the carried tree (see README.md beside this file): install once per
# machine, check the GPU, then one phase, each within one 10-minute call:
#   PHASE=sweep  the four settings of every family, four families at a time, no latency
#   PHASE=bar    fusion_shapes_image_text from scratch to its test bar (builds the default data)
#   PHASE=extra  fp32 with another seed (the loss's noise), steps_per_execution 8, batch x4, latency
# Results accumulate in /tmp/repo/benchmarks/results/accelerator.json, copied to $OUT after each.
started=$(date +%s)
[ -d /tmp/site/tensorflow ] || bash .devrun/install.sh || exit 3
source .devrun/gpu_env.sh > "$OUT/gpu_env.log"
[ -d /tmp/repo ] || { mkdir -p /tmp/repo && tar xf .devrun/repo.tar -C /tmp/repo; }
cd /tmp/repo
python3 -c "import tensorflow as tf; gpus = tf.config.list_physical_devices('GPU'); assert gpus, 'no GPU'; \
print(tf.config.experimental.get_device_details(gpus[0]))" > "$OUT/gpu_check.log" 2>&1 || { tail "$OUT/gpu_check.log"; exit 4; }
benchmark() { PYTHONUNBUFFERED=1 timeout "$1" python3 benchmarks/accelerator.py "${@:2}" 2>&1 | grep -v "^[WI]0000" \
  > "$OUT/$PHASE.log"; grep -E "^[a-z_]+ [a-z_0-9]+: " "$OUT/$PHASE.log" | cut -c1-200; }
case "${PHASE:-sweep}" in
  sweep) benchmark 540 --settings fp32 mixed_precision xla mixed_precision_xla --requests 0 --jobs 4 --warmup 10 --steps 50 ;;
  bar) benchmark 560 --time-to-bar-only; tail -5 "$OUT/$PHASE.log" ;;
  extra) benchmark 540 --settings fp32_seed1 steps_per_execution_8 batch_4x --requests 100 --jobs 4 --warmup 10 --steps 50 ;;
esac
cp benchmarks/results/accelerator.json "$OUT/"
echo "$PHASE done in $(( $(date +%s) - started )) s"
