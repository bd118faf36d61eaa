/**
 * The orchestrator: probes the backends, decides between a GPU run and the dry run, runs each part on each
 * backend in a worker process under its share of the budget, runs the PyTorch reference, and assembles
 * the report.
 * @module
 */
import * as v from "valibot";
import { type BackendSelectionReport, deviceFingerprint } from "../core/backend_report.ts";
import { projectRoot, sourceHash } from "../core/source_hash.ts";
import { tf } from "../core/tf.ts";
import { SOFTWARE_WEBGPU_ENV, softwareWebgpuRequested } from "../core/webgpu_adapter.ts";
import { DRY_RUN_PLAN, GPU_PLAN, type Part, partDeadlines, SHARES } from "./plan.ts";
import { type ProbeResult, probeResultSchema } from "./probe.ts";
import type { GpuCheckReport, Stop } from "./report.ts";
import type { Row } from "./rows.ts";
import { runWorker, type WorkerOutcome } from "./run_worker.ts";
import { attachTorch, probeTorch, runTorchReference, type TorchProbe } from "./torch_reference.ts";
import type { WorkerTask } from "./worker.ts";

/** How to run the check. */
export interface CheckOptions {
  /** Total seconds for the parts (each gets its share). */
  readonly budgetS: number;
  /** Use the dry-run sizes even where a GPU is found. */
  readonly dryRun: boolean;
  /** The parts to run. */
  readonly parts: readonly Part[];
  /** Restrict the backends under test to these (cuda, webgpu; cpu in the dry run). */
  readonly backends?: readonly string[];
  /** Python interpreters to try for the PyTorch reference, in order. */
  readonly pythons?: readonly string[];
  /** The PyTorch reference script (default: .device/ then ../shared/reference/). */
  readonly torchScript?: string;
  /** A deliberate kernel fault on the backends under test ("Sigmoid=Tanh"), for testing the check. */
  readonly fault?: string;
  /** Skip the rest of a part on a backend after its first failed item. */
  readonly failFast?: boolean;
  /** The command that starts a worker, before `--worker <task>` (default: this program again). */
  readonly workerCmd: readonly string[];
  /** Progress lines (default: stderr). */
  readonly log?: (line: string) => void;
}

