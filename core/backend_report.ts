/**
 * The part of a gpu-check report (`deno task gpu-check`) that `auto` backend selection reads: for each GPU
 * backend checked, whether every correctness check ran and passed, the paper 2D DAE step time, and the
 * device it ran on, with the versions of Deno, tfjs and the core sources it was measured with.
 *
 * `auto` trusts a report only where it cannot mislead: a report from a GPU run (never a dry run), made with
 * the same Deno, tfjs and `core/` sources as the running code; only backends that passed every correctness
 * check, on a hardware device; and only when the device found now is the one the report names. Anything
 * else and the report is ignored, saying why.
 * @module
 */
import * as v from "valibot";
import { sourceHash } from "./source_hash.ts";

/** Environment variable naming a report to use instead of `<project root>/gpu-check/report.json`. */
export const GPU_REPORT_ENV = "UAD_GPU_CHECK_REPORT";

/** The versions a report's figures hold for. */
export const reportVersionsSchema = v.strictObject({
  /** `Deno.version.deno`. */
  deno: v.string(),
  /** tfjs-core's version. */
  tfjs: v.string(),
  /** {@linkcode sourceHash} of `core/`. */
  core: v.string(),
});

/** The versions a report's figures hold for. */
export type ReportVersions = v.InferOutput<typeof reportVersionsSchema>;

/** One GPU backend as the report found it. */
export const rankedBackendSchema = v.strictObject({
  /** The tfjs backend name. */
  backend: v.picklist(["cuda", "webgpu"]),
  /** Every correctness check of this backend ran and passed. */
  passed: v.boolean(),
  /** The device is GPU hardware (for webgpu: neither a software nor a GL-emulated adapter). */
  hardware: v.boolean(),
  /** The device, as {@linkcode deviceFingerprint} formats it for the backend. */
  device: v.string(),
  /** Milliseconds per paper 2D DAE training step (batch 16, 128×128×4, widths 64…512); absent if not measured. */
  trainStepMs: v.optional(v.pipe(v.number(), v.gtValue(0))),
});

/** One GPU backend as the report found it. */
export type RankedBackend = v.InferOutput<typeof rankedBackendSchema>;

/** The section of report.json backend selection reads (`report.selection`). */
export const backendSelectionSchema = v.strictObject({
  /** "gpu": measured at full size on a GPU; "dry-run": tiny sizes without one (never used for selection). */
  mode: v.picklist(["gpu", "dry-run"]),
  /** When the report was written (ISO 8601). */
  createdAt: v.string(),
  /** The versions the figures hold for. */
  versions: reportVersionsSchema,
  /** The GPU backends checked. */
  backends: v.array(rankedBackendSchema),
});

/** The section of report.json backend selection reads. */
export type BackendSelectionReport = v.InferOutput<typeof backendSelectionSchema>;

/** A webgpu device fingerprint: vendor id, device id and description. */
export function deviceFingerprint(
  backend: "webgpu",
  facts: { vendor: string; device: string; description: string },
): string;
/** A cuda device fingerprint: `describeDevice` of the cuda backend (name, compute capability, versions). */
export function deviceFingerprint(backend: "cuda", description: string): string;
/**
 * The string a report records for a device and selection compares with the device found now.
 *
 * @example
 * ```ts
 * import { deviceFingerprint } from "./backend_report.ts";
 * const f = deviceFingerprint("webgpu", { vendor: "4318", device: "8992", description: "NVIDIA H100" });
 * console.assert(f === "webgpu 4318:8992 NVIDIA H100");
 * ```
 */
export function deviceFingerprint(
  backend: "webgpu" | "cuda",
  d: string | { vendor: string; device: string; description: string },
): string {
  return typeof d === "string" ? `${backend} ${d}` : `${backend} ${d.vendor}:${d.device} ${d.description}`;
}

/**
 * The backends a report lets `auto` try, fastest first, or why it lets none: the report must come from a GPU
 * run with `current`'s versions; a backend must have passed, run on hardware and have a step time.
 *
 * @example
 * ```ts
 * import { rankReport } from "./backend_report.ts";
 * const versions = { deno: "2.9.6", tfjs: "4.22.0", core: "abc" };
 * const r = rankReport({
 *   mode: "gpu", createdAt: "2026-01-01T00:00:00Z", versions,
 *   backends: [
 *     { backend: "webgpu", passed: true, hardware: true, device: "webgpu 1:2 G", trainStepMs: 30 },
 *     { backend: "cuda", passed: true, hardware: true, device: "cuda G", trainStepMs: 20 },
 *   ],
 * }, versions);
 * console.assert("candidates" in r && r.candidates[0]!.backend === "cuda");
 * ```
 */
export function rankReport(
  report: BackendSelectionReport,
  current: ReportVersions,
): { candidates: RankedBackend[] } | { ignored: string } {
  if (report.mode !== "gpu") return { ignored: "it is a dry run" };
  for (const key of ["deno", "tfjs", "core"] as const) {
    if (report.versions[key] !== current[key]) {
      const what = key === "core" ? "core/ sources" : key;
      return { ignored: `it was made with other ${what} (${report.versions[key]}, now ${current[key]})` };
    }
  }
  const candidates = report.backends
    .filter((b) => b.passed && b.hardware && b.trainStepMs !== undefined)
    .sort((a, b) => a.trainStepMs! - b.trainStepMs!);
  if (candidates.length === 0) return { ignored: "no backend in it passed every check on GPU hardware" };
  return { candidates };
}

/** A report found on disk and checked against the running code, or why none applies. */
export type LoadedReport =
  | { readonly path: string; readonly report: BackendSelectionReport; readonly candidates: RankedBackend[] }
  | { readonly path?: string; readonly ignored: string };

/**
 * Reads the report (`$UAD_GPU_CHECK_REPORT`, else `gpu-check/report.json` under `root`) and ranks it
 * against the running code. Never prompts for a permission and never throws: a missing report, a missing
 * permission or a malformed file each come back as the reason it was ignored.
 *
 * @param root the project root (holding `core/`)
 * @param tfjsVersion the running tfjs-core version
 */
export async function loadBackendReport(root: URL, tfjsVersion: string): Promise<LoadedReport> {
  const granted = (d: Deno.PermissionDescriptor) => Deno.permissions.querySync(d).state === "granted";
  const fromEnv = granted({ name: "env", variable: GPU_REPORT_ENV })
    ? Deno.env.get(GPU_REPORT_ENV)
    : undefined;
  const path = fromEnv || new URL("gpu-check/report.json", root).pathname;
  if (!granted({ name: "read", path })) return { path, ignored: "no permission to read it" };
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return { path, ignored: "there is none" };
  }
  let report: BackendSelectionReport;
  try {
    const parsed = v.safeParse(v.looseObject({ selection: backendSelectionSchema }), JSON.parse(text));
    if (!parsed.success) {
      const issue = parsed.issues[0]!;
      return {
        path,
        ignored: `${v.getDotPath(issue) ?? "its top level"} is malformed (${issue.message})`,
      };
    }
    report = parsed.output.selection;
  } catch (e) {
    return { path, ignored: `it is not JSON (${e instanceof Error ? e.message : e})` };
  }
  let core: string;
  try {
    core = await sourceHash(["core"], root);
  } catch {
    return { path, ignored: "the core/ sources could not be read to compare versions" };
  }
  const ranked = rankReport(report, { deno: Deno.version.deno, tfjs: tfjsVersion, core });
  return "ignored" in ranked ? { path, ignored: ranked.ignored } : { path, report, ...ranked };
}
