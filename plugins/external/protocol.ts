/**
 * The file protocol between the framework and an external program (version `uad-external/1`, see
 * README.md): the job folders the bridge writes — job.json and NumPy `.npy` arrays — and the checks on
 * what the program writes back.
 * @module
 */
import { join } from "node:path";
import * as v from "valibot";
import { parseConfig } from "../../core/config.ts";
import type { NoiseSource, Rng, SampleSet, TrainSummary } from "../../core/mod.ts";
import { tf } from "../../core/mod.ts";
import { readNpy, writeNpy } from "../../core/npy/mod.ts";

/** The protocol version written in every job.json; a program should refuse versions it does not know. */
export const PROTOCOL = "uad-external/1";

/** The files of one set of samples in a training job. */
export interface SampleFiles {
  /** float32 [N, ...S, C]. */
  readonly images: string;
  /** uint8 0/1 [N, ...S]. */
  readonly foreground: string;
  /** uint8 0/1 [N, ...S]; only in the labelled set. */
  readonly labels?: string;
  /** N. */
  readonly count: number;
}

/** What is common to both tasks' job.json. */
export interface JobBase {
  /** The protocol version, {@linkcode PROTOCOL}. */
  readonly protocol: typeof PROTOCOL;
  /** 2: samples are slices [H, W, C]; 3: volumes [D, H, W, C]. */
  readonly dims: 2 | 3;
  /** One sample's shape without the batch axis. */
  readonly sampleShape: readonly number[];
  /** The method config's `params`. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The model folder: train fills it, score reads it. */
  readonly model: string;
}

/** job.json of a train job. */
export interface TrainJob extends JobBase {
  /** What to do. */
  readonly task: "train";
  /** The run's seed, for the program's own random numbers. */
  readonly seed: number;
  /** The grid's noise source (external-noise only): id and settings. */
  readonly noise: { readonly id: string; readonly config: Readonly<Record<string, unknown>> | null } | null;
  /** float32 [K, ...S, C] noise drawn by the framework's noise source (config `noiseSamples`), or null. */
  readonly noiseSamples: string | null;
  /** Healthy training and validation samples; labelled ones for supervised methods. */
  readonly data: {
    readonly train: SampleFiles;
    readonly validation: SampleFiles;
    readonly labelled?: SampleFiles;
  };
  /** Where the program may write its training summary (optional). */
  readonly summary: string;
}

/** job.json of a score job. */
export interface ScoreJob extends JobBase {
  /** What to do. */
  readonly task: "score";
  /** float32 [B, ...S, C]. */
  readonly images: string;
  /** uint8 0/1 [B, ...S]. */
  readonly foreground: string;
  /** B. */
  readonly count: number;
  /** Where the program must write float32 [B, ...S] anomaly scores. */
  readonly scores: string;
}

/** Samples written per chunk, so a training set is never copied whole in memory. */
const CHUNK = 64;

/** Writes a sample set's arrays into `dir` as `<name>_images.npy` etc. */
export async function writeSampleSet(
  set: SampleSet,
  sampleShape: readonly number[],
  dir: string,
  name: string,
  withLabels = false,
): Promise<SampleFiles> {
  const n = set.size;
  const files = {
    images: join(dir, `${name}_images.npy`),
    foreground: join(dir, `${name}_foreground.npy`),
    ...(withLabels ? { labels: join(dir, `${name}_labels.npy`) } : {}),
  };
  const chunks = async function* (field: "images" | "foreground" | "labels") {
    for (let i0 = 0; i0 < n; i0 += CHUNK) {
      const b = set.batch(Array.from({ length: Math.min(CHUNK, n - i0) }, (_, i) => i0 + i));
      const t = b[field];
      if (!t) throw new Error(`external: the ${name} samples have no ${field}`);
      const values = (await t.data()) as Float32Array;
      tf.dispose([b.images, b.foreground, b.labels]);
      yield field === "images" ? values : Uint8Array.from(values, (x) => (x > 0.5 ? 1 : 0));
    }
  };
  const spatial = sampleShape.slice(0, -1);
  await writeNpy(files.images, "<f4", [n, ...sampleShape], chunks("images"));
  await writeNpy(files.foreground, "|u1", [n, ...spatial], chunks("foreground"));
  if (files.labels) await writeNpy(files.labels, "|u1", [n, ...spatial], chunks("labels"));
  return { ...files, count: n };
}

/** Writes `count` draws of the noise source, [K, ...S, C], and returns the file. */
export async function writeNoiseSamples(
  noise: NoiseSource,
  count: number,
  sampleShape: readonly number[],
  rng: Rng,
  dir: string,
): Promise<string> {
  const file = join(dir, "noise.npy");
  const draws = async function* () {
    for (let i0 = 0; i0 < count; i0 += CHUNK) {
      const t = noise.sample([Math.min(CHUNK, count - i0), ...sampleShape], rng);
      yield (await t.data()) as Float32Array;
      t.dispose();
    }
  };
  await writeNpy(file, "<f4", [count, ...sampleShape], draws());
  return file;
}

/** Writes a job.json into its job folder. */
export async function writeJob(dir: string, job: TrainJob | ScoreJob): Promise<void> {
  await Deno.writeTextFile(join(dir, "job.json"), JSON.stringify(job, null, 2) + "\n");
}

const finite = v.pipe(v.number(), v.finite());

/** Schema of the optional summary.json a train command writes; unknown fields are rejected. */
export const summarySchema = v.strictObject({
  /** Optimisation steps taken. */
  steps: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  /** The last training loss. */
  finalLoss: v.optional(finite),
  /** The validation loss at the end. */
  validationLoss: v.optional(finite),
});

/** Reads the train command's summary.json (absent: 0 steps reported). */
export async function readSummary(file: string): Promise<TrainSummary> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { steps: 0 };
    throw new Error(`external train: cannot read ${file}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`external train: ${file} is not valid JSON (${(e as Error).message})`);
  }
  const s = parseConfig(summarySchema, raw, `external train: ${file}`);
  return {
    steps: s.steps ?? 0,
    ...(s.finalLoss !== undefined ? { finalLoss: s.finalLoss } : {}),
    ...(s.validationLoss !== undefined ? { validationLoss: s.validationLoss } : {}),
  };
}

/** Throws unless the train command left at least one file in the model folder. */
export async function checkModelWritten(dir: string, command: string): Promise<void> {
  for await (const _ of Deno.readDir(dir)) return;
  throw new Error(`external train: \`${command}\` exited with 0 but wrote no model files into ${dir}`);
}

/** Reads scores.npy: float [B, ...S], every value finite; errors name the file and the command. */
export async function readScores(
  file: string,
  shape: readonly number[],
  command: string,
): Promise<Float32Array> {
  const exists = await Deno.stat(file).then((s) => s.isFile, () => false);
  if (!exists) throw new Error(`external score: \`${command}\` exited with 0 but wrote no ${file}`);
  let arr;
  try {
    arr = await readNpy(file);
  } catch (e) {
    throw new Error(`external score: \`${command}\` exited with 0 but ${(e as Error).message}`);
  }
  if (arr.shape.join() !== shape.join()) {
    throw new Error(
      `external score: ${file} has shape [${arr.shape.join(", ")}], expected [${shape.join(", ")}] ` +
        `(batch, then the sample's spatial axes); written by \`${command}\``,
    );
  }
  const bad = arr.data.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) {
    throw new Error(
      `external score: ${file} holds a non-finite value (${arr.data[bad]}) at flat index ${bad}; ` +
        `written by \`${command}\``,
    );
  }
  return arr.data;
}
