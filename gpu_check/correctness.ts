/**
 * The correctness part on one GPU backend: the cuda device tests (cuda only); for the 2D and the 3D U-Net
 * at the plan's sizes, one DAE step (loss, gradient norms, scores) against cpu and every kernel that step
 * calls replayed alone against cpu; every method of the registry trained and scored.
 * @module
 */
import { compareSteps, daeStep, stepInputs } from "./dae_step.ts";
import { collectTests } from "./device_tests.ts";
import { recordKernels, replayCall, type ReplayResult } from "./kernel_record.ts";
import { checkMethod, methodItems } from "./methods_check.ts";
import type { PartReporter } from "./part_reporter.ts";
import type { Plan, UNetCase } from "./plan.ts";
import { loadReference, type Reference, saveReference } from "./reference_file.ts";
import type { Row } from "./rows.ts";
import { tf } from "../core/mod.ts";
import { CUDA_KERNELS } from "../core/backends/cuda/mod.ts";
import { FAST_WEBGPU_KERNELS } from "../core/backends/webgpu/mod.ts";
import {
  registerWasmConvLayer,
  registerWasmResidual,
  registerWasmUpConv,
  unregisterWasmConvLayer,
  unregisterWasmResidual,
  unregisterWasmUpConv,
} from "../core/backends/wasm/mod.ts";

/** Kernels the cuda backend runs through cuBLAS/cuDNN in TF32 (PyTorch's default precision for them too). */
const TF32_KERNELS = new Set([
  "Conv2D",
  "Conv2DBackpropInput",
  "Conv2DBackpropFilter",
  "Conv3D",
  "Conv3DBackpropInputV2",
  "Conv3DBackpropFilterV2",
  "BatchMatMul",
  "_FusedMatMul",
]);

/**
 * Largest relative error a kernel may have against cpu: 1e-2 where cuda computes in TF32 (10-bit
 * mantissa), 1e-4 elsewhere (float32 summed in another order).
 */
export function kernelTolerance(backend: string, kernel: string): number {
  return backend === "cuda" && TF32_KERNELS.has(kernel) ? 1e-2 : 1e-4;
}

/** Largest relative error of a whole step (loss, gradient norms, scores) or of a method's scores. */
export function stepTolerance(backend: string): number {
  return backend === "cuda" ? 2e-2 : 1e-3;
}

/**
 * Runs the correctness part on `backend` (already selected), reporting through `r`. With `workDir`, the cpu
 * references are loaded from there when an earlier backend's worker saved them, and saved otherwise.
 */
export async function correctness(
  plan: Plan,
  backend: string,
  r: PartReporter,
  workDir?: string,
): Promise<void> {
  const deviceTests = backend === "cuda"
    ? await collectTests(() => import("../core/backends/cuda/cuda_gpu_test.ts"))
    : [];
  const methods = methodItems();
  const own = backend === "cuda" ? [...CUDA_KERNELS.keys()] : backend === "webgpu" ? FAST_WEBGPU_KERNELS : [];
  const cases = [["2D", plan.unet.d2], ["3D", plan.unet.d3]] as const;
  r.items([
    ...deviceTests.map((t) => `cuda device test: ${t.name}`),
    ...cases.flatMap((
      [d],
    ) => [`cpu reference of the ${d} DAE step`, `${d} DAE step vs cpu`, `${d} step kernels vs cpu`]),
    ...methods.map((m) => m.item),
  ]);

  for (const t of deviceTests) {
    const item = `cuda device test: ${t.name}`;
    if (t.ignore) {
      r.skip(item, "the test file ignores it on this machine");
      continue;
    }
    await r.run(item, async () => {
      await t.fn();
      return [{ part: "correctness", check: item, backend, result: "pass" }];
    });
  }

  for (const [d, c] of cases) {
    let reference: Reference | undefined;
    await r.run(`cpu reference of the ${d} DAE step`, async () => {
      const name = `reference-${d}-${c.widths.join("-")}-${c.input.join("x")}.bin`;
      const file = workDir ? `${workDir}/${name}` : undefined;
      reference = file ? await loadReference(file).catch(() => undefined) : undefined;
      const where = reference ? "loaded from an earlier backend's worker" : "computed";
      if (!reference) {
        const inputs = await stepInputs(c);
        await tf.setBackend("cpu");
        // The cpu backend's fused U-Net kernels (one per conv layer, up-convolution and residual) exist on
        // cpu only: the reference records the step through the tfjs kernels the GPU backends run.
        [unregisterWasmConvLayer, unregisterWasmUpConv, unregisterWasmResidual].forEach((f) => f());
        const { result, calls } = await recordKernels(() => daeStep(c, inputs)).finally(() =>
          [registerWasmConvLayer, registerWasmUpConv, registerWasmResidual].forEach((f) => f())
        );
        await tf.setBackend(backend);
        reference = { inputs, outputs: result, calls };
        if (file) await saveReference(file, reference);
      }
      const { outputs, calls } = reference;
      return [{
        part: "correctness",
        check: `cpu reference of the ${d} DAE step`,
        backend: "cpu",
        result: "info",
        detail: `${describe(c)}: loss ${
          outputs.loss.toPrecision(6)
        }, ${calls.length} distinct kernel calls (${where})`,
      }];
    });
    if (!reference) {
      for (const what of [`${d} DAE step vs cpu`, `${d} step kernels vs cpu`]) {
        r.skip(what, "no cpu reference");
      }
      continue;
    }
    const ref = reference;
    await r.run(`${d} DAE step vs cpu`, async () => {
      await tf.setBackend(backend);
      const got = await daeStep(c, ref.inputs);
      return stepRows(backend, `${d} DAE step (${describe(c)})`, compareSteps(got, ref.outputs));
    });
    await r.run(`${d} step kernels vs cpu`, async () => {
      const results: ReplayResult[] = [];
      for (const call of ref.calls) {
        results.push(await replayCall(call, backend, kernelTolerance(backend, call.name)));
      }
      await tf.setBackend(backend);
      r.data(`kernels ${d}`, kernelTable(results));
      return [kernelRow(backend, `kernels of the ${d} step, one by one`, results, own)];
    });
  }

  for (const m of methods) {
    await r.run(m.item, async () => {
      const rows = await checkMethod(
        m.def,
        m.dims === 2 ? plan.methods.d2 : plan.methods.d3,
        backend,
        stepTolerance(backend),
      );
      await tf.setBackend(backend);
      return rows;
    });
  }
}

