# Sourced on the GPU machine from the checkout's root (prepare.sh copies it into .device/): unpacks Deno and
# the Vulkan/GL loaders, points the loaders at the NVIDIA driver, and puts the CUDA libraries of the
# PyTorch wheels and the toolkit on LD_LIBRARY_PATH (the cuda backend's discovery searches these too; on
# the path, cuDNN's sub-libraries also find each other).
for f in .device/debs/*.deb; do dpkg -x "$f" /; done
ldconfig
if [ ! -x /tmp/deno-bin/deno ]; then
  mkdir -p /tmp/deno-bin && xz -d -c .device/deno.xz >/tmp/deno-bin/deno && chmod +x /tmp/deno-bin/deno
fi
export PATH=/tmp/deno-bin:$PATH XDG_RUNTIME_DIR=/tmp DENO_NO_UPDATE_CHECK=1
nv=/usr/local/nvidia/share
[ -f $nv/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=$nv/vulkan/icd.d/nvidia_icd.json
[ -f $nv/glvnd/egl_vendor.d/10_nvidia.json ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$nv/glvnd/egl_vendor.d/10_nvidia.json
for d in /opt/torch/.venv/lib/python3*/site-packages/nvidia/cu13/lib \
  /opt/torch/.venv/lib/python3*/site-packages/nvidia/cudnn/lib /usr/local/cuda/targets/x86_64-linux/lib; do
  [ -d "$d" ] && LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"
done
export LD_LIBRARY_PATH
unset nv d f
