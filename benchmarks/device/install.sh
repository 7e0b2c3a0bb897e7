# On the GPU machine, from the carried tree, once the .xfer pieces are in /tmp/xfer: TensorFlow and
# the wheels into /tmp/site.
set -euo pipefail
mkdir -p /tmp/xfer /tmp/site
cp .devrun/tf.part.* /tmp/xfer/
(cd /tmp/xfer && cat tf.part.* > tf.tar.xz && echo "$(cat "$OLDPWD/.devrun/tf.sha256")  tf.tar.xz" | sha256sum -c -)
xz -dc -T0 /tmp/xfer/tf.tar.xz | tar x -C /tmp/site
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
  .devrun/wheels/*.whl
