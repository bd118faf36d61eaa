/**
 * A named set of trainable tensors with seeded initialisation and (de)serialisation.
 * @module
 */
import type { MethodState } from "../method.ts";
import type { Rng } from "../rng.ts";
import { tf } from "../tf.ts";

/**
 * Trainable parameters by name.
 *
 * @example
 * ```ts
 * import { Params } from "./params.ts";
 * import { Rng } from "../rng.ts";
 * const p = new Params(new Rng(0));
 * const w = p.uniform("w", [3, 3, 1, 8], 9);
 * console.assert(w.shape.length === 4);
 * p.dispose();
 * ```
 */
export class Params {
  readonly #vars = new Map<string, tf.Variable>();
  readonly #rng: Rng;

  /** Parameters initialised from `rng`. */
  constructor(rng: Rng) {
    this.#rng = rng;
  }

  /** A new parameter drawn from U(−1/√fanIn, 1/√fanIn) (PyTorch's default for conv and linear layers). */
  uniform(name: string, shape: readonly number[], fanIn: number): tf.Variable {
    const bound = 1 / Math.sqrt(fanIn);
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = this.#rng.uniform(-bound, bound);
    return this.#add(name, tf.tensor(values, [...shape]));
  }

  /** A new parameter filled with `value` (e.g. normalisation scales and shifts). */
  constant(name: string, shape: readonly number[], value: number): tf.Variable {
    return this.#add(name, tf.fill([...shape], value));
  }

  #add(name: string, init: tf.Tensor): tf.Variable {
    if (this.#vars.has(name)) throw new Error(`parameter '${name}' defined twice`);
    const v = tf.variable(init, true, `${name}_${crypto.randomUUID()}`);
    init.dispose();
    this.#vars.set(name, v);
    return v;
  }

  /** The parameter called `name`. */
  get(name: string): tf.Variable {
    const v = this.#vars.get(name);
    if (!v) throw new Error(`no parameter '${name}'`);
    return v;
  }

  /** All parameters, in definition order. */
  list(): tf.Variable[] {
    return [...this.#vars.values()];
  }

  /** Parameter names, in definition order (the order of {@linkcode list}). */
  names(): string[] {
    return [...this.#vars.keys()];
  }

  /** Total number of scalar weights. */
  count(): number {
    return this.list().reduce((n, v) => n + v.size, 0);
  }

  /**
   * Copies every parameter out as plain arrays, for {@linkcode MethodState}. Asynchronous: GPU backends have
   * no synchronous read in Deno.
   */
  async toState(prefix = ""): Promise<Record<string, { shape: number[]; values: Float32Array }>> {
    // All reads requested at once: one wait for the device instead of one per parameter.
    const vars = [...this.#vars];
    const values = await Promise.all(vars.map(([, v]) => v.data() as Promise<Float32Array>));
    const out: Record<string, { shape: number[]; values: Float32Array }> = {};
    vars.forEach(([name, v], i) => {
      out[prefix + name] = { shape: [...v.shape], values: new Float32Array(values[i]!) };
    });
    return out;
  }

  /** Assigns every parameter from a state; a missing name or a shape mismatch is an error. */
  fromState(tensors: MethodState["tensors"], prefix = ""): void {
    for (const [name, v] of this.#vars) {
      const t = tensors[prefix + name];
      if (!t) throw new Error(`state has no tensor '${prefix + name}'`);
      if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
        throw new Error(`state tensor '${prefix + name}' has shape [${t.shape}], expected [${v.shape}]`);
      }
      tf.tidy(() => v.assign(tf.tensor(t.values, [...t.shape])));
    }
  }

  /** Frees every parameter. */
  dispose(): void {
    for (const v of this.#vars.values()) v.dispose();
    this.#vars.clear();
  }
}
