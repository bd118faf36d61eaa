#!/usr/bin/env bash
# Prepares .device/ (git-ignored) in this checkout so that `deno task gpu-check` runs on the offline GPU
# machine with one command: Deno for Linux x86-64 (xz-compressed), the Vulkan/GL loader packages WebGPU
# needs there, gpu-env.sh to source there, the gpu-check bundled into one file with its npm dependencies,
# and the PyTorch reference script. Run it here, on a machine with network, from anywhere in the checkout:
#   bash gpu_check/prepare.sh
# then run gpu_check/README.md's device command with `carry: [".device"]`.
set -euo pipefail
DENO_VERSION=2.9.6 # the version CI pins (.ci/run)
root=$(git rev-parse --show-toplevel)
cd "$root"
mkdir -p .device/debs

# Deno: this machine's binary when it is the pinned x86-64 one, else the npm package of that build.
if [ "$(cat .device/deno.version 2>/dev/null)" != "$DENO_VERSION" ] || [ ! -s .device/deno.xz ]; then
  bin=$(command -v deno || true)
  if [ -z "$bin" ] || [ "$(uname -m)" != x86_64 ] || ! "$bin" --version | head -1 | grep -q " $DENO_VERSION "; then
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "@deno/linux-x64-glibc@$DENO_VERSION" >/dev/null && tar -xzf ./*.tgz)
    bin="$tmp/package/deno"
  fi
  echo "compressing Deno $DENO_VERSION (about a minute)"
  xz -T2 -6 -c "$bin" >.device/deno.xz
  echo "$DENO_VERSION" >.device/deno.version
fi

# The Vulkan loader (and GL/EGL dispatch) for amd64: the GPU machine has the NVIDIA driver but no loader.
if ! ls .device/debs/libvulkan1_*.deb >/dev/null 2>&1; then
  lists=$(mktemp -d)
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
  mkdir -p "$lists/partial"
  apt-get "${o[@]}" update -qq
  (cd .device/debs && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi

cp gpu_check/gpu-env.sh .device/gpu-env.sh
deno bundle -q -o .device/gpu_check.js gpu_check/main.ts
reference=../shared/reference/torch_dae_bench.py
if [ -f "$reference" ]; then cp "$reference" .device/; else echo "note: $reference not found: no PyTorch figures" >&2; fi
du -sh .device | sed 's/^/.device: /'
echo 'device command: source .device/gpu-env.sh && deno run -A .device/gpu_check.js --out $OUT/gpu-check --budget-s 420'
