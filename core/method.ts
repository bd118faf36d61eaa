/**
 * The Method contract: a model that trains on healthy samples and maps inputs to anomaly scores.
 *
 * A method is pure model code: tensors in, tensors out. It never reads or writes files; the runner gives it
 * batches, a progress reporter and a checkpoint callback, and persists the state it returns.
 * @module
 */
import type { Schema } from "./config.ts";
import type { Dims } from "./dataset.ts";
import type { NoiseSource } from "./noise.ts";
import type { ProgressReporter } from "./progress.ts";
import type { Rng } from "./rng.ts";
import type { tf } from "./tf.ts";

/** A batch of samples as tensors; the receiver of a batch disposes it. */
export interface Batch {
  /** [B, H, W, C] (2D) or [B, D, H, W, C] (3D). */
  readonly images: tf.Tensor;
  /** Foreground mask, 0/1, [B, H, W, 1] or [B, D, H, W, 1]. */
  readonly foreground: tf.Tensor;
  /** Ground-truth anomaly mask like `foreground`; only for supervised training and tests. */
  readonly labels?: tf.Tensor;
}

/** An indexable set of samples the runner prepared (held in memory or read on demand from a cache). */
export interface SampleSet {
  /** Number of samples. */
  readonly size: number;
  /** Builds a batch from sample indices. */
  batch(indices: readonly number[]): Batch;
  /** For sets that read from disk: how many upcoming batches `prefetch` wants to hear of. */
  readonly readAhead?: number;
  /**
   * Announces the next batches, in the order they will be asked for, so that a set that reads from disk can
   * read them in the background (bounded). Never changes what `batch` returns.
   */
  prefetch?(upcoming: readonly (readonly number[])[]): void;
}

/** What a method trains on. */
export interface TrainData {
  /** Shape of one sample without the batch axis: [H, W, C] or [D, H, W, C]. */
  readonly sampleShape: readonly number[];
  /** Healthy training samples. */
  readonly train: SampleSet;
  /** Healthy validation samples. */
  readonly validation: SampleSet;
  /** Training samples with ground-truth `labels`, given only to methods whose meta says `supervised`. */
  readonly labelled?: SampleSet;
}

/** Everything a method's training gets from the runner besides data. */
export interface TrainContext {
  /** The active tfjs backend, e.g. "cpu". */
  readonly backend: string;
  /** The run's seed; `rng` is seeded from it. */
  readonly seed: number;
  /** Source of all the method's randomness. */
  readonly rng: Rng;
  /** The noise source, for methods with `usesNoise`. */
  readonly noise?: NoiseSource;
  /** Reports steps, losses and ETA. */
  readonly progress: ProgressReporter;
  /**
   * Persists a checkpoint (the runner decides where): the full training state, from which `resume` continues.
   * Called every `checkpointSeconds` and once more when training stops on `signal`.
   */
  readonly checkpoint: (state: MethodState) => Promise<void>;
  /**
   * Seconds between checkpoints, checked after each step (default {@linkcode DEFAULT_CHECKPOINT_SECONDS};
   * 0: after every step). No checkpoint is written after the last step.
   */
  readonly checkpointSeconds?: number;
  /**
   * A checkpoint written by an interrupted training of the same method, config, data and seed: training
   * continues from it and ends as an uninterrupted run would (bit-identical on the cpu backend). A checkpoint
   * of anything else is refused.
   */
  readonly resume?: MethodState;
  /**
   * Stops training when aborted: the loop writes a checkpoint and throws `TrainingInterrupted`
   * (core/training.ts), so that an interrupted run is never taken for a finished one.
   */
  readonly signal?: AbortSignal;
  /** Called after every step (for `train_log.csv`); keep it cheap. */
  readonly onStep?: (record: StepRecord) => void;
  /**
   * A folder of this run (the runner's run directory) where a method that runs other programs keeps their
   * logs; absent, such a method keeps them in a temporary folder. Pure tensor methods ignore it.
   */
  readonly workDir?: string;
}

/** Default seconds between training checkpoints: a kill loses at most this much training. */
export const DEFAULT_CHECKPOINT_SECONDS = 180;

/** What the training loop reports after each step. */
export interface StepRecord {
  /** Steps finished, 1-based (the last step of a run is its step count). */
  readonly step: number;
  /** The training loss of this step. */
  readonly loss: number;
  /** The learning rate this step used, where the method has one schedule. */
  readonly lr?: number;
  /** The validation loss, on the steps where it was computed. */
  readonly validationLoss?: number;
}

