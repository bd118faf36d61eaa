/**
 * The external method: a MethodInstance whose training and scoring are done by other programs through the
 * file protocol (`protocol.ts`). Training writes the samples, runs the train command and keeps the model
 * folder it fills; scoring writes each batch, runs the score command and reads the scores back. The model
 * folder's files are the saved state.
 * @module
 */
import { isAbsolute, join } from "node:path";
import type {
  Batch,
  MethodInstance,
  MethodState,
  TrainContext,
  TrainData,
  TrainSummary,
} from "../../core/mod.ts";
import { tf } from "../../core/mod.ts";
import { writeNpy } from "../../core/npy/mod.ts";
import type { ExternalConfig } from "./config.ts";
import { folderToState, stateToFolder } from "./model_files.ts";
import { runProgram, showCommand } from "../../core/subprocess.ts";
import {
  checkModelWritten,
  PROTOCOL,
  readScores,
  readSummary,
  type SampleFiles,
  writeJob,
  writeNoiseSamples,
  writeSampleSet,
} from "./protocol.ts";

/** What distinguishes the registered external methods. */
export interface ExternalVariant {
  /** The registered id. */
  readonly id: string;
  /** Trained with the grid's noise source (its settings go to the program). */
  readonly usesNoise: boolean;
  /** Trained on labelled samples too. */
  readonly supervised: boolean;
}

/** Files whose content is part of a cell's identity: the commands' arguments that are files, and `files`. */
export function externalIdentityFiles(cfg: ExternalConfig): string[] {
  const at = (p: string) => (cfg.cwd && !isAbsolute(p) ? join(cfg.cwd, p) : p);
  const isFile = (p: string) => {
    try {
      return Deno.statSync(at(p)).isFile;
    } catch {
      return false;
    }
  };
  for (const f of cfg.files) {
    if (!isFile(f)) throw new Error(`external: files: '${at(f)}' is not a file`);
  }
  const named = [...cfg.train, ...cfg.score].filter(isFile);
  return [...new Set([...named, ...cfg.files].map(at))];
}

/** A method run by external programs, for samples of one shape. */
export class ExternalMethod implements MethodInstance {
  readonly #cfg: ExternalConfig;
  readonly #variant: ExternalVariant;
  readonly #sampleShape: readonly number[];
  /** Holds `model/` and the logs: the run's folder when the runner gives one, else a temporary folder. */
  #home: string | undefined;
  #ownsHome = false;
  /** Whether `model/` holds a trained model. */
  #ready = false;
  /** A loaded state whose files are written at the first score (load is synchronous, writing is not). */
  #pending: MethodState | undefined;

  /** An untrained instance for samples of `sampleShape` ([H, W, C] or [D, H, W, C]). */
  constructor(cfg: ExternalConfig, sampleShape: readonly number[], variant: ExternalVariant) {
    this.#cfg = cfg;
    this.#sampleShape = sampleShape;
    this.#variant = variant;
  }