function describe(c: UNetCase): string {
  return `widths ${c.widths.join("/")}, input [${c.input.join(", ")}]`;
}

function stepRows(backend: string, label: string, cmp: ReturnType<typeof compareSteps>): Row[] {
  const tol = stepTolerance(backend);
  const row = (what: string, error: number, extra = ""): Row => ({
    part: "correctness",
    check: `${label}: ${what}`,
    backend,
    result: error <= tol ? "pass" : "fail",
    value: error,
    unit: "rel. error",
    ...(error <= tol ? {} : { detail: `above the tolerance ${tol.toExponential(0)}${extra}` }),
  });
  return [
    row("loss", cmp.loss),
    row("gradient norms", cmp.gradNorms, cmp.worstParam ? `; worst: ${cmp.worstParam}` : ""),
    row("global gradient norm", cmp.globalNorm),
    row("score maps", cmp.scores),
  ];
}

/** Per kernel: calls, worst error, first failure (for report.json and report.md). */
function kernelTable(
  results: readonly ReplayResult[],
): { kernel: string; calls: number; error: number; failure?: string }[] {
  const by = new Map<string, { kernel: string; calls: number; error: number; failure?: string }>();
  for (const res of results) {
    const k = by.get(res.call.name) ?? { kernel: res.call.name, calls: 0, error: 0 };
    k.calls++;
    k.error = Math.max(k.error, res.error);
    if (res.failure && !k.failure) k.failure = `${res.call.label}: ${res.failure}`;
    by.set(res.call.name, k);
  }
  return [...by.values()].sort((a, b) => a.kernel.localeCompare(b.kernel));
}

function kernelRow(
  backend: string,
  check: string,
  results: readonly ReplayResult[],
  own: readonly string[],
): Row {
  const table = kernelTable(results);
  const failed = table.filter((k) => k.failure);
  const worst = results.reduce((m, x) => (Number.isFinite(x.error) ? Math.max(m, x.error) : m), 0);
  const used = table.filter((k) => own.includes(k.kernel)).length;
  const ownText = own.length ? ` (${used} of the project's ${own.length} ${backend} kernels)` : "";
  const summary = `${table.length} kernels${ownText}, ${results.length} distinct calls`;
  return {
    part: "correctness",
    check,
    backend,
    result: failed.length ? "fail" : "pass",
    value: worst,
    unit: "rel. error",
    detail: failed.length
      ? `${failed.length} of ${summary} differ from cpu: ${
        failed.slice(0, 4).map((k) => `${k.kernel} (${k.failure})`).join("; ")
      }`
      : `${summary}, each within its tolerance (1e-4; TF32 kernels on cuda 1e-2)`,
  };
}
