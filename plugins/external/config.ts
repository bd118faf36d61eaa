/**
 * The external method's configuration: the programs to run, their environment and limits, and the
 * parameters handed to them.
 * @module
 */
import * as v from "valibot";

const command = v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1, "needs a program"));
/** Seconds up to 24 days (the longest a timer can wait). */
const seconds = v.pipe(v.number(), v.gtValue(0), v.maxValue(2_000_000));

/** Schema of {@linkcode ExternalConfig}; unknown fields are rejected. */
export const externalSchema = v.strictObject({
  /** The train command, e.g. ["python3", "my_method.py", "train"]; the job folder is appended. */
  train: command,
  /** The score command, run once per batch; the job folder is appended. */
  score: command,
  /** Extra environment variables for both commands (the runner's own environment is kept). */
  env: v.optional(v.record(v.string(), v.string()), {}),
  /** Working folder of both commands; default: the runner's. Relative paths in commands resolve here. */
  cwd: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** Free JSON handed to the program as `params` in job.json (its hyper-parameters). */
  params: v.optional(v.record(v.string(), v.unknown()), {}),
  /**
   * More files whose content is part of the cells' identity (modules the program imports); the commands'
   * own arguments that name files are included without being listed.
   */
  files: v.optional(v.array(v.pipe(v.string(), v.minLength(1))), []),
  /** Time limit of the train command (default 48 h). */
  timeoutSeconds: v.optional(seconds, 48 * 3600),
  /** Time limit of each score command (default 10 min). */
  scoreTimeoutSeconds: v.optional(seconds, 600),
  /**
   * Noise samples drawn by the framework's noise source and written to `noise.npy` [K, ...S, C] for
   * programs that use the grid's noise as it is (only for `external-noise`; 0: none).
   */
  noiseSamples: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
});

/** The external method's resolved configuration. */
export type ExternalConfig = v.InferOutput<typeof externalSchema>;
