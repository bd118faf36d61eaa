/**
 * Choosing the tfjs backend: `auto`, `cpu`, `webgpu`, `tensorflow` or `cuda`.
 *
 * `auto` takes, in order: the fastest GPU backend that passed `deno task gpu-check` on this machine, where
 * its report applies (see core/backend_report.ts: same device, Deno, tfjs and core sources; hardware only);
 * tensorflow where tfjs-node(-gpu) imports; webgpu on a hardware adapter; else cpu. It never picks a
 * software or GL-emulated WebGPU adapter (core/webgpu_adapter.ts), and picks `cuda` (our own backend over
 * cuDNN/cuBLAS/NVRTC through FFI) only through such a report; `--backend cuda` chooses it by name.
 * @module
 */
import { deviceFingerprint, loadBackendReport } from "./backend_report.ts";
import { registerFastCpuKernels, registerFastWebgpuKernels, startCpuThreads } from "./backends/mod.ts";
import { projectRoot } from "./source_hash.ts";
import { tf } from "./tf.ts";
import { probeWebgpuAdapter } from "./webgpu_adapter.ts";

/** The backend names a user may ask for. */
export const BACKEND_CHOICES = ["auto", "cpu", "webgpu", "tensorflow", "cuda"] as const;

/** A backend name a user may ask for. */
export type BackendChoice = typeof BACKEND_CHOICES[number];

/** What {@linkcode selectBackend} chose, and why. */
export interface BackendSelection {
  /** The active tfjs backend name. */
  readonly name: string;
  /** A short one-line explanation, e.g. "webgpu (NVIDIA H100)" or "cpu (no GPU adapter)". */
  readonly reason: string;
  /** The full reasons behind `reason` (e.g. each failed import's error), for a verbose listing. */
  readonly details?: readonly string[];
}

/**
 * Activates a backend and returns what was chosen. Throws with the reason and an alternative when an
 * explicitly requested backend cannot be used.
 */
export async function selectBackend(choice: BackendChoice): Promise<BackendSelection> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(choice)) {
    throw new Error(`unknown backend '${choice}'; choose one of ${BACKEND_CHOICES.join(", ")}`);
  }
  let selection: BackendSelection;
  if (choice === "cpu") selection = { name: "cpu", reason: "requested" };
  else if (choice === "tensorflow") selection = await tryTensorflow(true);
  else if (choice === "webgpu") selection = await tryWebgpu(true);
  else if (choice === "cuda") selection = await tryCuda();
  else {
    const report = await tryReport();
    const tfn = report.name ? report : await tryTensorflow(false);
    const gpu = tfn.name ? tfn : await tryWebgpu(false);
    const why = [report.reason, tfn.reason, gpu.reason].filter((r) => r !== "").join("; ");
    selection = gpu.name ? gpu : { name: "cpu", reason: why };
    if (gpu.name && report.reason && !report.name) {
      selection = { ...gpu, reason: `${gpu.reason}; ${report.reason}` };
    }
    selection = { ...selection, details: tfn.details ?? [] };
  }
  if (!(await tf.setBackend(selection.name))) {
    throw new Error(`backend '${selection.name}' was registered but failed to initialise`);
  }
  await tf.ready();
  // The stock cpu kernels for convolutions, matrix products and broadcasting are naive loops.
  if (selection.name === "cpu") {
    registerFastCpuKernels();
    await startCpuThreads();
  }
  // The stock webgpu convolution gradients and Conv3D are naive loops; these are tiled implicit GEMMs.
  if (selection.name === "webgpu") registerFastWebgpuKernels();
  return selection;
}

