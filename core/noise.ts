/**
 * The NoiseSource contract: seeded noise of a given shape, used to corrupt training inputs.
 * @module
 */
import type { Schema } from "./config.ts";
import type { Rng } from "./rng.ts";
import type { tf } from "./tf.ts";

/** A configured noise generator. */
export interface NoiseSource {
  /** The registered id, e.g. "coarse". */
  readonly id: string;
  /** The parsed config it was created with, for programs outside the framework that draw noise themselves. */
  readonly config?: Readonly<Record<string, unknown>>;
  /**
   * Draws noise of `shape` ([B, H, W, C] or [B, D, H, W, C]); the same rng state gives the same tensor.
   * The caller owns (and disposes) the returned tensor. Applying it only inside the foreground is the
   * caller's job.
   */
  sample(shape: readonly number[], rng: Rng): tf.Tensor;
}

/** A registered noise type. */
export interface NoiseDefinition<C = unknown> {
  /** Unique id, e.g. "gaussian". */
  readonly id: string;
  /** One line on what it is. */
  readonly description: string;
  /** Config schema with defaults. */
  readonly schema: Schema<C>;
  /** Builds a noise source from a parsed config. */
  create(config: C): NoiseSource;
}
