/**
 * The stand-in's model, in place of nnU-Net's network: each channel z-scored per case (nnU-Net's default
 * normalisation for non-CT channels), then a Gaussian naive Bayes classifier per voxel — a class prior and a
 * per-channel mean and variance per class. Small and exact, so that tests can check the probabilities it
 * predicts where the lesions are.
 * @module
 */

/** What the stand-in's "checkpoint" holds (JSON). */
export interface StandInModel {
  /** Marks the stand-in's checkpoint format. */
  readonly format: "nnunet-standin-1";
  /** Number of classes (labels in dataset.json). */
  readonly classes: number;
  /** Number of input channels. */
  readonly channels: number;
  /** Class priors. */
  readonly prior: readonly number[];
  /** [class][channel] means of the normalised intensities. */
  readonly mean: ReadonlyArray<readonly number[]>;
  /** [class][channel] variances. */
  readonly variance: ReadonlyArray<readonly number[]>;
}

/** Each channel minus its mean, over its standard deviation (a constant channel becomes zeros). */
export function zscore(channels: readonly Float32Array[]): Float32Array[] {
  return channels.map((c) => {
    let sum = 0, sq = 0;
    for (const x of c) {
      sum += x;
      sq += x * x;
    }
    const mean = sum / c.length;
    const std = Math.sqrt(Math.max(sq / c.length - mean * mean, 0));
    return Float32Array.from(c, (x) => (std > 1e-8 ? (x - mean) / std : 0));
  });
}

/** Fits the classifier to normalised cases with segmentations (class index per voxel). */
export function fit(
  cases: ReadonlyArray<{ readonly channels: readonly Float32Array[]; readonly seg: ArrayLike<number> }>,
  classes: number,
): StandInModel {
  const channels = cases[0]?.channels.length ?? 0;
  const n = new Float64Array(classes);
  const sum = Array.from({ length: classes }, () => new Float64Array(channels));
  const sq = Array.from({ length: classes }, () => new Float64Array(channels));
  for (const c of cases) {
    for (let v = 0; v < c.seg.length; v++) {
      const k = c.seg[v]!;
      if (!(k >= 0 && k < classes)) {
        throw new Error(`segmentation value ${k} is not a class 0..${classes - 1}`);
      }
      n[k]!++;
      for (let ch = 0; ch < channels; ch++) {
        const x = c.channels[ch]![v]!;
        sum[k]![ch]! += x;
        sq[k]![ch]! += x * x;
      }
    }
  }
  const total = n.reduce((a, b) => a + b, 0);
  const mean = sum.map((s, k) => [...s].map((x) => (n[k] ? x / n[k]! : 0)));
  const variance = sq.map((s, k) =>
    [...s].map((x, ch) => (n[k] ? Math.max(x / n[k]! - mean[k]![ch]! ** 2, 0) : 1) + 1e-3)
  );
  const prior = [...n].map((x) => Math.max(x / total, 1e-6));
  return { format: "nnunet-standin-1", classes, channels, prior, mean, variance };
}

/** Class probabilities of every voxel of normalised `channels`: [classes × voxels], class-major. */
export function predict(model: StandInModel, channels: readonly Float32Array[]): Float32Array {
  const voxels = channels[0]!.length;
  const out = new Float32Array(model.classes * voxels);
  const logp = new Float64Array(model.classes);
  for (let v = 0; v < voxels; v++) {
    let max = -Infinity;
    for (let k = 0; k < model.classes; k++) {
      let l = Math.log(model.prior[k]!);
      for (let ch = 0; ch < model.channels; ch++) {
        const s2 = model.variance[k]![ch]!;
        l -= 0.5 * (Math.log(2 * Math.PI * s2) + (channels[ch]![v]! - model.mean[k]![ch]!) ** 2 / s2);
      }
      logp[k] = l;
      max = Math.max(max, l);
    }
    let z = 0;
    for (let k = 0; k < model.classes; k++) z += Math.exp(logp[k]! - max);
    for (let k = 0; k < model.classes; k++) out[k * voxels + v] = Math.exp(logp[k]! - max) / z;
  }
  return out;
}
