/**
 * Choosing the tfjs backend: `auto`, `cpu`, `webgpu`, `tensorflow` or `cuda`.
 *
 * `auto` takes tensorflow where tfjs-node(-gpu) imports, else webgpu where a GPU adapter exists, else cpu.
 * `cuda` (our own backend over cuDNN/cuBLAS/NVRTC through FFI) is chosen only by name until it has been
 * validated on a GPU.
 * @module
 */
import { registerFastCpuKernels, registerFastWebgpuKernels, startCpuThreads } from "./backends/mod.ts";
import { tf } from "./tf.ts";

/** The backend names a user may ask for. */
export const BACKEND_CHOICES = ["auto", "cpu", "webgpu", "tensorflow", "cuda"] as const;

/** A backend name a user may ask for. */
export type BackendChoice = typeof BACKEND_CHOICES[number];

/** What {@linkcode selectBackend} chose, and why. */
export interface BackendSelection {
  /** The active tfjs backend name. */
  readonly name: string;
  /** A one-line explanation, e.g. "webgpu (NVIDIA H100)" or "cpu (no GPU adapter)". */
  readonly reason: string;
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
    const tfn = await tryTensorflow(false);
    const gpu = tfn.name ? tfn : await tryWebgpu(false);
    selection = gpu.name ? gpu : { name: "cpu", reason: `${tfn.reason}; ${gpu.reason}` };
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
  const reason = `tensorflow backend unavailable (${errors.join("; ")})`;
  if (required) {
    throw new Error(
      `${reason}. tfjs-node needs libtensorflow 2.9 (CUDA 11.2 for -gpu), which cannot be installed here; ` +
        "use --backend webgpu (GPU through Vulkan/Metal/DX12) or --backend cpu instead.",
    );
  }
  return { name: "", reason };
}

async function tryWebgpu(required: boolean): Promise<BackendSelection> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  if (!adapter) {
    const reason = gpu ? "no WebGPU adapter found" : "WebGPU is not available in this runtime";
    if (required) {
      throw new Error(
        `${reason}: install a Vulkan driver (on Debian, mesa-vulkan-drivers gives a software device) ` +
          "or use --backend cpu.",
      );
    }
    return { name: "", reason };
  }
  const info = adapter.info;
  const desc = info?.description || [info?.vendor, info?.device].filter(Boolean).join(" ") || "unnamed";
  // A fallback adapter is a software rasteriser (e.g. llvmpipe): slower than the cpu backend's kernels.
  if (info?.isFallbackAdapter && !required) {
    return { name: "", reason: `only a software WebGPU adapter (${desc})` };
  }
  await import("@tensorflow/tfjs-backend-webgpu");
  return {
    name: "webgpu",
    reason: `adapter: ${desc}${info?.isFallbackAdapter ? " (software fallback)" : ""}`,
  };
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