async function tryTensorflow(required: boolean): Promise<BackendSelection> {
  const errors: string[] = [];
  // Specifiers kept in variables: these packages are optional and absent from the import map.
  for (const spec of ["npm:@tensorflow/tfjs-node-gpu@4.22.0", "npm:@tensorflow/tfjs-node@4.22.0"]) {
    try {
      await import(spec);
      if (tf.findBackend("tensorflow")) return { name: "tensorflow", reason: `${spec.slice(4)} loaded` };
    } catch (e) {
      errors.push(`${spec.slice(4)}: ${firstLine(e)}`);
    }
  }
  if (required) {
    throw new Error(
      `tensorflow backend unavailable (${errors.join("; ")}). tfjs-node needs libtensorflow 2.9 (CUDA 11.2 ` +
        "for -gpu), which cannot be installed here; use --backend webgpu (GPU through Vulkan/Metal/DX12) or " +
        "--backend cpu instead.",
    );
  }
  return { name: "", reason: "tensorflow backend unavailable (tfjs-node does not load)", details: errors };
}

/**
 * The fastest backend of an applicable gpu-check report whose device is the one found now; the reason is
 * empty when there is no report at all.
 */
async function tryReport(): Promise<BackendSelection> {
  const root = projectRoot();
  if (!root) return { name: "", reason: "" };
  const loaded = await loadBackendReport(root, tf.version_core);
  if ("ignored" in loaded) {
    return {
      name: "",
      reason: loaded.ignored === "there is none" ? "" : `${loaded.path} ignored: ${loaded.ignored}`,
    };
  }
  const misses: string[] = [];
  for (const c of loaded.candidates) {
    const found = c.backend === "webgpu" ? await webgpuFingerprint() : await cudaFingerprint();
    if (found === c.device) {
      if (c.backend === "webgpu") await import("@tensorflow/tfjs-backend-webgpu");
      const when = loaded.report.createdAt.slice(0, 10);
      return {
        name: c.backend,
        reason: `${c.device}: fastest backend that passed gpu-check (${c.trainStepMs} ms per paper 2D DAE ` +
          `step; ${loaded.path}, ${when})`,
      };
    }
    misses.push(`${c.backend} device is now '${found}', not '${c.device}'`);
  }
  return { name: "", reason: `${loaded.path} ignored: ${misses.join("; ")}` };
}

async function webgpuFingerprint(): Promise<string> {
  const probe = await probeWebgpuAdapter();
  if (!probe.adapter) return probe.reason;
  return probe.class.kind === "hardware" ? deviceFingerprint("webgpu", probe.facts) : probe.label;
}

async function cudaFingerprint(): Promise<string> {
  try {
    const { describeDevice, registerCudaBackend } = await import("./backends/cuda/mod.ts");
    return deviceFingerprint("cuda", describeDevice(registerCudaBackend().device));
  } catch (e) {
    return `unavailable (${firstLine(e)})`;
  }
}

async function tryWebgpu(required: boolean): Promise<BackendSelection> {
  const probe = await probeWebgpuAdapter();
  if (!probe.adapter) {
    if (required) {
      throw new Error(
        `${probe.reason}: install a Vulkan driver (on Debian, mesa-vulkan-drivers gives a software device) ` +
          "or use --backend cpu.",
      );
    }
    return { name: "", reason: probe.reason };
  }
  // Software and GL-emulated adapters are slower than the cpu backend's kernels (a GL one by far).
  if (probe.class.kind !== "hardware" && !required) {
    const kind = probe.class.kind === "gl" ? "GL-emulated" : "software";
    return { name: "", reason: `only a ${kind} WebGPU adapter (${probe.facts.description})` };
  }
  await import("@tensorflow/tfjs-backend-webgpu");
  return { name: "webgpu", reason: `adapter: ${probe.label}` };
}

async function tryCuda(): Promise<BackendSelection> {
  // Imported only when chosen, so --allow-ffi is needed only then; throws listing what is missing.
  const { describeDevice, registerCudaBackend } = await import("./backends/cuda/mod.ts");
  const { device, fallbacks } = registerCudaBackend();
  return { name: "cuda", reason: `${describeDevice(device)}; ${fallbacks.length} kernels via cpu fallback` };
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0] ?? "";
}
