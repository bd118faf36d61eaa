/**
 * Training checkpoints: everything a training needs to continue bit-identically, as one {@linkcode MethodState}.
 *
 * Layout (what the runner writes to `checkpoint.state` and hands back as `TrainContext.resume`):
 * - tensors: the model's own state under the names its `save()` gives (so a checkpoint also loads as a
 *   model); `optimiser/<name>/<slot>/<k>` for each optimiser's buffers (Adam: m, v, vmax; RMSProp: ms; k the
 *   variable's index in the optimiser); `best/<weight>` for the best weights kept by model selection.
 * - meta: the model's own meta keys, plus `checkpoint` ({@linkcode CheckpointMeta}): format, identity,
 *   step, phase, generator states, batch positions, optimiser step counts and model-selection state.
 * @module
 */
import type { BatchStream, BatchStreamState } from "./batch_stream.ts";
import type { MethodState } from "./method.ts";
import type { ModelSelection, SelectionState } from "./model_selection.ts";
import type { Params } from "./nn/params.ts";
import type { OptimiserState, StatefulOptimiser } from "./optim/state.ts";
import type { Rng, RngState } from "./rng.ts";
import type { tf } from "./tf.ts";

/** The value of `meta.checkpoint.format`. */
export const CHECKPOINT_FORMAT = "uad-checkpoint-1";

/** The prefix of optimiser buffers' tensors. */
export const OPTIMISER_PREFIX = "optimiser/";

/** The name the loop gives the run's generator (`ctx.rng`) and its batch stream. */
export const MAIN = "train";

/** What identifies a training: a checkpoint resumes only a training with equal identity. */
export interface TrainIdentity {
  /** The method id, e.g. "dae". */
  readonly method: string;
  /** The method's resolved config. */
  readonly config: unknown;
  /** Shape of one sample without the batch axis. */
  readonly sampleShape: readonly number[];
}

/** The parts of a training's state besides the loop's own, as the method names them. */
export interface TrainState {
  /** Who trains what; the loop adds the seed, the noise type and the number of training samples. */
  readonly identity: TrainIdentity;
  /** The model's state (the method's `save`). */
  readonly save: () => Promise<MethodState>;
  /** Restores the model's state (the method's `load`). */
  readonly load: (state: MethodState) => void;
  /** Every variable model selection keeps a copy of, by name (see {@linkcode variablesByName}). */
  readonly weights: () => Readonly<Record<string, tf.Variable>>;
  /** The optimisers, by name. */
  readonly optimisers: Readonly<Record<string, StatefulOptimiser>>;
  /** Generators besides `ctx.rng` (forks the method draws from), by name. */
  readonly rngs?: Readonly<Record<string, Rng>>;
  /** Batch streams besides the loop's, by name. */
  readonly streams?: Readonly<Record<string, BatchStream>>;
  /** The training phase after a given number of steps (multi-phase training), recorded for people. */
  readonly phase?: (step: number) => string;
}

/** `meta.checkpoint` of a checkpoint. */
export interface CheckpointMeta {
  /** {@linkcode CHECKPOINT_FORMAT}. */
  readonly format: string;
  /** The training's identity (method, config, sampleShape, seed, noise, samples). */
  readonly identity: Readonly<Record<string, unknown>>;
  /** Steps finished; training continues with step `step + 1`. */
  readonly step: number;
  /** Steps the training runs in all. */
  readonly steps: number;
  /** The phase at `step`, for multi-phase methods. */
  readonly phase?: string;
  /** Generator states by name (`train` is the run's `ctx.rng`). */
  readonly rngs: Readonly<Record<string, RngState>>;
  /** Batch stream positions by name (`train` is the loop's). */
  readonly batches: Readonly<Record<string, BatchStreamState>>;
  /** Optimiser step counts and slot names by optimiser name (buffers are tensors). */
  readonly optimisers: Readonly<
    Record<string, { readonly steps: number; readonly slots: readonly string[] }>
  >;
  /** Model-selection state. */
  readonly selection: SelectionState;
}

/** A Params' variables by name, with a prefix (the names its `toState(prefix)` writes). */
export function variablesByName(params: Params, prefix = ""): Record<string, tf.Variable> {
  const vars = params.list();
  return Object.fromEntries(params.names().map((n, i) => [prefix + n, vars[i]!]));
}

/** Everything {@linkcode writeCheckpoint} and {@linkcode readCheckpoint} work on. */
export interface CheckpointParts {
  /** The method's parts. */
  readonly state: TrainState;
  /** The full identity (method's plus the loop's). */
  readonly identity: Readonly<Record<string, unknown>>;
  /** All generators, `train` included. */
  readonly rngs: Readonly<Record<string, Rng>>;
  /** All batch streams, `train` included. */
  readonly streams: Readonly<Record<string, BatchStream>>;
  /** Model selection. */
  readonly selection: ModelSelection;
  /** Steps the training runs in all. */
  readonly steps: number;
}

