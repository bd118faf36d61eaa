/**
 * Turning cases into samples: every slice of every case (2D) or every case (3D), batched into tensors. A
 * dataset with a preprocessing cache is streamed from it (core/streamed_samples.ts); one without (generated
 * data, no cache folder) is collected into memory. Generated data stays in memory on purpose: its size is set
 * by its config (phantom2d's default train split is 25 MiB), and generating a subject on demand would redo
 * its anatomy, contrast and noise every epoch, many times the cost of keeping it.
 * @module
 */
import type { AnySplit, Case, Dataset, Dims } from "./dataset.ts";
import type { Batch, SampleSet } from "./method.ts";
import { indexStoredSamples } from "./streamed_samples.ts";
import { tf } from "./tf.ts";

/** Which samples of a split to take, and how errors name it. */
export interface SampleOptions {
  /** 2D: drop slices with any label pixel (the paper trains on tumour-free slices). */
  readonly healthyOnly?: boolean;
  /** Give batches the ground-truth `labels` (all zero for cases without a label). */
  readonly withLabels?: boolean;
  /** Names the split in errors, e.g. "dataset 'brats', train split". */
  readonly what?: string;
}

/** A split's samples as the runner hands them to a method. */
export interface LoadedSamples extends SampleSet {
  /** Shape of one sample: [H, W, C] or [D, H, W, C]. */
  readonly sampleShape: readonly number[];
  /** Releases what the set holds open (streamed sets: the read-ahead thread). */
  close?(): void;
}

/**
 * The samples of a split: streamed from the dataset's cache where it keeps one (memory independent of the
 * number of cases, batches identical to the in-memory ones), else collected into memory.
 *
 * @example
 * ```ts ignore
 * const train = await openSamples(dataset, "train", { healthyOnly: true, what: "train split" });
 * const b = train.batch([0, 1]); // the receiver disposes b's tensors
 * ```
 */
export async function openSamples(
  dataset: Dataset,
  split: AnySplit,
  options: SampleOptions = {},
): Promise<LoadedSamples> {
  const stored = dataset.stored?.(split);
  return stored
    ? await indexStoredSamples(stored, dataset.dims, options)
    : await collectSamples(dataset.cases(split), dataset.dims, options);
}

/** Samples held in memory as one contiguous array per field. */
export class InMemorySamples implements SampleSet {
  /** Number of samples. */
  readonly size: number;
  /** Shape of one sample: [H, W, C] or [D, H, W, C]. */
  readonly sampleShape: readonly number[];
  readonly #images: Float32Array;
  readonly #foreground: Float32Array;
  readonly #labels: Float32Array | undefined;

  /** Wraps arrays of `size` samples of `sampleShape` (foreground/labels without the channel axis). */
  constructor(
    sampleShape: readonly number[],
    images: Float32Array,
    foreground: Float32Array,
    labels?: Float32Array,
  ) {
    this.sampleShape = sampleShape;
    const per = sampleShape.reduce((a, b) => a * b, 1);
    this.size = images.length / per;
    if (!Number.isInteger(this.size)) {
      throw new Error(`image array does not hold whole samples of [${sampleShape}]`);
    }
    this.#images = images;
    this.#foreground = foreground;
    this.#labels = labels;
  }

  /** Builds a batch from sample indices (each in [0, size)). */
  batch(indices: readonly number[]): Batch {
    const per = this.sampleShape.reduce((a, b) => a * b, 1);
    const channels = this.sampleShape[this.sampleShape.length - 1]!;
    const perMask = per / channels;
    const img = new Float32Array(indices.length * per);
    const fg = new Float32Array(indices.length * perMask);
    const lab = this.#labels ? new Float32Array(indices.length * perMask) : undefined;
    indices.forEach((s, i) => {
      if (!(s >= 0 && s < this.size)) throw new Error(`sample index ${s} out of range 0..${this.size - 1}`);
      img.set(this.#images.subarray(s * per, (s + 1) * per), i * per);
      fg.set(this.#foreground.subarray(s * perMask, (s + 1) * perMask), i * perMask);
      lab?.set(this.#labels!.subarray(s * perMask, (s + 1) * perMask), i * perMask);
    });
    const maskShape = [indices.length, ...this.sampleShape.slice(0, -1), 1];
    return {
      images: tf.tensor(img, [indices.length, ...this.sampleShape]),
      foreground: tf.tensor(fg, maskShape),
      ...(lab ? { labels: tf.tensor(lab, maskShape) } : {}),
    };
  }
}

/** The sample shape of a case: [H, W, C] for 2D datasets, [D, H, W, C] for 3D. */
export function sampleShapeOf(c: Case, dims: Dims): number[] {
  const [d, h, w, ch] = c.shape;
  return dims === 2 ? [h, w, ch] : [d, h, w, ch];
}

/**
 * Collects cases into samples. For 2D, `healthyOnly` drops slices with any label pixel (the paper trains on
 * tumour-free slices). `what` names the cases in errors (e.g. "dataset 'brats', train split").
 */
export async function collectSamples(
  cases: AsyncIterable<Case>,
  dims: Dims,
  { healthyOnly = false, withLabels = false, what = "the split" }: SampleOptions = {},
): Promise<InMemorySamples> {
  const imgs: Float32Array[] = [];
  const fgs: Float32Array[] = [];
  const labs: Float32Array[] = [];
  let shape: number[] | undefined;
  for await (const c of cases) {
    const s = sampleShapeOf(c, dims);
    if (shape && s.join() !== shape.join()) {
      throw new Error(`${what}: case ${c.id} has sample shape [${s}], others have [${shape}]`);
    }
    shape = s;
    const units = dims === 2 ? c.shape[0] : 1;
    const per = c.image.length / units;
    const perMask = c.foreground.length / units;
    for (let u = 0; u < units; u++) {
      const lab = c.label?.subarray(u * perMask, (u + 1) * perMask);
      if (healthyOnly && lab?.some((v) => v !== 0)) continue;
      imgs.push(c.image.subarray(u * per, (u + 1) * per));
      fgs.push(Float32Array.from(c.foreground.subarray(u * perMask, (u + 1) * perMask)));
      if (withLabels) labs.push(lab ? Float32Array.from(lab) : new Float32Array(perMask));
    }
  }
  if (!shape) throw new Error(`${what} has no cases`);
  if (imgs.length === 0) {
    throw new Error(`${what} has no ${healthyOnly ? "lesion-free " : ""}samples (${dims}D)`);
  }
  return new InMemorySamples(shape, concat(imgs), concat(fgs), withLabels ? concat(labs) : undefined);
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
