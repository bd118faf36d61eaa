/**
 * One training step of the DAE (its U-Net on noised healthy images, foreground-masked MSE to the clean image,
 * as plugins/dae trains) and its anomaly scores (the paper's residual score), computed with fixed inputs on
 * whichever backend is active: the loss, every parameter's gradient norm, the global gradient norm and the
 * score maps. The gpu-check computes it on cpu (recording the kernels) and on a GPU backend, and compares.
 * @module
 */
import { getNoise, parseConfig, residualScore, Rng, tf, UNet } from "../core/mod.ts";
import type { UNetCase } from "./plan.ts";

/** Fixed inputs of a step: images, foreground and noise, as host arrays. */
export interface StepInputs {
  /** [B, ...S, C]. */
  readonly shape: number[];
  /** Images in [0, 1] inside a disk (2D) or ball (3D) foreground, 0 outside. */
  readonly images: Float32Array;
  /** Foreground [B, ...S, 1]. */
  readonly foreground: Float32Array;
  /** Coarse noise (the paper's), [B, ...S, C]. */
  readonly noise: Float32Array;
}

/** What one step gives on one backend. */
export interface StepOutputs {
  /** The masked MSE. */
  readonly loss: number;
  /** Gradient norm of each parameter, by name. */
  readonly gradNorms: Record<string, number>;
  /** The norm of all gradients together. */
  readonly globalNorm: number;
  /** Score maps [B, ...S] of the clean images. */
  readonly scores: Float32Array;
}

/** Smooth images in a disk/ball foreground and coarse noise for `c`, the same on every call (sampled on cpu). */
export async function stepInputs(c: UNetCase, seed = 7): Promise<StepInputs> {
  const shape = [...c.input];
  const [batch, ...rest] = shape;
  const spatial = rest.slice(0, -1);
  const channels = rest.at(-1)!;
  const voxels = spatial.reduce((a, b) => a * b, 1);
  const rng = new Rng(seed);
  const images = new Float32Array(batch! * voxels * channels);
  const foreground = new Float32Array(batch! * voxels);
  for (let b = 0; b < batch!; b++) {
    const phase = rng.uniform(0, 6);
    for (let i = 0; i < voxels; i++) {
      let rem = i, r2 = 0, wave = phase;
      for (let a = spatial.length - 1; a >= 0; a--) {
        const u = (rem % spatial[a]!) / (spatial[a]! - 1) - 0.5;
        rem = Math.floor(rem / spatial[a]!);
        r2 += u * u;
        wave += (a + 3) * u;
      }
      if (r2 >= 0.2) continue;
      foreground[b * voxels + i] = 1;
      for (let ch = 0; ch < channels; ch++) {
        images[(b * voxels + i) * channels + ch] = 0.5 + 0.3 * Math.sin(2 * wave + ch) + 0.05 * rng.normal();
      }
    }
  }
  const prev = tf.getBackend();
  await tf.setBackend("cpu");
  const def = getNoise("coarse");
  const eps = def.create(parseConfig(def.schema, {}, "coarse")).sample(shape, new Rng(seed).fork("noise"));
  const noise = (await eps.data()) as Float32Array;
  eps.dispose();
  await tf.setBackend(prev);
  return { shape, images, foreground, noise };
}

/** The paper's scoring settings (erosion 5 at 0.95, median 5). */
const SCORING = { erodeKernel: 5, erodeKeep: 0.95, medianKernel: 5 };

/** Runs one DAE step and the scoring on the active backend with weights initialised from `seed`. */
export async function daeStep(c: UNetCase, inputs: StepInputs, seed = 0): Promise<StepOutputs> {
  const spatialDims = inputs.shape.length - 2;
  const channels = inputs.shape.at(-1)!;
  const net = new UNet(
    { dims: spatialDims as 2 | 3, inChannels: channels, outChannels: channels, widths: [...c.widths] },
    new Rng(seed).fork("dae-init"),
  );
  const maskShape = [...inputs.shape.slice(0, -1), 1];
  const x = tf.tensor(inputs.images, inputs.shape);
  const fg = tf.tensor(inputs.foreground, maskShape);
  const eps = tf.tensor(inputs.noise, inputs.shape);
  try {
    const vars = net.params.list();
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const noisy = tf.add(x, tf.mul(eps, fg)); // noise only inside the foreground, as the DAE trains
        return tf.mean(tf.mul(tf.square(tf.sub(net.apply(noisy), x)), fg)) as tf.Scalar;
      }), vars);
    const names = net.params.names();
    const gradValues = await Promise.all(vars.map((v) => grads[v.name]!.data() as Promise<Float32Array>));
    const loss = (await value.data())[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    const gradNorms: Record<string, number> = {};
    let total = 0;
    gradValues.forEach((g, i) => {
      let s = 0;
      for (let k = 0; k < g.length; k++) s += g[k]! * g[k]!;
      total += s;
      gradNorms[names[i]!] = Math.sqrt(s);
    });
    const restored = net.apply(x);
    const maps = await residualScore(x, restored, fg, SCORING);
    const scores = (await maps.data()) as Float32Array;
    tf.dispose([restored, maps]);
    return { loss, gradNorms, globalNorm: Math.sqrt(total), scores };
  } finally {
    tf.dispose([x, fg, eps]);
    net.params.dispose();
  }
}

/** How a backend's step compared with cpu's. */
export interface StepComparison {
  /** |Δloss| / |loss|. */
  readonly loss: number;
  /** Largest |Δnorm| over parameters, each relative to max(its norm, 1e-3 × the largest norm). */
  readonly gradNorms: number;
  /** The parameter with that largest error. */
  readonly worstParam: string;
  /** |Δ global norm| / global norm. */
  readonly globalNorm: number;
  /** Largest |Δscore| relative to the largest cpu score. */
  readonly scores: number;
}

/**
 * Relative differences between a backend's step and cpu's. Tiny gradient norms are compared against a
 * floor of 1e-3 × the largest one: their relative error is cancellation, not a wrong kernel.
 */
export function compareSteps(got: StepOutputs, want: StepOutputs): StepComparison {
  const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
  const largest = Math.max(...Object.values(want.gradNorms));
  let gradNorms = 0, worstParam = "";
  for (const [name, w] of Object.entries(want.gradNorms)) {
    const g = got.gradNorms[name];
    const e = g === undefined ? Infinity : Math.abs(g - w) / Math.max(w, 1e-3 * largest, 1e-30);
    if (!(e <= gradNorms)) [gradNorms, worstParam] = [e, name];
  }
  let scale = 0, worst = 0;
  want.scores.forEach((w) => (scale = Math.max(scale, Math.abs(w))));
  want.scores.forEach((w, i) => (worst = Math.max(worst, Math.abs(got.scores[i]! - w))));
  const scores = got.scores.length === want.scores.length ? worst / Math.max(scale, 1e-30) : Infinity;
  return {
    loss: Number.isFinite(got.loss) ? rel(got.loss, want.loss) : Infinity,
    gradNorms,
    worstParam,
    globalNorm: Number.isFinite(got.globalNorm) ? rel(got.globalNorm, want.globalNorm) : Infinity,
    scores,
  };
}
