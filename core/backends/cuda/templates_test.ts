import assert from "node:assert/strict";
import { allElementwiseKernels, binaryKernel, castKernel, unaryKernel } from "./elementwise_templates.ts";
import { allMovementKernels } from "./movement_templates.ts";
import { allPoolKernels } from "./pool_templates.ts";
import { allReduceKernels, reduceKernel } from "./reduce_templates.ts";
import type { KernelSource } from "./template_prelude.ts";

// nvcc proves the generated CUDA C compiles for sm_90 (the H100/H200 the backend targets).
const NVCC = findNvcc();

function findNvcc(): string | undefined {
  const cudaPath = Deno.env.get("CUDA_PATH");
  const candidates = [
    ...(cudaPath ? [`${cudaPath}/bin/nvcc`] : []),
    ...(Deno.env.get("PATH") ?? "").split(":").filter(Boolean).map((d) => `${d}/nvcc`),
    "/usr/local/cuda/bin/nvcc",
  ];
  return candidates.find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
}

/** Compiles all kernels as one translation unit; returns the PTX text. */
async function compile(kernels: KernelSource[]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "cuda_templates_" });
  try {
    await Deno.writeTextFile(`${dir}/k.cu`, kernels.map((k) => k.source).join("\n"));
    const { code, stderr } = await new Deno.Command(NVCC!, {
      args: ["--ptx", "-arch=sm_90", "-o", `${dir}/k.ptx`, `${dir}/k.cu`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    return await Deno.readTextFile(`${dir}/k.ptx`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function assertEntries(ptx: string, kernels: KernelSource[]): void {
  assert.equal(new Set(kernels.map((k) => k.name)).size, kernels.length, "kernel names are unique");
  for (const k of kernels) assert.match(ptx, new RegExp(`\\.entry ${k.name}\\(`), k.name);
}

const ignoreWithoutNvcc = NVCC === undefined;
if (ignoreWithoutNvcc) {
  console.log("templates_test: nvcc not found (CUDA_PATH, PATH, /usr/local/cuda/bin); compile tests skipped");
}

Deno.test({
  name: "element-wise templates (unary, binary, select, cast, fill) compile to PTX for sm_90",
  ignore: ignoreWithoutNvcc,
  async fn() {
    const kernels = allElementwiseKernels();
    assert.ok(kernels.length > 60, `${kernels.length} kernels`);
    assertEntries(await compile(kernels), kernels);
  },
});

Deno.test({
  name: "reduction, data-movement and pooling templates compile to PTX for sm_90",
  ignore: ignoreWithoutNvcc,
  async fn() {
    const kernels = [...allReduceKernels(), ...allMovementKernels(), ...allPoolKernels()];
    assertEntries(await compile(kernels), kernels);
  },
});

Deno.test("templates name their kernels by op and dtype and refuse combinations without an expression", () => {
  assert.equal(binaryKernel("Greater", "int32").name, "bin_Greater_i32");
  assert.match(binaryKernel("Greater", "float32").source, /unsigned char\* __restrict__ out/);
  assert.equal(castKernel("bool", "float32").name, "cast_b8_f32");
  assert.throws(() => unaryKernel("Exp", "int32"), /Exp has no int32 kernel/);
  assert.throws(() => binaryKernel("LogicalAnd", "float32"), /takes bool inputs/);
  assert.throws(() => reduceKernel("Mean", "int32"), /Mean has no int32 kernel/);
  assert.throws(() => unaryKernel("Nope", "float32"), /unknown unary op 'Nope'/);
});
