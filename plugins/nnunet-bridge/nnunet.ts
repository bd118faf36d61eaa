/**
 * The `nnunet` method: a thin MethodInstance over nnU-Net v2. Training exports the labelled samples and runs
 * nnU-Net as subprocesses (`pipeline.ts`); scoring predicts a batch and reads nnU-Net's probabilities back.
 * The model lives in nnU-Net's results folder: the saved state records where, not the weights.
 * @module
 */
import { join } from "node:path";
import type { Case } from "../../core/dataset.ts";
import {
  type Batch,
  type MethodInstance,
  type MethodState,
  type SampleSet,
  tf,
  type TrainContext,
  type TrainData,
  type TrainSummary,
} from "../../core/mod.ts";
import { type NnUnetPaths, nnunetPaths, requireNnUnet, type RunSettings } from "./commands.ts";
import type { NnUnetConfig } from "./config.ts";
import { predictNnUnet, trainNnUnet } from "./pipeline.ts";

/** Each sample as a case ([1, H, W, C] for slices, [D, H, W, C] for volumes), with its label when present. */
export async function samplesAsCases(set: SampleSet, prefix: string): Promise<Case[]> {
  const cases: Case[] = [];
  for (let i = 0; i < set.size; i++) {
    const b = set.batch([i]);
    const images = (await b.images.data()) as Float32Array;
    const labels = b.labels ? await b.labels.data() : undefined;
    cases.push(batchCase(b, 0, `${prefix}${i}`, [images, labels]));
    tf.dispose([b.images, b.foreground, b.labels]);
  }
  return cases;
}

/** Sample `i` of a batch as a case, from the batch's downloaded image (and label) values. */
function batchCase(
  b: Batch,
  i: number,
  id: string,
  [images, labels]: [Float32Array, ArrayLike<number> | undefined],
): Case {
  const s = b.images.shape.slice(1);
  const shape = (s.length === 3 ? [1, ...s] : s) as [number, number, number, number];
  const per = shape.reduce((a, x) => a * x, 1), perMask = per / shape[3];
  return {
    id,
    shape,
    image: images.slice(i * per, (i + 1) * per),
    foreground: new Uint8Array(perMask),
    ...(labels
      ? { label: Uint8Array.from(Array.prototype.slice.call(labels, i * perMask, (i + 1) * perMask)) }
      : {}),
  };
}

/** The nnU-Net bridge for samples of one shape. */
export class NnUnetBridge implements MethodInstance {
  readonly #cfg: NnUnetConfig;
  readonly #settings: RunSettings;
  readonly #channels: number;
  #workDir: string | undefined;

  /** A bridge for samples of `sampleShape` ([H, W, C] or [D, H, W, C]); nnU-Net seeds itself. */
  constructor(cfg: NnUnetConfig, sampleShape: readonly number[], _seed: number) {
    this.#cfg = cfg;
    this.#channels = sampleShape[sampleShape.length - 1]!;
    this.#workDir = cfg.workDir;
    this.#settings = {
      datasetNumber: cfg.datasetNumber,
      configuration: cfg.configuration === "auto"
        ? (sampleShape.length === 3 ? "2d" : "3d_fullres")
        : cfg.configuration,
      trainer: cfg.trainer,
      fold: cfg.fold,
      device: cfg.device,
      processes: cfg.processes,
      ...(cfg.bin ? { bin: cfg.bin } : {}),
    };
  }

  #paths(): NnUnetPaths {
    if (!this.#workDir) throw new Error("nnunet: not trained (no work folder); train or load a state first");
    return nnunetPaths(this.#workDir);
  }

  /**
   * Exports `data.labelled` and trains nnU-Net on it (nnU-Net's own epochs; progress is not reported), in
   * `workDir`, else the run's folder, else a new temporary folder.
   */
  async train(data: TrainData, ctx: TrainContext): Promise<TrainSummary> {
    requireNnUnet(this.#settings.bin);
    if (!data.labelled) {
      throw new Error(
        "nnunet: supervised training needs labelled samples (a dataset with a 'labelled' split)",
      );
    }
    // The model stays where the saved state points: the run's folder when the runner gives one.
    this.#workDir ??= ctx.workDir
      ? join(ctx.workDir, "nnunet")
      : await Deno.makeTempDir({ prefix: "nnunet-" });
    const channels = Array.from({ length: this.#channels }, (_, i) => `channel_${i}`);
    await trainNnUnet(
      this.#paths(),
      this.#settings,
      this.#cfg.datasetName,
      channels,
      await samplesAsCases(data.labelled, "sample"),
      ctx.signal,
    );
    return { steps: 0 };
  }

  /** nnU-Net's anomaly probability per voxel, zero outside the foreground: [B, ...S, C] → [B, ...S]. */
  async score(batch: Batch): Promise<tf.Tensor> {
    requireNnUnet(this.#settings.bin);
    const images = (await batch.images.data()) as Float32Array;
    const cases = Array.from(
      { length: batch.images.shape[0]! },
      (_, i) => batchCase(batch, i, `b${i}`, [images, undefined]),
    );
    const probs = await predictNnUnet(this.#paths(), this.#settings, cases);
    const spatial = batch.images.shape.slice(0, -1);
    const all = new Float32Array(probs.reduce((n, p) => n + p.length, 0));
    probs.forEach((p, i) => all.set(p, i * p.length));
    return tf.tidy(() => tf.mul(tf.tensor(all, spatial), tf.squeeze(batch.foreground, [-1])));
  }

  /** Where the trained model lives (nnU-Net's folders) and how to call it. */
  // Async without awaiting: an untrained bridge rejects, as the contract's save() does, instead of throwing.
  // deno-lint-ignore require-await
  async save(): Promise<MethodState> {
    this.#paths();
    return { tensors: {}, meta: { workDir: this.#workDir, ...this.#settings } };
  }

  /** Points this instance at the folders a saved state names. */
  load(state: MethodState): void {
    const dir = state.meta?.workDir;
    if (typeof dir !== "string") throw new Error("nnunet: saved state has no workDir");
    this.#workDir = dir;
  }

  /** Nothing to free: the model is on disk. */
  dispose(): void {}
}
