import assert from "node:assert/strict";
import { CUDA_LIBRARY_NAMES, discoverCudaLibraries, searchDirs } from "./discovery.ts";

// A fake file system: empty files named like the libraries under a temp dir.
function tree(files: string[]): string {
  const root = Deno.makeTempDirSync({ prefix: "cuda_discovery_" });
  for (const file of files) {
    const path = `${root}/${file}`;
    Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(path, "");
  }
  return root;
}

const NO_DEFAULTS = { systemDirs: [], toolkitRoots: [], pythonPrefixes: [] };

Deno.test("discovery finds a toolkit through CUDA_PATH, cuDNN in a system dir and the driver", () => {
  const root = tree([
    "cuda/targets/x86_64-linux/lib/libcudart.so.13",
    "cuda/targets/x86_64-linux/lib/libcublas.so.13",
    "cuda/targets/x86_64-linux/lib/libcublasLt.so.13",
    "cuda/targets/x86_64-linux/lib/libnvrtc.so.13",
    "cuda/targets/x86_64-linux/lib/libnvrtc-builtins.so.13.0",
    "sys/libcudnn.so.9",
    "sys/libcudnn_graph.so.9",
    "sys/libcudnn_cnn.so.9",
    "sys/libcuda.so.1",
  ]);
  try {
    const found = discoverCudaLibraries({
      ...NO_DEFAULTS,
      env: { CUDA_PATH: `${root}/cuda` },
      systemDirs: [`${root}/sys`],
    });
    const lib = `${root}/cuda/targets/x86_64-linux/lib`;
    assert.equal(found.paths.cudart, `${lib}/libcudart.so.13`);
    assert.equal(found.paths.nvrtc, `${lib}/libnvrtc.so.13`);
    assert.equal(found.paths.cudnn, `${root}/sys/libcudnn.so.9`);
    assert.equal(found.paths.cuda, `${root}/sys/libcuda.so.1`);
    // cuBLASLt before cuBLAS, the cuDNN sub-libraries present (graph before cnn), then the NVRTC builtins.
    assert.deepEqual(found.preload, [
      `${lib}/libcublasLt.so.13`,
      `${root}/sys/libcudnn_graph.so.9`,
      `${root}/sys/libcudnn_cnn.so.9`,
      `${lib}/libnvrtc-builtins.so.13.0`,
    ]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("discovery finds pip nvidia-* wheels in a venv whose python3 is on PATH", () => {
  const site = "venv/lib/python3.12/site-packages/nvidia";
  const root = tree([
    "venv/bin/python3",
    `${site}/cu13/lib/libcudart.so.13`,
    `${site}/cu13/lib/libcublas.so.13`,
    `${site}/cu13/lib/libcublasLt.so.13`,
    `${site}/cu13/lib/libnvrtc.so.13`,
    `${site}/cudnn/lib/libcudnn.so.9`,
    "driver/libcuda.so.1",
  ]);
  try {
    const found = discoverCudaLibraries({
      ...NO_DEFAULTS,
      env: { PATH: `/nonexistent:${root}/venv/bin`, LD_LIBRARY_PATH: `${root}/driver` },
    });
    assert.equal(found.paths.cublas, `${root}/${site}/cu13/lib/libcublas.so.13`);
    assert.equal(found.paths.cudnn, `${root}/${site}/cudnn/lib/libcudnn.so.9`);
    assert.equal(found.paths.cuda, `${root}/driver/libcuda.so.1`);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("discovery: LD_LIBRARY_PATH wins over toolkits, newest toolkit over older", () => {
  const root = tree([
    "ld/libcudart.so",
    "ld/libcudart.so.13",
    "local/cuda-12.4/lib64/libcublas.so.13",
    "local/cuda-13.0/lib64/libcublas.so.13",
    "local/cuda-13.0/lib64/libcudart.so.13",
  ]);
  try {
    const dirs = searchDirs({ LD_LIBRARY_PATH: `${root}/ld` }, {
      ...NO_DEFAULTS,
      toolkitRoots: [`${root}/local`],
    });
    assert.equal(dirs[0], `${root}/ld`);
    assert.ok(dirs.indexOf(`${root}/local/cuda-13.0/lib64`) < dirs.indexOf(`${root}/local/cuda-12.4/lib64`));
    // Everything but cudart/cublas is missing: the error lists them, their names and the directories.
    assert.throws(
      () =>
        discoverCudaLibraries({
          ...NO_DEFAULTS,
          env: { LD_LIBRARY_PATH: `${root}/ld` },
          toolkitRoots: [`${root}/local`],
        }),
      (e: Error) => {
        assert.match(e.message, /missing cuda, cublasLt, cudnn, nvrtc\./);
        assert.ok(!e.message.includes("  cudart:"), e.message);
        assert.ok(e.message.includes(`  cudnn: ${CUDA_LIBRARY_NAMES.cudnn.join(", ")}`), e.message);
        assert.ok(e.message.includes(`  ${root}/local/cuda-12.4/targets/x86_64-linux/lib`), e.message);
        assert.match(e.message, /pip install nvidia-cuda-runtime/);
        return true;
      },
    );
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("discovery error on an empty environment names every library", () => {
  assert.throws(
    () => discoverCudaLibraries({ ...NO_DEFAULTS, env: {} }),
    /missing cuda, cudart, cublasLt, cublas, cudnn, nvrtc\./,
  );
});
