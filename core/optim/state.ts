/**
 * Optimiser state for training checkpoints: the step count and each per-variable buffer ("slot", e.g. Adam's
 * first moment m), read back from the device and assigned again on resume.
 * @module
 */
import { tf } from "../tf.ts";

/** One buffer as plain values. */
export interface SlotValues {
  /** The buffer's shape (its variable's). */
  readonly shape: readonly number[];
  /** Its values, a copy owned by the state. */
  readonly values: Float32Array;
}

/** An optimiser's complete state. */
export interface OptimiserState {
  /** Updates applied so far (Adam's t). */
  readonly steps: number;
  /** Buffers by slot name, one per optimised variable, in the optimiser's variable order. */
  readonly slots: Readonly<Record<string, readonly SlotValues[]>>;
}

/** An optimiser whose state can be saved and restored, so that training resumes bit-identically. */
export interface StatefulOptimiser {
  /** The state (read from the device, hence asynchronous). */
  exportState(): Promise<OptimiserState>;
  /** Continues from a state exported by an optimiser over the same variables with the same settings. */
  importState(state: OptimiserState): void;
}

/** Copies every slot buffer out, all reads requested at once (one device wait). */
export async function readSlots(
  slots: Readonly<Record<string, readonly tf.Variable[]>>,
): Promise<Record<string, SlotValues[]>> {
  const entries = Object.entries(slots);
  const values = await Promise.all(
    entries.map(([, vars]) => Promise.all(vars.map((v) => v.data() as Promise<Float32Array>))),
  );
  return Object.fromEntries(
    entries.map(([name, vars], s) => [
      name,
      vars.map((v, i) => ({ shape: [...v.shape], values: new Float32Array(values[s]![i]!) })),
    ]),
  );
}

/**
 * Assigns every slot buffer from `state`; `what` names the optimiser in errors. The state must have exactly
 * these slots, one buffer per variable, each of the variable's shape.
 */
export function assignSlots(
  what: string,
  slots: Readonly<Record<string, readonly tf.Variable[]>>,
  state: OptimiserState,
): void {
  const want = Object.keys(slots).sort().join(", ");
  const got = Object.keys(state.slots ?? {}).sort().join(", ");
  if (want !== got) throw new Error(`${what}: the saved state has slots [${got}], expected [${want}]`);
  if (!Number.isInteger(state.steps) || state.steps < 0) {
    throw new Error(`${what}: the saved step count ${state.steps} is not a non-negative integer`);
  }
  for (const [name, vars] of Object.entries(slots)) {
    const saved = state.slots[name]!;
    if (saved.length !== vars.length) {
      throw new Error(`${what}: slot '${name}' has ${saved.length} buffers for ${vars.length} variables`);
    }
    vars.forEach((v, i) => {
      const s = saved[i]!;
      if (s.shape.join() !== v.shape.join() || s.values.length !== v.size) {
        throw new Error(`${what}: slot '${name}' buffer ${i} has shape [${s.shape}], expected [${v.shape}]`);
      }
    });
  }
  tf.tidy(() => {
    for (const [name, vars] of Object.entries(slots)) {
      vars.forEach((v, i) => v.assign(tf.tensor(state.slots[name]![i]!.values, v.shape)));
    }
  });
}
