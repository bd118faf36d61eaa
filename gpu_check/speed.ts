/**
 * The gpu-check's measurements, through the same code a training run uses (the `dae` plugin with the
 * paper's presets, the core training loop, the paper's scoring): ms per 2D DAE training step, scored slices
 * per second, the 3D DAE step at the CT field of view with its peak tensor memory, and a per-kernel profile
 * of one step. Times are means over steps after warm-up (the steady state, as PyTorch's reference reports);
 * each step ends with the loss read back, as in training.
 * @module
 */
import {
  getMethod,
  getNoise,
  getPreset,
  type MethodInstance,
  parseConfig,
  Rng,
  type SampleSet,
  tf,
} from "../core/mod.ts";
import { toySamples } from "./methods_check.ts";
import type { Plan } from "./plan.ts";
import type { Row } from "./rows.ts";

/** Kernel time per kernel name in one profiled step, largest first. */
export interface KernelProfile {
  /** What was profiled. */
  readonly label: string;
  /** The backend. */
  readonly backend: string;
  /** Total kernel milliseconds (0 where the backend gives no kernel timings). */
  readonly totalMs: number;
  /** Peak bytes held by tensors during the step (tfjs's accounting). */
  readonly peakBytes: number;
  /** [kernel, ms, calls], largest first. */
  readonly kernels: [string, number, number][];
}

const EMPTY: SampleSet = {
  size: 0,
  batch: () => {
    throw new Error("no validation samples in a speed measurement");
  },
};

interface DaeSetup {
  readonly label: string;
  readonly sampleShape: number[];
  readonly config: Record<string, unknown>;
  readonly batch: number;
}

/** The 2D DAE of the plan: the paper preset with the plan's widths and batch. */
export function dae2dSetup(plan: Plan): DaeSetup {
  const p = plan.dae2d;
  return {
    label: `batch ${p.batch}, ${p.size}×${p.size}×${p.channels}, widths ${p.widths.join("/")}`,
    sampleShape: [p.size, p.size, p.channels],
    config: { ...getPreset("dae-paper-2d").config, widths: [...p.widths], batchSize: p.batch },
    batch: p.batch,
  };
}

/** The 3D DAE of the plan at one batch size: the paper preset at the CT field of view. */
export function dae3dSetup(plan: Plan, batch: number): DaeSetup {
  const p = plan.dae3d;
  return {
    label: `batch ${batch}, ${p.size.join("×")}, widths ${p.widths.join("/")}`,
    sampleShape: [...p.size, 1],
    config: { ...getPreset("dae-paper-3d").config, widths: [...p.widths], batchSize: batch },
    batch,
  };
}

/** A DAE instance for `s` with the paper's coarse noise, `steps` steps long. */
function makeDae(s: DaeSetup, steps: number) {
  const def = getMethod("dae");
  const dae = def.create(parseConfig(def.schema, { ...s.config, steps }, "dae"), s.sampleShape, 0);
  const noiseDef = getNoise("coarse");
  const noise = noiseDef.create(parseConfig(noiseDef.schema, {}, "coarse"));
  return { dae, noise };
}

/** Trains `steps` steps, returning the time at the end of each (stops early when `signal` aborts). */
async function trainTimed(
  dae: MethodInstance,
  s: DaeSetup,
  noise: ReturnType<typeof makeDae>["noise"],
  backend: string,
  signal?: AbortSignal,
): Promise<{ stamps: number[]; losses: number[] }> {
  const stamps: number[] = [];
  const losses: number[] = [];
  const train = toySamples(s.sampleShape, 2 * s.batch, 1);
  await dae.train({ sampleShape: s.sampleShape, train, validation: EMPTY }, {
    backend,
    seed: 0,
    rng: new Rng(0),
    noise,
    progress: {
      update: (_d, _t, info) => {
        stamps.push(performance.now());
        losses.push(Number(info?.loss));
      },
      finish() {},
    },
    checkpoint: async () => {},
    ...(signal ? { signal } : {}),
  });
  return { stamps, losses };
}

