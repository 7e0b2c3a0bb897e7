# Sourced on the device machine: TensorFlow 2.21 (CUDA 12 build) unpacked into /tmp/site, the
# machine's CUDA 13 libraries under the CUDA 12 names TF dlopens, libcudart 12 from its wheel.
export PYTHONPATH=/tmp/site
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-1}
export TF_FORCE_GPU_ALLOW_GROWTH=true
SITE=$(python3 -c "import sysconfig;print(sysconfig.get_paths()['purelib'])")
mkdir -p /tmp/cudalibs
python3 - "$SITE" <<'PY'
import glob, os, re, sys
site = sys.argv[1]
libs = {}
for root in sorted(glob.glob(f"{site}/nvidia/**/lib", recursive=True)) + ["/tmp/site/nvidia/cuda_runtime/lib"]:
    if os.path.isdir(root):
        for name in os.listdir(root):
            if ".so" in name:
                libs.setdefault(name, os.path.join(root, name))
if os.path.exists("/tmp/site/nvidia/cuda_runtime/lib/libcudart.so.12"):
    libs["libcudart.so.12"] = "/tmp/site/nvidia/cuda_runtime/lib/libcudart.so.12"
wanted = ["libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libcufft.so.11", "libcusolver.so.11",
          "libcusparse.so.12", "libcudnn.so.9", "libnccl.so.2", "libcupti.so.12", "libnvJitLink.so.12",
          "libnvrtc.so.12", "libcurand.so.10"]
for name in wanted:
    stem = name.split(".so")[0]
    target = libs.get(name)
    if target is None:
        versions = sorted((int(m.group(1)), n) for n in libs if (m := re.fullmatch(re.escape(stem) + r"\.so\.(\d+)", n)))
        target = libs[versions[-1][1]] if versions else None
    link = f"/tmp/cudalibs/{name}"
    if target and not os.path.lexists(link):
        os.symlink(target, link)
    print(name, "->", target)
PY
export LD_LIBRARY_PATH=/tmp/cudalibs:$(python3 -c "import glob,sys;print(':'.join(sorted(glob.glob(sys.argv[1]+'/nvidia/**/lib', recursive=True))))" "$SITE"):${LD_LIBRARY_PATH:-}
LIBDEVICE=$(find /usr/local /opt "$SITE/nvidia" -name 'libdevice.10.bc' 2>/dev/null | head -1)
[ -n "$LIBDEVICE" ] && export XLA_FLAGS="--xla_gpu_cuda_data_dir=$(dirname "$(dirname "$(dirname "$LIBDEVICE")")")"
export PATH=/usr/local/cuda/bin:$PATH
echo "libdevice: $LIBDEVICE; XLA_FLAGS=${XLA_FLAGS:-}; ptxas: $(which ptxas)"
