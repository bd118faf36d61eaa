/**
 * A worker process: one part of the check on one backend (or the backend probe), started by the
 * orchestrator as `<entry> --worker <task JSON>`, reporting through protocol lines on stdout.
 * @module
 */
import * as v from "valibot";
import "../plugins/mod.ts";
import { type BackendChoice, selectBackend, tf } from "../core/mod.ts";
import { convergence } from "./convergence.ts";
import { correctness, stepTolerance } from "./correctness.ts";
import { log, PartReporter } from "./part_reporter.ts";
import { DRY_RUN_PLAN, GPU_PLAN, type Plan } from "./plan.ts";
import { probeBackends } from "./probe.ts";
import type { Row } from "./rows.ts";
import { dae2dSetup, dae3dSetup, profileRow, profileStep, timeScoring, timeTraining } from "./speed.ts";

/** Schema of {@linkcode WorkerTask}. */
export const workerTaskSchema = v.strictObject({
  /** What to run. */
  part: v.picklist(["probe", "correctness", "speed", "convergence"]),
  /** The backend under test ("" for the probe). */
  backend: v.string(),
  /** The plan's sizes. */
  mode: v.picklist(["gpu", "dry-run"]),
  /** When the orchestrator stops the process, ms since the epoch. */
  deadline: v.number(),
  /**
   * "A=B": the backend under test runs kernel B where A is asked for (e.g. "Sigmoid=Tanh"), to show that
   * the check catches a wrong kernel.
   */
  fault: v.optional(v.pipe(v.string(), v.regex(/^\w+=\w+$/, "must be KERNEL=KERNEL"))),
  /** Skip the part's remaining items after its first failure. */
  failFast: v.optional(v.boolean()),
  /** A folder the workers of one check share (the cpu references). */
  workDir: v.optional(v.string()),
});

/** One worker's task. */
export type WorkerTask = v.InferOutput<typeof workerTaskSchema>;

/** Runs a task; its results go to stdout as protocol lines. */
export async function runTask(task: WorkerTask): Promise<void> {
  const plan = task.mode === "gpu" ? GPU_PLAN : DRY_RUN_PLAN;
  if (task.part === "probe") {
    const r = new PartReporter(task.deadline, { part: "backends", backend: "" });
    r.data("probe", await probeBackends());
    return;
  }
  await selectBackend("cpu");
  if (task.backend !== "cpu") await selectBackend(task.backend as BackendChoice);
  if (task.fault) injectFault(task.backend, task.fault);
  const r = new PartReporter(task.deadline, { part: task.part, backend: task.backend }, {
    afterItem: watchDevice(task.backend),
    failFast: task.failFast ?? false,
  });
  if (task.part === "correctness") await correctness(plan, task.backend, r, task.workDir);
  else if (task.part === "speed") await speed(plan, task.backend, r);
  else await convergence(plan, task.backend, stepTolerance(task.backend), r);
}

async function speed(plan: Plan, backend: string, r: PartReporter): Promise<void> {
  const d2 = dae2dSetup(plan);
  const p2 = plan.dae2d;
  const d3 = plan.dae3d.batches.map((b) => dae3dSetup(plan, b));
  r.items([
    `2D DAE train step (${d2.label})`,
    "2D DAE scoring",
    ...d3.map((s) => `3D DAE train step (${s.label})`),
    "kernel profile of one 2D step",
  ]);
  await r.run(`2D DAE train step (${d2.label})`, async () => {
    const t = await timeTraining(d2, backend, p2.warmup, p2.steps, r.deadlineSignal());
    return [trainRow(`2D DAE train step (${d2.label})`, backend, t, p2.warmup, p2.steps, "dae2d-train")];
  });
  await r.run("2D DAE scoring", async () => {
    const sps = await timeScoring(d2, p2.scoreBatch, p2.scoreReps);
    return [{
      part: "speed",
      check: "2D DAE scoring",
      backend,
      result: "measured",
      value: sps,
      unit: "slices/s",
      speedKey: "dae2d-score",
      detail:
        `batches of ${p2.scoreBatch}, ${p2.scoreReps} after a warm-up; median filter and masking included`,
    }];
  });
  for (const s of d3) {
    await r.run(`3D DAE train step (${s.label})`, async () => {
      const steps = plan.dae3d.steps;
      const t = await timeTraining(s, backend, 1, steps, r.deadlineSignal());
      const rows = [trainRow(`3D DAE train step (${s.label})`, backend, t, 1, steps)];
      if (t.ms === undefined) return rows;
      const profile = await profileStep(s, backend, `3D, batch ${s.batch}`);
      r.data(`profile 3D batch ${s.batch}`, profile);
      rows.push({
        part: "speed",
        check: `3D DAE step (${s.label}): peak tensor memory`,
        backend,
        result: "measured",
        value: profile.peakBytes / 2 ** 30,
        unit: "GiB",
      });
      return rows;
    });
  }
  await r.run("kernel profile of one 2D step", async () => {
    const profile = await profileStep(d2, backend, "2D");
    r.data("profile 2D", profile);
    return [profileRow(profile)];
  });
}

function trainRow(
  check: string,
  backend: string,
  t: Awaited<ReturnType<typeof timeTraining>>,
  warmup: number,
  steps: number,
  speedKey?: "dae2d-train",
): Row {
  const loss = t.firstLoss !== undefined
    ? `; loss ${t.firstLoss.toPrecision(3)} → ${t.lastLoss!.toPrecision(3)}`
    : "";
  if (t.ms === undefined) {
    return {
      part: "speed",
      check,
      backend,
      result: "skipped",
      detail: `no step after the ${warmup} warm-up finished before the part's share of the budget ran out`,
    };
  }
  const partial = t.timed < steps ? ` (stopped at the budget: ${t.timed} of ${steps})` : "";
  return {
    part: "speed",
    check,
    backend,
    result: "measured",
    value: t.ms,
    unit: "ms/step",
    ...(speedKey ? { speedKey } : {}),
    detail: `mean of ${t.timed} steps after ${warmup} warm-up${partial}${loss}`,
  };
}

/**
 * Makes kernel `spec`'s left side run the right side's function on `backend` (a deliberately wrong kernel,
 * for showing that the check fails).
 */
export function injectFault(backend: string, spec: string): void {
  const [target, replacement] = spec.split("=") as [string, string];
  const original = tf.getKernel(target, backend);
  const substitute = tf.getKernel(replacement, backend);
  if (!original || !substitute) {
    throw new Error(`--fault ${spec}: ${backend} has no kernel ${original ? replacement : target}`);
  }
  tf.unregisterKernel(target, backend);
  tf.registerKernel({ kernelName: target, backendName: backend, kernelFunc: substitute.kernelFunc });
  log(`fault injected: ${backend} runs ${replacement} for ${target}`);
}

/**
 * For webgpu, collects the device's uncaptured errors and its loss (a failed dispatch otherwise reads
 * back as zeros); returns the function that drains them after each item.
 */
function watchDevice(backend: string): () => string | undefined {
  if (backend !== "webgpu") return () => undefined;
  const errors: string[] = [];
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  device.addEventListener(
    "uncapturederror",
    (e) => errors.push((e as GPUUncapturedErrorEvent).error.message),
  );
  device.lost.then((info) => errors.push(`device lost: ${info.reason} ${info.message}`));
  return () => {
    if (errors.length === 0) return undefined;
    const text = `webgpu reported ${errors.length} error(s): ${errors.slice(0, 3).join("; ")}`;
    errors.length = 0;
    return text;
  };
}
