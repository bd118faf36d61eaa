/**
 * Meissen et al.'s thresholding baseline: the anomaly map is the histogram-equalised FLAIR intensity inside
 * the foreground (bright FLAIR lesions are anomalies), median filtered as Kascenas et al. post-process maps.
 * @module
 */
import {
  type Batch,
  finishScoreMap,
  type MethodInstance,
  type MethodState,
  tf,
  type TrainSummary,
} from "../../core/mod.ts";
import type { ThresholdingConfig } from "./config.ts";
import { equaliseHistogram } from "./equalise.ts";

/** The thresholding method for samples of one shape; it has no weights. */
export class Thresholding implements MethodInstance {
  readonly #cfg: ThresholdingConfig;

  /** Checks that the configured channel exists in samples of `sampleShape` ([H, W, C] or [D, H, W, C]). */
  constructor(cfg: ThresholdingConfig, sampleShape: readonly number[]) {
    const channels = sampleShape[sampleShape.length - 1]!;
    if (cfg.channel >= channels) {
      throw new Error(
        `thresholding: channel ${cfg.channel} does not exist; samples have ${channels} channel(s)`,
      );
    }
    this.#cfg = cfg;
  }

  /** Nothing to learn. */
  train(): Promise<TrainSummary> {
    return Promise.resolve({ steps: 0 });
  }

  /**
   * Equalised intensity of the configured channel over the foreground (per batch or per sample), median
   * filtered, zero outside the foreground. [B, ...S, C] → [B, ...S].
   */
  async score(batch: Batch): Promise<tf.Tensor> {
    const c = this.#cfg;
    const shape = batch.images.shape.slice(0, -1); // [B, ...S]
    const channel = tf.tidy(() => {
      const begin = batch.images.shape.map((_, i) => (i === batch.images.rank - 1 ? c.channel : 0));
      const size = batch.images.shape.map((d, i) => (i === batch.images.rank - 1 ? 1 : d));
      return tf.slice(batch.images, begin, size);
    });
    const [values, fg] = await Promise.all([channel.data(), batch.foreground.data()]) as Float32Array[];
    channel.dispose();
    let equalised: Float32Array;
    if (c.equaliseOver === "batch") equalised = equaliseHistogram(values!, fg!, c.bins);
    else {
      equalised = new Float32Array(values!.length);
      const per = values!.length / shape[0]!;
      for (let b = 0; b < shape[0]!; b++) {
        const part = (a: Float32Array) => a.subarray(b * per, (b + 1) * per);
        equalised.set(equaliseHistogram(part(values!), part(fg!), c.bins), b * per);
      }
    }
    return finishScoreMap(tf.tensor(equalised, shape), batch.foreground, c.medianKernel);
  }

  /** An empty state. */
  save(): Promise<MethodState> {
    return Promise.resolve({ tensors: {} });
  }

  /** Accepts only an empty state (this method has no weights). */
  load(state: MethodState): void {
    const names = Object.keys(state.tensors);
    if (names.length > 0) {
      throw new Error(`thresholding: has no weights, but the state holds [${names.join(", ")}]`);
    }
  }

  /** Nothing to free. */
  dispose(): void {}
}