/** A summary the method returns after training. */
export interface TrainSummary {
  /** Optimisation steps the model has been trained for (after a resume, those before it included). */
  readonly steps: number;
  /** The last training loss, where there is one. */
  readonly finalLoss?: number;
  /** Validation loss of the weights training ends with (the best ones with `keepBest`), where computed. */
  readonly validationLoss?: number;
  /** Validation-loss checks made (model selection; the one at the end included). */
  readonly validations?: number;
  /** The step whose weights had the lowest validation loss. */
  readonly bestStep?: number;
  /** That lowest validation loss. */
  readonly bestValidationLoss?: number;
  /** Whether training ended with the weights of `bestStep` (config `keepBest`) rather than the last. */
  readonly keptBest?: boolean;
  /** The step a resumed training continued from. */
  readonly resumedFrom?: number;
}

/** A serialisable method state: named float tensors plus JSON. */
export interface MethodState {
  /** Weights and buffers, by name. */
  readonly tensors: Readonly<
    Record<string, { readonly shape: readonly number[]; readonly values: Float32Array }>
  >;
  /** Any JSON-serialisable extra state (step counters, etc.). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** A configured, possibly trained method. */
export interface MethodInstance {
  /** Trains on healthy data. */
  train(data: TrainData, ctx: TrainContext): Promise<TrainSummary>;
  /** Anomaly maps for a batch: [B, H, W] or [B, D, H, W], zero outside the foreground. Caller disposes. */
  score(batch: Batch): Promise<tf.Tensor>;
  /** The method's restoration of the input ([B, ...S, C]), for methods that restore; used for pictures. */
  reconstruct?(images: tf.Tensor): tf.Tensor;
  /** The state to persist (read back from the device, hence asynchronous). */
  save(): Promise<MethodState>;
  /** Restores a state produced by `save` of an instance with the same config. */
  load(state: MethodState): void;
  /** Frees the method's tensors. */
  dispose(): void;
}

/** Static facts about a method, for listings and the bench. */
export interface MethodMeta {
  /** One line on what it is. */
  readonly description: string;
  /** Dimensionalities the method supports. */
  readonly dims: readonly Dims[];
  /** Whether training draws from a NoiseSource (the bench crosses these with noise types). */
  readonly usesNoise: boolean;
  /** Reference, e.g. "Kascenas et al., MedIA 2023". */
  readonly reference?: string;
  /** Config overrides that make the method tiny and fast, used by the contract test on toy data. */
  readonly testConfig: Readonly<Record<string, unknown>>;
  /** Trains on labelled samples (`TrainData.labelled`, from the dataset's "labelled" split). */
  readonly supervised?: boolean;
  /**
   * Methods that train the same model and differ only in inference (e.g. VAE reconstruction and
   * restoration) name the same `family` and list the config fields that affect training; the runner then
   * trains once per family, training config, data, noise and seed, and reuses the saved state.
   */
  readonly sharedModel?: { readonly family: string; readonly trainingKeys: readonly string[] };
  /**
   * What one run of the method needs from a cluster node (the bench's Slurm executor requests it per
   * cell; a grid can override it). Default: a GPU, and the cluster's default memory.
   */
  readonly resources?: MethodResources;
}

/** A run's needs from a cluster node. */
export interface MethodResources {
  /** Whether the method trains on a GPU (false: a CPU node does; default true). */
  readonly gpu?: boolean;
  /**
   * Host memory for a run at the method's paper preset, GiB, including the training samples held in
   * memory (about 16 GiB for BraTS 2021 at 128×128). Default: none asked (the cluster's default).
   */
  readonly memoryGiB?: number;
}

/** A registered method. */
export interface MethodDefinition<C = unknown> {
  /** Unique id, e.g. "dae". */
  readonly id: string;
  /** Config schema with defaults. */
  readonly schema: Schema<C>;
  /** Static facts. */
  readonly meta: MethodMeta;
  /**
   * Builds an untrained instance for samples of `sampleShape` ([H, W, C] or [D, H, W, C]). `noise` is the
   * run's configured noise source, for methods whose inference draws noise too (diffusion models).
   */
  create(config: C, sampleShape: readonly number[], seed: number, noise?: NoiseSource): MethodInstance;
  /**
   * Files outside the project whose content is part of a cell's identity (an external method's programs):
   * the runner hashes them, so editing one reruns the cells of `config`. Paths as the config gives them
   * (relative ones against the working directory).
   */
  identityFiles?(config: C): readonly string[];
}