  get #dims(): 2 | 3 {
    return this.#sampleShape.length === 3 ? 2 : 3;
  }

  get #model(): string {
    return join(this.#home!, "model");
  }

  async #ensureHome(workDir?: string): Promise<string> {
    if (this.#home) return this.#home;
    if (workDir) {
      this.#home = join(workDir, "external");
      await Deno.mkdir(this.#home, { recursive: true });
    } else {
      this.#home = await Deno.makeTempDir({ prefix: "uad-external-" });
      this.#ownsHome = true;
    }
    return this.#home;
  }

  /** The commands' environment: the config's, plus the protocol's variables. */
  #env(job: string): Record<string, string> {
    return { PYTHONUNBUFFERED: "1", ...this.#cfg.env, UAD_PROTOCOL: PROTOCOL, UAD_JOB: job };
  }

  /** Writes the samples (and noise), runs the train command, and checks what it wrote. */
  async train(data: TrainData, ctx: TrainContext): Promise<TrainSummary> {
    const { id, usesNoise, supervised } = this.#variant;
    if (supervised && !data.labelled) {
      throw new Error(
        `${id}: supervised training needs labelled samples (a dataset with a 'labelled' split)`,
      );
    }
    if (usesNoise && !ctx.noise) throw new Error(`${id}: training needs the grid's noise source`);
    if (this.#cfg.noiseSamples > 0 && !usesNoise) {
      throw new Error(`${id}: noiseSamples needs a method that uses noise (external-noise)`);
    }
    const home = await this.#ensureHome(ctx.workDir);
    await Deno.remove(this.#model, { recursive: true }).catch(() => {});
    await Deno.mkdir(this.#model);
    this.#ready = false;
    const job = await Deno.makeTempDir({ prefix: "uad-external-train-" });
    try {
      const shape = data.sampleShape;
      const sets: { train: SampleFiles; validation: SampleFiles; labelled?: SampleFiles } = {
        train: await writeSampleSet(data.train, shape, job, "train"),
        validation: await writeSampleSet(data.validation, shape, job, "validation"),
        ...(supervised
          ? { labelled: await writeSampleSet(data.labelled!, shape, job, "labelled", true) }
          : {}),
      };
      const noise = usesNoise ? ctx.noise! : undefined;
      const noiseFile = noise && this.#cfg.noiseSamples > 0
        ? await writeNoiseSamples(noise, this.#cfg.noiseSamples, shape, ctx.rng.fork("external-noise"), job)
        : null;
      const summaryFile = join(job, "summary.json");
      await writeJob(job, {
        protocol: PROTOCOL,
        task: "train",
        dims: this.#dims,
        sampleShape: shape,
        params: this.#cfg.params,
        model: this.#model,
        seed: ctx.seed,
        noise: noise ? { id: noise.id, config: noise.config ?? null } : null,
        noiseSamples: noiseFile,
        data: sets,
        summary: summaryFile,
      });
      const argv = [...this.#cfg.train, job];
      await runProgram({
        task: "external train",
        argv,
        ...(this.#cfg.cwd ? { cwd: this.#cfg.cwd } : {}),
        env: this.#env(job),
        timeoutSeconds: this.#cfg.timeoutSeconds,
        log: join(home, "train.log"),
        onProgress: (p) => reportProgress(ctx, p),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      ctx.progress.finish();
      await checkModelWritten(this.#model, showCommand(argv));
      const summary = await readSummary(summaryFile);
      this.#ready = true;
      this.#pending = undefined;
      return summary;
    } finally {
      await Deno.remove(job, { recursive: true }).catch(() => {});
    }
  }

  /** Anomaly maps from the score command, zero outside the foreground: [B, ...S, C] → [B, ...S]. */
  async score(batch: Batch): Promise<tf.Tensor> {
    await this.#materialise();
    const [count, ...sampleShape] = batch.images.shape;
    const spatial = sampleShape.slice(0, -1);
    const job = await Deno.makeTempDir({ prefix: "uad-external-score-" });
    try {
      const images = join(job, "images.npy"), foreground = join(job, "foreground.npy");
      const scores = join(job, "scores.npy");
      const fg = (await batch.foreground.data()) as Float32Array;
      await writeNpy(images, "<f4", [count!, ...sampleShape], [(await batch.images.data()) as Float32Array]);
      await writeNpy(foreground, "|u1", [count!, ...spatial], [
        Uint8Array.from(fg, (x) => (x > 0.5 ? 1 : 0)),
      ]);
      await writeJob(job, {
        protocol: PROTOCOL,
        task: "score",
        dims: this.#dims,
        sampleShape,
        params: this.#cfg.params,
        model: this.#model,
        images,
        foreground,
        count: count!,
        scores,
      });
      const argv = [...this.#cfg.score, job];
      await runProgram({
        task: "external score",
        argv,
        ...(this.#cfg.cwd ? { cwd: this.#cfg.cwd } : {}),
        env: this.#env(job),
        timeoutSeconds: this.#cfg.scoreTimeoutSeconds,
        log: join(this.#home!, "score.log"),
      });
      const values = await readScores(scores, [count!, ...spatial], showCommand(argv));
      // The contract's zero outside the foreground is the bridge's job, not every program's.
      for (let i = 0; i < values.length; i++) if (!(fg[i]! > 0.5)) values[i] = 0;
      return tf.tensor(values, [count!, ...spatial]);
    } finally {
      await Deno.remove(job, { recursive: true }).catch(() => {});
    }
  }

  /** Writes a loaded state's model files, once, before the first score. */
  async #materialise(): Promise<void> {
    if (this.#pending) {
      await this.#ensureHome();
      await Deno.remove(this.#model, { recursive: true }).catch(() => {});
      await Deno.mkdir(this.#model);
      await stateToFolder(this.#pending, this.#model);
      this.#pending = undefined;
      this.#ready = true;
    }
    if (!this.#ready) throw new Error(`${this.#variant.id}: not trained; train or load a state first`);
  }

  /** The model folder's files (and the protocol version). */
  async save(): Promise<MethodState> {
    if (this.#pending) return this.#pending;
    if (!this.#ready) throw new Error(`${this.#variant.id}: nothing to save before training`);
    return await folderToState(this.#model, { protocol: PROTOCOL });
  }

  /** Takes a state from {@linkcode save}; its files are written and checked at the first score. */
  load(state: MethodState): void {
    if (state.meta?.protocol !== PROTOCOL) {
      throw new Error(
        `${this.#variant.id}: the saved state is not an external model of protocol ${PROTOCOL} ` +
          `(found ${JSON.stringify(state.meta?.protocol ?? null)})`,
      );
    }
    this.#pending = state;
    this.#ready = false;
  }

  /** Removes the temporary folder (a run's folder is kept). */
  dispose(): void {
    if (this.#ownsHome && this.#home) Deno.removeSync(this.#home, { recursive: true });
    this.#home = undefined;
    this.#ownsHome = false;
    this.#ready = false;
  }
}

/** Passes a program's `@progress {"step", "steps", ...}` line to the progress reporter. */
function reportProgress(ctx: TrainContext, p: Readonly<Record<string, unknown>>): void {
  const step = Number(p.step);
  if (!Number.isFinite(step)) return;
  const info: Record<string, number | string> = {};
  for (const [k, x] of Object.entries(p)) {
    if (k !== "step" && k !== "steps" && (typeof x === "number" || typeof x === "string")) info[k] = x;
  }
  ctx.progress.update(step, Number.isFinite(Number(p.steps)) ? Number(p.steps) : 0, info);
}