/** The checkpoint after `step` finished steps. */
export async function writeCheckpoint(p: CheckpointParts, step: number): Promise<MethodState> {
  const optimisers = Object.entries(p.state.optimisers);
  const [model, selection, ...exported] = await Promise.all([
    p.state.save(),
    p.selection.exportState(),
    ...optimisers.map(([, o]) => o.exportState()),
  ]) as [MethodState, Awaited<ReturnType<ModelSelection["exportState"]>>, ...OptimiserState[]];
  const tensors: Record<string, { readonly shape: readonly number[]; readonly values: Float32Array }> = {
    ...model.tensors,
  };
  const add = (name: string, t: { readonly shape: readonly number[]; readonly values: Float32Array }) => {
    if (name in tensors) throw new Error(`checkpoint: two tensors named '${name}'`);
    tensors[name] = t;
  };
  optimisers.forEach(([name, _], i) => {
    for (const [slot, buffers] of Object.entries(exported[i]!.slots)) {
      buffers.forEach((b, k) => add(`${OPTIMISER_PREFIX}${name}/${slot}/${k}`, b));
    }
  });
  for (const [name, t] of Object.entries(selection.tensors)) add(name, t);
  const meta: CheckpointMeta = {
    format: CHECKPOINT_FORMAT,
    identity: p.identity,
    step,
    steps: p.steps,
    ...(p.state.phase ? { phase: p.state.phase(step) } : {}),
    rngs: Object.fromEntries(Object.entries(p.rngs).map(([n, r]) => [n, r.exportState()])),
    batches: Object.fromEntries(Object.entries(p.streams).map(([n, s]) => [n, s.exportState()])),
    optimisers: Object.fromEntries(
      optimisers.map(([name, _], i) => [
        name,
        { steps: exported[i]!.steps, slots: Object.keys(exported[i]!.slots) },
      ]),
    ),
    selection: selection.meta,
  };
  return { tensors, meta: { ...model.meta, checkpoint: meta } };
}

/**
 * Restores every part from `checkpoint` after checking that it was written by a training with the same
 * identity; returns the step to continue after. Errors say what differs.
 */
export function readCheckpoint(p: CheckpointParts, checkpoint: MethodState): number {
  const c = checkpoint.meta?.checkpoint as CheckpointMeta | undefined;
  if (!c || c.format !== CHECKPOINT_FORMAT) {
    throw new Error(
      `cannot resume: not a training checkpoint (meta.checkpoint.format is ${
        JSON.stringify(c?.format)
      }, expected '${CHECKPOINT_FORMAT}'); a model state cannot be resumed`,
    );
  }
  const differences = identityDifferences(c.identity, p.identity);
  if (differences.length > 0) {
    throw new Error(
      `cannot resume: the checkpoint was written by another training (${differences.join("; ")})`,
    );
  }
  if (!Number.isInteger(c.step) || c.step < 0 || c.step >= p.steps) {
    throw new Error(`cannot resume: the checkpoint's step ${c.step} is outside [0, ${p.steps})`);
  }
  const phase = p.state.phase?.(c.step);
  if (phase !== c.phase) {
    throw new Error(`cannot resume: the checkpoint's phase '${c.phase}' is not '${phase}' at step ${c.step}`);
  }
  requireNames("generator", c.rngs, p.rngs);
  requireNames("batch stream", c.batches, p.streams);
  requireNames("optimiser", c.optimisers, p.state.optimisers);

  p.state.load(checkpoint);
  for (const [name, o] of Object.entries(p.state.optimisers)) {
    const saved = c.optimisers[name]!;
    const slots = Object.fromEntries(
      (saved.slots ?? []).map((slot) => [slot, optimiserBuffers(checkpoint, name, slot)]),
    );
    o.importState({ steps: saved.steps, slots });
  }
  for (const [name, r] of Object.entries(p.rngs)) r.importState(c.rngs[name]!);
  for (const [name, s] of Object.entries(p.streams)) s.importState(c.batches[name]!);
  p.selection.importState(c.selection, checkpoint.tensors);
  return c.step;
}

/** Buffers `optimiser/<name>/<slot>/0, 1, …` in order. */
function optimiserBuffers(state: MethodState, name: string, slot: string): MethodState["tensors"][string][] {
  const out = [];
  for (let k = 0;; k++) {
    const t = state.tensors[`${OPTIMISER_PREFIX}${name}/${slot}/${k}`];
    if (!t) return out;
    out.push(t);
  }
}

function requireNames(what: string, saved: unknown, want: Readonly<Record<string, unknown>>): void {
  const got = Object.keys((saved ?? {}) as object).sort().join(", ");
  const expected = Object.keys(want).sort().join(", ");
  if (got !== expected) {
    throw new Error(`cannot resume: the checkpoint has ${what}s [${got}], this training [${expected}]`);
  }
}

/** Differences between two identities, e.g. `method: 'dae' ≠ 'vae'`, `config.lr: 0.001 ≠ 0.0001`. */
function identityDifferences(
  saved: Readonly<Record<string, unknown>> | undefined,
  current: Readonly<Record<string, unknown>>,
): string[] {
  const out: string[] = [];
  const compare = (path: string, a: unknown, b: unknown) => {
    if (canonical(a) !== canonical(b)) {
      out.push(`${path}: ${canonical(a) ?? "absent"} ≠ ${canonical(b) ?? "absent"}`);
    }
  };
  const keys = new Set([...Object.keys(saved ?? {}), ...Object.keys(current)]);
  for (const key of keys) {
    const a = saved?.[key], b = current[key];
    if (key === "config" && isObject(a) && isObject(b)) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) compare(`config.${k}`, a[k], b[k]);
    } else compare(key, a, b);
  }
  return out;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** JSON with sorted keys (undefined fields dropped, as JSON drops them): equal values, equal text. */
function canonical(x: unknown): string | undefined {
  return JSON.stringify(
    x,
    (_, v) => isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}
