/**
 * Seeded pseudo-random numbers, so that the same seed gives the same data, noise and weights.
 *
 * @example
 * ```ts
 * import { Rng } from "./rng.ts";
 * const a = new Rng(7).normal();
 * const b = new Rng(7).normal();
 * console.assert(a === b);
 * ```
 * @module
 */

/**
 * A generator's complete state: sfc32's four words (unsigned 32-bit) and the spare normal draw, if one is
 * pending. JSON-serialisable, for training checkpoints.
 */
export interface RngState {
  /** sfc32's state words a, b, c, d, each in [0, 2^32). */
  readonly words: readonly [number, number, number, number];
  /** The second value of the last Box–Muller pair, returned by the next `normal()`; absent if none. */
  readonly spare?: number;
}

/** A small, fast, seedable generator (sfc32) with uniform, integer and normal draws. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  #spare: number | undefined;

  /** Seeds the generator; any 32-bit integer (or a string, hashed) gives an independent stream. */
  constructor(seed: number | string) {
    const s = typeof seed === "string" ? hashString(seed) : seed >>> 0;
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = s;
    for (let i = 0; i < 15; i++) this.#next32();
  }

  #next32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** A uniform draw in [0, 1). */
  next(): number {
    return this.#next32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A uniform draw in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A standard normal draw (Box–Muller, the spare value kept). */
  normal(): number {
    if (this.#spare !== undefined) {
      const s = this.#spare;
      this.#spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * this.next();
    this.#spare = r * Math.sin(th);
    return r * Math.cos(th);
  }

  /** A 32-bit integer seed for APIs that take one (e.g. `tf.randomNormal`). */
  seed(): number {
    return this.#next32();
  }

  /** An independent generator derived from this one's next draw and a label. */
  fork(label: string): Rng {
    return new Rng((this.#next32() ^ hashString(label)) >>> 0);
  }

  /**
   * The generator's state: a generator given it by {@linkcode importState} continues with the same draws.
   *
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * const a = new Rng(1);
   * a.normal();
   * const b = new Rng(2);
   * b.importState(JSON.parse(JSON.stringify(a.exportState())));
   * console.assert(a.normal() === b.normal() && a.next() === b.next());
   * ```
   */
  exportState(): RngState {
    const words = [this.#a >>> 0, this.#b >>> 0, this.#c >>> 0, this.#d >>> 0] as const;
    return this.#spare === undefined ? { words } : { words, spare: this.#spare };
  }

  /** Continues from a state written by {@linkcode exportState}; a malformed state is an error. */
  importState(state: RngState): void {
    const w = state?.words;
    const word = (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) < 2 ** 32;
    if (!Array.isArray(w) || w.length !== 4 || !w.every(word)) {
      throw new Error(
        `random generator state: 'words' must be four integers in [0, 2^32), got ${JSON.stringify(w)}`,
      );
    }
    if (state.spare !== undefined && !Number.isFinite(state.spare)) {
      throw new Error(`random generator state: 'spare' must be a finite number, got ${state.spare}`);
    }
    [this.#a, this.#b, this.#c, this.#d] = w.map((x) => x | 0) as [number, number, number, number];
    this.#spare = state.spare;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/** FNV-1a hash of a string, as a 32-bit unsigned integer. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
