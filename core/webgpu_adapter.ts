/**
 * What kind of WebGPU adapter the runtime offers: real GPU hardware, a software renderer (Mesa's llvmpipe,
 * SwiftShader, WARP) or WebGPU emulated over OpenGL (wgpu's GL backend). Software and GL adapters are
 * treated alike: `auto` never picks them, and the webgpu kernel tests run on them only when
 * {@linkcode SOFTWARE_WEBGPU_ENV} asks for it (a GL adapter can take more than ten minutes per test).
 *
 * @example
 * ```ts
 * import { classifyAdapter } from "./webgpu_adapter.ts";
 * const c = classifyAdapter({ vendor: "65541", device: "0", description: "llvmpipe (LLVM 15.0.6, 256 bits)" });
 * console.assert(c.kind === "software");
 * ```
 * @module
 */
import { ensureRuntimeDir } from "./runtime_dir.ts";

/** The environment variable that lets the webgpu kernel tests and the gpu-check run on a software or GL adapter. */
export const SOFTWARE_WEBGPU_ENV = "UAD_WEBGPU_SOFTWARE";

/** hardware: a GPU through Vulkan, Metal or D3D12; software: a CPU renderer; gl: WebGPU emulated over OpenGL. */
export type AdapterKind = "hardware" | "software" | "gl";

/** The adapter facts the classification reads (a subset of `GPUAdapterInfo`). */
export interface AdapterFacts {
  /** PCI vendor id as a decimal string ("4318" NVIDIA, "65541" Mesa), or "0". */
  readonly vendor: string;
  /** PCI device id as a decimal string; "0" where the API does not give one (GL, Metal, some drivers). */
  readonly device: string;
  /** The driver's name for the device, e.g. "NVIDIA H100 80GB HBM3" or "llvmpipe (LLVM 15.0.6, 256 bits)". */
  readonly description: string;
  /** Architecture name where the runtime gives one. */
  readonly architecture?: string;
  /** True for a fallback (CPU) adapter. */
  readonly isFallbackAdapter?: boolean;
  /** Smallest subgroup size; wgpu's GL backend cannot query it and reports 4. */
  readonly subgroupMinSize?: number;
  /** Largest subgroup size; wgpu's GL backend cannot query it and reports 128. */
  readonly subgroupMaxSize?: number;
}

/** What {@linkcode classifyAdapter} concluded, and from which fact. */
export interface AdapterClass {
  /** The kind of adapter. */
  readonly kind: AdapterKind;
  /** The fact the kind rests on, for messages. */
  readonly evidence: string;
}

const SOFTWARE_NAMES =
  /llvmpipe|lavapipe|softpipe|swiftshader|swrast|software rasteri[sz]er|basic render driver/i;
// GL renderer strings: Mesa's drivers name themselves, NVIDIA's proprietary GL ends in "/PCIe/SSE2".
const GL_NAMES = /\bmesa\b|\/pcie\/sse2|opengl|\bangle\b|virgl|zink|radeonsi/i;

/**
 * Classifies an adapter from its info. GL first: wgpu's GL backend reports device id 0 with the
 * placeholder subgroup range 4…128 (Vulkan, Metal and D3D12 report real ranges; Metal 4…64), whatever the
 * device below it. Then software: the fallback flag or a known software renderer's name (a GL adapter on
 * some drivers is not flagged as a fallback, and llvmpipe is one under either API).
 *
 * @param facts the adapter's info (`adapter.info` in Deno)
 * @returns the kind and the fact it rests on
 * @example
 * ```ts
 * import { classifyAdapter } from "./webgpu_adapter.ts";
 * const gl = classifyAdapter({
 *   vendor: "4318", device: "0", description: "NVIDIA H100/PCIe/SSE2", subgroupMinSize: 4, subgroupMaxSize: 128,
 * });
 * console.assert(gl.kind === "gl");
 * ```
 */
export function classifyAdapter(facts: AdapterFacts): AdapterClass {
  const glRange = facts.subgroupMinSize === 4 && facts.subgroupMaxSize === 128;
  const rangeKnown = facts.subgroupMinSize !== undefined && facts.subgroupMaxSize !== undefined;
  if (facts.device === "0" && glRange) {
    return {
      kind: "gl",
      evidence: "device id 0 with the subgroup range 4…128 that wgpu's GL backend reports",
    };
  }
  if (facts.device === "0" && !rangeKnown && GL_NAMES.test(facts.description)) {
    return { kind: "gl", evidence: `device id 0 and an OpenGL renderer name ('${facts.description}')` };
  }
  if (facts.isFallbackAdapter) return { kind: "software", evidence: "flagged as a fallback adapter" };
  const name = facts.description.match(SOFTWARE_NAMES);
  if (name) return { kind: "software", evidence: `a software renderer ('${name[0]}')` };
  return { kind: "hardware", evidence: "neither a fallback, a software renderer nor emulated over OpenGL" };
}

/** The adapter the runtime offers, classified; or why there is none. */
export type WebgpuAdapterProbe =
  | {
    readonly adapter: GPUAdapter;
    readonly facts: AdapterFacts;
    readonly class: AdapterClass;
    /** One line, e.g. "NVIDIA H100 80GB HBM3 (hardware)". */
    readonly label: string;
  }
  | { readonly adapter: undefined; readonly reason: string };

/** Requests the default WebGPU adapter and classifies it. Never throws. */
export async function probeWebgpuAdapter(): Promise<WebgpuAdapterProbe> {
  ensureRuntimeDir(); // before the request: keeps Mesa's "XDG_RUNTIME_DIR is invalid" lines from the user
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return { adapter: undefined, reason: "WebGPU is not available in this runtime" };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { adapter: undefined, reason: "no WebGPU adapter found" };
  const info = adapter.info as GPUAdapterInfo & {
    isFallbackAdapter?: boolean;
    subgroupMinSize?: number;
    subgroupMaxSize?: number;
  };
  const description = info.description || [info.vendor, info.device].filter(Boolean).join(" ") || "unnamed";
  const facts: AdapterFacts = {
    vendor: String(info.vendor ?? ""),
    device: String(info.device ?? ""),
    description,
    ...(info.architecture ? { architecture: info.architecture } : {}),
    ...(info.isFallbackAdapter !== undefined ? { isFallbackAdapter: info.isFallbackAdapter } : {}),
    ...(info.subgroupMinSize !== undefined ? { subgroupMinSize: info.subgroupMinSize } : {}),
    ...(info.subgroupMaxSize !== undefined ? { subgroupMaxSize: info.subgroupMaxSize } : {}),
  };
  const cls = classifyAdapter(facts);
  const kindText = cls.kind === "gl" ? "emulated over OpenGL" : cls.kind;
  return { adapter, facts, class: cls, label: `${description} (${kindText})` };
}

/**
 * Whether a non-hardware adapter may be used where only a request allows it (kernel tests, the gpu-check):
 * true when {@linkcode SOFTWARE_WEBGPU_ENV} is "1". Reads the environment only where permitted.
 */
export function softwareWebgpuRequested(): boolean {
  if (Deno.permissions.querySync({ name: "env", variable: SOFTWARE_WEBGPU_ENV }).state !== "granted") {
    return false;
  }
  return Deno.env.get(SOFTWARE_WEBGPU_ENV) === "1";
}
