/**
 * Which GPU backends this machine has, and why any is unavailable: cuda (which libraries were found where,
 * then the device opened through them) and webgpu (the adapter and whether it is hardware, software or
 * emulated over OpenGL). Runs in a worker process of its own: opening a driver can crash.
 * @module
 */
import * as v from "valibot";
import { discoverCudaLibraries } from "../core/backends/cuda/discovery.ts";
import { probeWebgpuAdapter } from "../core/webgpu_adapter.ts";

const adapterFactsSchema = v.object({
  vendor: v.string(),
  device: v.string(),
  description: v.string(),
  architecture: v.optional(v.string()),
  isFallbackAdapter: v.optional(v.boolean()),
  subgroupMinSize: v.optional(v.number()),
  subgroupMaxSize: v.optional(v.number()),
});

/** Schema of {@linkcode ProbeResult} (the orchestrator validates what the probe worker sends). */
export const probeResultSchema = v.object({
  cuda: v.variant("ok", [
    v.object({
      ok: v.literal(true),
      /** `describeDevice` of the opened device. */
      device: v.string(),
      /** Kernels that run on cpu through the fallback. */
      fallbacks: v.number(),
      /** Library key → full path. */
      libraries: v.record(v.string(), v.string()),
    }),
    v.object({
      ok: v.literal(false),
      /** Why the backend cannot run, first line. */
      reason: v.string(),
      /** The whole message (every name and directory tried). */
      message: v.string(),
      /** The libraries that were found, where discovery got that far. */
      libraries: v.optional(v.record(v.string(), v.string())),
    }),
  ]),
  webgpu: v.variant("ok", [
    v.object({
      ok: v.literal(true),
      facts: adapterFactsSchema,
      kind: v.picklist(["hardware", "software", "gl"]),
      evidence: v.string(),
      label: v.string(),
    }),
    v.object({ ok: v.literal(false), reason: v.string() }),
  ]),
});

/** What the probe found. */
export type ProbeResult = v.InferOutput<typeof probeResultSchema>;

/** Looks for the cuda libraries and device and the WebGPU adapter. Never throws. */
export async function probeBackends(): Promise<ProbeResult> {
  return { cuda: await probeCuda(), webgpu: await probeWebgpu() };
}

async function probeCuda(): Promise<ProbeResult["cuda"]> {
  let libraries: Record<string, string> | undefined;
  try {
    libraries = { ...discoverCudaLibraries().paths };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const first = message.split("\n")[0]!.replace(/^cuda backend: /, "").replace(/\. Looked for:$/, "");
    return { ok: false, reason: `${first} (report.json lists every name and directory tried)`, message };
  }
  try {
    const { describeDevice, registerCudaBackend } = await import("../core/backends/cuda/mod.ts");
    const { device, fallbacks } = registerCudaBackend();
    return { ok: true, device: describeDevice(device), fallbacks: fallbacks.length, libraries };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, reason: message.split("\n")[0]!, message, libraries };
  }
}

async function probeWebgpu(): Promise<ProbeResult["webgpu"]> {
  const probe = await probeWebgpuAdapter();
  if (!probe.adapter) return { ok: false, reason: probe.reason };
  return {
    ok: true,
    facts: { ...probe.facts },
    kind: probe.class.kind,
    evidence: probe.class.evidence,
    label: probe.label,
  };
}