/**
 * Mean ms per training step after `warmup` steps, from step end times; undefined when no step after the
 * warm-up finished.
 *
 * @example
 * ```ts
 * import { meanStepMs } from "./speed.ts";
 * console.assert(meanStepMs([100, 150, 170, 190], 2) === 20); // steps 3 and 4
 * ```
 */
export function meanStepMs(stamps: readonly number[], warmup: number): number | undefined {
  if (stamps.length <= warmup || warmup < 1) return undefined;
  return (stamps.at(-1)! - stamps[warmup - 1]!) / (stamps.length - warmup);
}

/** Times a DAE's training steps on the active backend. */
export async function timeTraining(
  s: DaeSetup,
  backend: string,
  warmup: number,
  steps: number,
  signal: AbortSignal,
): Promise<{ ms?: number; timed: number; firstLoss?: number; lastLoss?: number }> {
  const { dae, noise } = makeDae(s, warmup + steps);
  try {
    const { stamps, losses } = await trainTimed(dae, s, noise, backend, signal);
    const ms = meanStepMs(stamps, warmup);
    return {
      ...(ms !== undefined ? { ms } : {}),
      timed: Math.max(0, stamps.length - warmup),
      ...(losses.length ? { firstLoss: losses[0]!, lastLoss: losses.at(-1)! } : {}),
    };
  } finally {
    dae.dispose();
  }
}

/** Scored slices per second: `reps` scorings of `batch` samples after one warm-up. */
export async function timeScoring(s: DaeSetup, batch: number, reps: number): Promise<number> {
  const { dae } = makeDae(s, 1);
  const samples = toySamples(s.sampleShape, batch, 3);
  const b = samples.batch(Array.from({ length: batch }, (_, i) => i));
  try {
    (await dae.score(b)).dispose();
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) {
      const maps = await dae.score(b);
      await maps.data();
      maps.dispose();
    }
    return (batch * reps) / ((performance.now() - t0) / 1000);
  } finally {
    tf.dispose([b.images, b.foreground, ...(b.labels ? [b.labels] : [])]);
    dae.dispose();
  }
}

/** Profiles one training step (kernel times where the backend gives them, peak tensor bytes). */
export async function profileStep(s: DaeSetup, backend: string, label: string): Promise<KernelProfile> {
  const { dae, noise } = makeDae(s, 1);
  try {
    const info = await tf.profile(async () => {
      await trainTimed(dae, s, noise, backend);
    });
    const totals = new Map<string, [number, number]>();
    for (const k of info.kernels) {
      const t = await k.kernelTimeMs;
      const ms = typeof t === "number" && Number.isFinite(t) ? t : 0;
      const [sum, calls] = totals.get(k.name) ?? [0, 0];
      totals.set(k.name, [sum + ms, calls + 1]);
    }
    const kernels = [...totals].map(([name, [ms, calls]]) => [name, ms, calls] as [string, number, number])
      .sort((a, b) => b[1] - a[1]);
    return {
      label,
      backend,
      totalMs: kernels.reduce((n, k) => n + k[1], 0),
      peakBytes: info.peakBytes,
      kernels,
    };
  } finally {
    dae.dispose();
  }
}

/** The profile as a row: total kernel time and the three costliest kernels. */
export function profileRow(p: KernelProfile): Row {
  const top = p.kernels.slice(0, 3).map(([k, ms]) => `${k} ${((100 * ms) / (p.totalMs || 1)).toFixed(0)}%`);
  return {
    part: "speed",
    check: `kernel profile of one step (${p.label})`,
    backend: p.backend,
    result: "info",
    ...(p.totalMs > 0 ? { value: p.totalMs, unit: "ms in kernels" } : {}),
    detail: p.totalMs > 0
      ? `${p.kernels.length} kernels; ${top.join(", ")} (report.md lists them all)`
      : "the backend gave no kernel timings",
  };
}