/** Runs the whole check and returns its report (writing nothing). */
export async function runGpuCheck(o: CheckOptions): Promise<GpuCheckReport> {
  const log = o.log ?? ((line: string) => console.error(line));
  const t0 = Date.now();
  // Shared by the workers of this check (the cpu references, gigabytes at the paper's widths).
  const workDir = await Deno.makeTempDir({ prefix: "gpu-check-" });
  try {
    return await check(o, log, t0, workDir);
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
}

async function check(
  o: CheckOptions,
  log: (line: string) => void,
  t0: number,
  workDir: string,
): Promise<GpuCheckReport> {
  const createdAt = new Date(t0).toISOString();
  const deadlines = partDeadlines(t0, o.budgetS);
  const rows: Row[] = [];
  const stops: Stop[] = [];
  const data: Record<string, unknown> = {};
  const worker = (task: WorkerTask) =>
    runWorker({ cmd: [...o.workerCmd, "--worker", JSON.stringify(task)], deadline: task.deadline });

  log("== probing backends ==");
  const probeDeadline = Date.now() + 1000 * Math.min(90, Math.max(20, 0.1 * o.budgetS));
  const probeOutcome = await worker({ part: "probe", backend: "", mode: "dry-run", deadline: probeDeadline });
  const parsedProbe = v.safeParse(probeResultSchema, probeOutcome.data.probe);
  const probe: ProbeResult = parsedProbe.success ? parsedProbe.output : {
    cuda: { ok: false, reason: "the probe did not finish", message: probeOutcome.stderrTail },
    webgpu: { ok: false, reason: "the probe did not finish" },
  };
  const torch = o.parts.includes("pytorch")
    ? await probeTorch(o.pythons)
    : { reason: "not asked for (--only)" };
  const softwareAsked = softwareWebgpuRequested();
  const webgpuHardware = probe.webgpu.ok && probe.webgpu.kind === "hardware";
  const mode = !o.dryRun && (probe.cuda.ok || webgpuHardware) ? "gpu" : "dry-run";
  const allowed = (b: string) => o.backends === undefined || o.backends.includes(b);
  const gpuBackends = [
    ...(probe.cuda.ok && allowed("cuda") ? ["cuda"] : []),
    ...(probe.webgpu.ok && (webgpuHardware || softwareAsked) && allowed("webgpu") ? ["webgpu"] : []),
  ];
  rows.push(...backendRows(probe, torch, gpuBackends, o.parts.includes("pytorch")));
  const summary = summarise(mode, o.dryRun, probe, gpuBackends);
  log(summary);

  const runPart = async (part: Exclude<Part, "pytorch">, backends: readonly string[]) => {
    for (let i = 0; i < backends.length; i++) {
      const backend = backends[i]!;
      const now = Date.now();
      const deadline = now + Math.max(0, deadlines[part] - now) / (backends.length - i);
      if (deadline - now < 1000) {
        const reason = "not started: the part's share of the budget was used up";
        stops.push({ part, backend, shareS: 0, items: [{ item: `all of ${part} on ${backend}`, reason }] });
        rows.push({ part, check: `${part}: not run`, backend, result: "skipped", detail: reason });
        continue;
      }
      log(`== ${part} on ${backend} (${((deadline - now) / 1000).toFixed(0)} s) ==`);
      const outcome = await worker({
        part,
        backend,
        mode,
        deadline,
        ...(o.fault ? { fault: o.fault } : {}),
        ...(o.failFast ? { failFast: true } : {}),
        workDir,
      });
      collect(part, backend, (deadline - now) / 1000, outcome, rows, stops, data);
    }
  };
  const none = (part: Part, why: string) =>
    rows.push({ part, check: `${part} on a GPU backend`, backend: "none", result: "skipped", detail: why });

  if (o.parts.includes("correctness")) {
    if (gpuBackends.length) await runPart("correctness", gpuBackends);
    else none("correctness", "no GPU backend to compare with cpu here (the cpu backend is the reference)");
  }
  const speedBackends = mode === "dry-run" && allowed("cpu") ? ["cpu", ...gpuBackends] : gpuBackends;
  if (o.parts.includes("speed")) await runPart("speed", speedBackends);
  if (o.parts.includes("pytorch")) {
    log("== pytorch reference ==");
    rows.push(...await pytorch(o, torch, mode, deadlines.pytorch, log));
  }
  if (o.parts.includes("convergence")) {
    const on = convergenceBackend(rows, mode === "dry-run" ? speedBackends : gpuBackends);
    await runPart("convergence", [on]);
  }

  const finalRows = attachTorch(rows);
  const root = projectRoot();
  const versions = {
    deno: Deno.version.deno,
    tfjs: tf.version_core,
    core: root ? await sourceHash(["core"], root) : "unknown",
    ...("torch" in torch ? { torch: torch.torch } : {}),
  };
  const selection = selectionOf(mode, createdAt, versions, probe, gpuBackends, finalRows, stops);
  return {
    tool: "uad gpu-check",
    createdAt,
    mode,
    summary,
    budgetS: o.budgetS,
    elapsedS: (Date.now() - t0) / 1000,
    machine: await machine(),
    versions,
    probe,
    pytorch: "torch" in torch
      ? `${torch.python}: torch ${torch.torch}${torch.cudaDevice ? ` on ${torch.cudaDevice}` : " (cpu)"}`
      : torch.reason,
    rows: finalRows,
    stops,
    data,
    selection,
    exitCode: finalRows.some((r) => r.result === "fail") ? 1 : 0,
  };
}

/** Adds a worker's rows, data and unfinished items to the report. */
export function collect(
  part: Part,
  backend: string,
  shareS: number,
  w: WorkerOutcome,
  rows: Row[],
  stops: Stop[],
  data: Record<string, unknown>,
): void {
  rows.push(...w.rows);
  for (const [key, value] of Object.entries(w.data)) data[`${part} ${backend}: ${key}`] = value;
  const crashed = w.unfinished.filter((u) => u.started && !w.stopped);
  for (const c of crashed) {
    rows.push({
      part,
      check: c.item,
      backend,
      result: "fail",
      detail: `${c.reason}; its last output: ${w.stderrTail.split("\n").slice(-3).join(" / ")}`,
    });
  }
  const notRun = [...w.skipped, ...w.unfinished.filter((u) => !crashed.includes(u))];
  const silent = w.rows.length === 0 && notRun.length === 0 && crashed.length === 0;
  if (silent && w.stopped) {
    notRun.push({
      item: `all of ${part} on ${backend}`,
      reason: "stopped at the part's share of the budget before it began",
    });
  } else if (silent && w.code !== 0) {
    const tail = w.stderrTail.split("\n").slice(-3).join(" / ");
    rows.push({
      part,
      check: `${part} worker`,
      backend,
      result: "fail",
      detail: `ended with exit code ${w.code}: ${tail}`,
    });
  }
  stops.push({ part, backend, shareS, items: notRun.map(({ item, reason }) => ({ item, reason })) });
  if (notRun.length) {
    const names = notRun.slice(0, 3).map((n) => n.item).join("; ");
    rows.push({
      part,
      check: `${part}: ${notRun.length} item(s) not run`,
      backend,
      result: "skipped",
      detail: `${notRun[0]!.reason}: ${names}${notRun.length > 3 ? "; …" : ""} (report.md, "Not run")`,
    });
  }
}

/** The rows of what the probe found. */
function backendRows(
  probe: ProbeResult,
  torch: TorchProbe | { reason: string },
  tested: string[],
  torchAsked: boolean,
): Row[] {
  const rows: Row[] = [];
  const c = probe.cuda;
  rows.push(
    c.ok
      ? {
        part: "backends",
        check: "cuda libraries and device",
        backend: "cuda",
        result: "info",
        detail: `${c.device}; ${c.fallbacks} kernels via the cpu fallback; libraries: ${
          Object.entries(c.libraries).map(([k, p]) => `${k} ${p}`).join(", ")
        }`,
      }
      : {
        part: "backends",
        check: "cuda libraries and device",
        backend: "cuda",
        result: "unavailable",
        detail: c.libraries
          ? `libraries found (${Object.values(c.libraries).join(", ")}), but: ${c.reason}`
          : c.reason,
      },
  );
  const w = probe.webgpu;
  const why = !w.ok
    ? w.reason
    : `${w.label}: ${w.evidence}; ${
      tested.includes("webgpu")
        ? w.kind === "hardware" ? "checked" : `checked because ${SOFTWARE_WEBGPU_ENV}=1 asks for it`
        : w.kind === "hardware"
        ? "not asked for (--backends)"
        : `not checked (set ${SOFTWARE_WEBGPU_ENV}=1 to check it)`
    }`;
  rows.push({
    part: "backends",
    check: "WebGPU adapter",
    backend: "webgpu",
    result: w.ok ? "info" : "unavailable",
    detail: why,
  });
  rows.push({
    part: "backends",
    check: "PyTorch reference",
    backend: "pytorch",
    result: "torch" in torch ? "info" : torchAsked ? "unavailable" : "skipped",
    detail: "torch" in torch
      ? `${torch.python}: torch ${torch.torch}${torch.cudaDevice ? ` on ${torch.cudaDevice}` : ", cpu only"}`
      : torch.reason,
  });
  return rows;
}

function summarise(mode: string, forced: boolean, probe: ProbeResult, tested: readonly string[]): string {
  const w = probe.webgpu;
  const on = tested.map((
    b,
  ) => (b === "cuda" && probe.cuda.ok ? `cuda (${probe.cuda.device})` : w.ok ? `webgpu (${w.label})` : b));
  if (mode === "gpu") return `GPU run at the paper's sizes on ${on.join(" and ")}.`;
  const noGpu = `cuda: ${probe.cuda.ok ? probe.cuda.device : probe.cuda.reason}; webgpu: ${
    w.ok ? w.label : w.reason
  }`;
  const where = ["cpu", ...on].join(" and ");
  return forced
    ? `Dry run (--dry-run) at tiny sizes on ${where}: not GPU figures.`
    : `No GPU found (${noGpu}). Dry run at tiny sizes on ${where}: the pipeline is exercised, the figures are not GPU figures.`;
}

async function pytorch(
  o: CheckOptions,
  torch: TorchProbe | { reason: string },
  mode: "gpu" | "dry-run",
  deadline: number,
  log: (line: string) => void,
): Promise<Row[]> {
  const row = (result: Row["result"], detail: string): Row => ({
    part: "pytorch",
    check: "PyTorch reference (torch_dae_bench.py)",
    backend: "pytorch",
    result,
    detail,
  });
  if (!("torch" in torch)) return [row("unavailable", torch.reason)];
  if (mode === "gpu" && !torch.cudaDevice) {
    return [row("unavailable", `${torch.python}'s torch sees no CUDA device`)];
  }
  const script = o.torchScript ?? findTorchScript();
  if (!script) {
    return [row("unavailable", "torch_dae_bench.py not found in .device/ or ../shared/reference/")];
  }
  const args = (mode === "gpu" ? GPU_PLAN : DRY_RUN_PLAN).torchArgs;
  const run = await runTorchReference(torch.python, script, args, deadline, (l) => log(`    ${l}`));
  const rows = [...run.rows];
  if (run.stopped) {
    rows.push(row("skipped", "stopped at the part's share of the budget (modes not printed are missing)"));
  }
  if (run.error) rows.push(row("fail", `the reference failed: ${run.error}`));
  return rows;
}

function findTorchScript(): string | undefined {
  const root = projectRoot();
  const base = root ? root.pathname : `${Deno.cwd()}/`;
  for (const p of [".device/torch_dae_bench.py", "../shared/reference/torch_dae_bench.py"]) {
    try {
      if (Deno.statSync(base + p).isFile) return base + p;
    } catch {
      // Not there.
    }
  }
  return undefined;
}

/**
 * Where the convergence test trains: the fastest by the measured 2D step among the backends with no failed
 * correctness row (cpu counts where it was measured, i.e. in the dry run: a software adapter is slower),
 * else cpu.
 */
export function convergenceBackend(rows: readonly Row[], candidates: readonly string[]): string {
  const failed = (b: string) =>
    rows.some((r) => r.backend === b && r.part === "correctness" && r.result === "fail");
  const ms = (b: string) =>
    rows.find((r) => r.backend === b && r.speedKey === "dae2d-train")?.value ?? Infinity;
  const ranked = candidates.filter((b) => !failed(b)).sort((a, b) => ms(a) - ms(b));
  return ranked[0] ?? "cpu";
}

function selectionOf(
  mode: "gpu" | "dry-run",
  createdAt: string,
  versions: { deno: string; tfjs: string; core: string },
  probe: ProbeResult,
  gpuBackends: readonly string[],
  rows: readonly Row[],
  stops: readonly Stop[],
): BackendSelectionReport {
  const backends = gpuBackends.map((b) => {
    const mine = rows.filter((r) => r.backend === b && r.part === "correctness");
    const notRun = stops.some((s) => s.part === "correctness" && s.backend === b && s.items.length);
    const passed = mine.length > 0 && !notRun &&
      mine.every((r) => r.result === "pass" || r.result === "info");
    const step = rows.find((r) => r.backend === b && r.speedKey === "dae2d-train" && r.result === "measured");
    const device = b === "cuda"
      ? deviceFingerprint("cuda", probe.cuda.ok ? probe.cuda.device : "")
      : probe.webgpu.ok
      ? deviceFingerprint("webgpu", probe.webgpu.facts)
      : "webgpu";
    return {
      backend: b as "cuda" | "webgpu",
      passed,
      hardware: b === "cuda" || (probe.webgpu.ok && probe.webgpu.kind === "hardware"),
      device,
      ...(step?.value !== undefined ? { trainStepMs: step.value } : {}),
    };
  });
  return {
    mode,
    createdAt,
    versions: { deno: versions.deno, tfjs: versions.tfjs, core: versions.core },
    backends,
  };
}

async function machine(): Promise<GpuCheckReport["machine"]> {
  let cpu = "unknown cpu";
  try {
    const m = (await Deno.readTextFile("/proc/cpuinfo")).match(/model name\s*:\s*(.+)/);
    if (m) cpu = `${m[1]!.trim()} ×${navigator.hardwareConcurrency}`;
  } catch {
    // Not Linux.
  }
  let gpus: string[] = [];
  try {
    const out = await new Deno.Command("nvidia-smi", {
      args: ["--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(15_000),
    }).output();
    if (out.success) gpus = new TextDecoder().decode(out.stdout).trim().split("\n").filter(Boolean);
  } catch {
    // No NVIDIA driver.
  }
  return { hostname: Deno.hostname(), os: `${Deno.build.os} ${Deno.build.arch}`, cpu, gpus };
}

/** Each part's share of the budget, for the README and `--help`. */
export function sharesText(budgetS: number): string {
  return Object.entries(SHARES).map(([p, s]) => `${p} ${(s * budgetS).toFixed(0)} s`).join(", ");
}
