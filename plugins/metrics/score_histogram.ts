/**
 * Exact counts of positive and negative pixels per distinct score, visited from the highest score down: the
 * one thing every threshold-free curve metric (AP, AUROC, PR trapezoid) needs, without sorting pixels.
 *
 * Float32 scores are keyed by an order-preserving map of their bit pattern: the high 16 bits pick a bucket,
 * the low 16 bits are kept per bucket, first as a sparse list (2 bytes per pixel) and, once a bucket holds
 * more than 65,536 pixels, as a dense table of 65,536 counts (256 KiB). Float16-cast scores need only one
 * table of 65,536 counts per class.
 * @module
 */
import { FLOAT16_VALUES, float32BitsToFloat16Bits } from "./float16.ts";

/** Called once per distinct score, from the highest down, with the number of pixels of each class. */
export type CountVisitor = (value: number, positives: number, negatives: number) => void;

/** Counts of (score, label) pixels that can be visited in descending score order. */
export interface ScoreCounts {
  /** Number of pixels with label 1. */
  readonly positives: number;
  /** Number of pixels with label 0. */
  readonly negatives: number;
  /** Adds pixels; `labels` absent means every pixel is negative (healthy). Inputs must already be valid. */
  addPixels(scores: Float32Array, labels?: Uint8Array): void;
  /** Visits every distinct score, highest first. */
  sweepDescending(visit: CountVisitor): void;
}

/** Most pixels a histogram accepts: dense per-value tables count in 32 bits. */
export const MAX_PIXELS = 0xffffffff;

const SPARSE_MAX = 65536;
const SORT_LIMIT = 16384;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 value of an order-preserving 32-bit key. */
function keyToValue(key: number): number {
  u32[0] = (key & 0x80000000) !== 0 ? key & 0x7fffffff : ~key;
  return f32[0]!;
}

/**
 * Exact per-value counts of float32 scores. Memory: at most 4 bytes per pixel (sparse lists grow by
 * doubling; a dense table holds more than 65,536 pixels) and never more than 256 KiB per (high-16-bit key,
 * class) pair in use, plus 1.5 MiB of fixed tables and 6 bytes per pixel of the largest batch as scratch.
 */
export class Float32Histogram implements ScoreCounts {
  #positives = 0;
  #negatives = 0;
  // Bucket index = (high 16 bits of the key) * 2 + label.
  readonly #sparse: (Uint16Array | undefined)[] = new Array(131072).fill(undefined);
  readonly #dense: (Uint32Array | undefined)[] = new Array(131072).fill(undefined);
  readonly #fill = new Int32Array(131072);
  readonly #scratchPos = new Uint32Array(65536);
  readonly #scratchNeg = new Uint32Array(65536);
  // Per-batch scratch for the counting sort, grown to the largest batch.
  readonly #batchCount = new Int32Array(131072);
  readonly #touched = new Int32Array(131072);
  #keys = new Int32Array(0);
  #lows = new Uint16Array(0);

  /** Number of pixels with label 1. */
  get positives(): number {
    return this.#positives;
  }
  /** Number of pixels with label 0. */
  get negatives(): number {
    return this.#negatives;
  }

  /** Adds pixels; `labels` absent means every pixel is negative. */
  addPixels(scores: Float32Array, labels?: Uint8Array): void {
    const n = scores.length;
    if (this.#positives + this.#negatives + n > MAX_PIXELS) {
      throw new Error(`score histogram: more than ${MAX_PIXELS} pixels`);
    }
    if (this.#keys.length < n) {
      this.#keys = new Int32Array(n);
      this.#lows = new Uint16Array(n);
    }
    const bits = new Int32Array(scores.buffer, scores.byteOffset, n);
    const keys = this.#keys;
    const count = this.#batchCount;
    const touched = this.#touched;
    let nTouched = 0;
    let pos = 0;
    // Pass 1: bucket index and low bits per pixel, counted per bucket. Buckets are then filled run by run,
    // so that each dense table is hit in one burst (random access over all tables would miss cache).
    for (let i = 0; i < n; i++) {
      let b = bits[i]!;
      if (b === -2147483648) b = 0; // -0 equals +0
      const key = b < 0 ? ~b : b ^ -2147483648; // order-preserving as an unsigned integer
      const l = labels === undefined ? 0 : labels[i]!;
      pos += l;
      const idx = ((key >>> 16) << 1) | l;
      keys[i] = key;
      if (count[idx]!++ === 0) touched[nTouched++] = idx;
    }
    // Pass 2: counting sort of the low bits by bucket.
    let at = 0;
    for (let t = 0; t < nTouched; t++) {
      const idx = touched[t]!;
      const c = count[idx]!;
      count[idx] = at;
      at += c;
    }
    const lows = this.#lows;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const idx = ((k >>> 16) << 1) | (labels === undefined ? 0 : labels[i]!);
      lows[count[idx]!++] = k & 0xffff;
    }
    // Pass 3: append each bucket's run.
    let startAt = 0;
    for (let t = 0; t < nTouched; t++) {
      const idx = touched[t]!;
      const endAt = count[idx]!;
      count[idx] = 0;
      this.#append(idx, lows, startAt, endAt);
      startAt = endAt;
    }
    this.#positives += pos;
    this.#negatives += n - pos;
  }

  #append(idx: number, lows: Uint16Array, from: number, to: number): void {
    const m = to - from;
    const fill = this.#fill[idx]!;
    let table = this.#dense[idx];
    if (table === undefined && fill + m > SPARSE_MAX) {
      table = new Uint32Array(65536);
      const list = this.#sparse[idx];
      for (let k = 0; k < fill; k++) table[list![k]!]!++;
      this.#dense[idx] = table;
      this.#sparse[idx] = undefined;
      this.#fill[idx] = 0;
    }
    if (table !== undefined) {
      for (let k = from; k < to; k++) table[lows[k]!]!++;
      return;
    }
    let list = this.#sparse[idx];
    if (list === undefined || fill + m > list.length) {
      const grown = new Uint16Array(Math.min(SPARSE_MAX, Math.max(64, 2 * (fill + m))));
      if (list !== undefined) grown.set(list.subarray(0, fill));
      this.#sparse[idx] = list = grown;
    }
    list.set(lows.subarray(from, to), fill);
    this.#fill[idx] = fill + m;
  }

  /** Visits every distinct score, highest first. */
  sweepDescending(visit: CountVisitor): void {
    const sparse = this.#sparse;
    const dense = this.#dense;
    const fill = this.#fill;
    const sp = this.#scratchPos;
    const sn = this.#scratchNeg;
    for (let hi = 65535; hi >= 0; hi--) {
      const base = (hi << 16) >>> 0;
      const dNeg = dense[hi * 2];
      const dPos = dense[hi * 2 + 1];
      const nNeg = dNeg !== undefined ? SPARSE_MAX : fill[hi * 2]!;
      const nPos = dPos !== undefined ? SPARSE_MAX : fill[hi * 2 + 1]!;
      if (nNeg === 0 && nPos === 0) continue;
      const listNeg = sparse[hi * 2];
      const listPos = sparse[hi * 2 + 1];
      if (dNeg === undefined && dPos === undefined && nNeg + nPos <= SORT_LIMIT) {
        // Few pixels under this key: sort the two lists and merge them from the top.
        const a = nPos > 0 ? listPos!.subarray(0, nPos).sort() : new Uint16Array(0);
        const b = nNeg > 0 ? listNeg!.subarray(0, nNeg).sort() : new Uint16Array(0);
        let i = a.length - 1;
        let j = b.length - 1;
        while (i >= 0 || j >= 0) {
          const lo = Math.max(i >= 0 ? a[i]! : -1, j >= 0 ? b[j]! : -1);
          let p = 0;
          let q = 0;
          while (i >= 0 && a[i] === lo) (p++, i--);
          while (j >= 0 && b[j] === lo) (q++, j--);
          visit(keyToValue(base + lo), p, q);
        }
        continue;
      }
      // Many pixels: count into full tables and walk all 65,536 low keys.
      const tp = dPos ?? sp;
      const tn = dNeg ?? sn;
      if (dPos === undefined) { for (let k = 0; k < nPos; k++) sp[listPos![k]!]!++; }
      if (dNeg === undefined) { for (let k = 0; k < nNeg; k++) sn[listNeg![k]!]!++; }
      for (let lo = 65535; lo >= 0; lo--) {
        const p = tp[lo]!;
        const q = tn[lo]!;
        if (p !== 0 || q !== 0) visit(keyToValue(base + lo), p, q);
      }
      if (dPos === undefined) { for (let k = 0; k < nPos; k++) sp[listPos![k]!] = 0; }
      if (dNeg === undefined) { for (let k = 0; k < nNeg; k++) sn[listNeg![k]!] = 0; }
    }
  }
}

/** Exact per-value counts of scores after the float16 cast: 65,536 bins per class (1 MiB in all). */
export class Float16Histogram implements ScoreCounts {
  #positives = 0;
  #negatives = 0;
  // Indexed by the order-preserving 16-bit key of the float16 value.
  readonly #pos = new Float64Array(65536);
  readonly #neg = new Float64Array(65536);

  /** Number of pixels with label 1. */
  get positives(): number {
    return this.#positives;
  }
  /** Number of pixels with label 0. */
  get negatives(): number {
    return this.#negatives;
  }

  /** Adds pixels, casting each score to float16; `labels` absent means every pixel is negative. */
  addPixels(scores: Float32Array, labels?: Uint8Array): void {
    const bits = new Int32Array(scores.buffer, scores.byteOffset, scores.length);
    const pos = this.#pos;
    const neg = this.#neg;
    let np = 0;
    for (let i = 0; i < bits.length; i++) {
      const v = bits[i]!;
      const abs = v & 0x7fffffff;
      let h: number;
      if (abs >= 0x38800000 && abs < 0x47800000) {
        // Inlined normal-range case of float32BitsToFloat16Bits (the hot path).
        const x = abs - 0x38000000;
        h = ((v >>> 16) & 0x8000) | ((x + 0xfff + ((x >>> 13) & 1)) >>> 13);
      } else {
        h = float32BitsToFloat16Bits(v >>> 0);
        if (h === 0x8000) h = 0;
      }
      const key = (h & 0x8000) !== 0 ? ~h & 0xffff : h | 0x8000;
      if (labels !== undefined && labels[i] === 1) {
        pos[key]!++;
        np++;
      } else {
        neg[key]!++;
      }
    }
    this.#positives += np;
    this.#negatives += bits.length - np;
  }

  /** Visits every distinct float16 score, highest first. */
  sweepDescending(visit: CountVisitor): void {
    for (let key = 65535; key >= 0; key--) {
      const p = this.#pos[key]!;
      const q = this.#neg[key]!;
      if (p === 0 && q === 0) continue;
      const h = (key & 0x8000) !== 0 ? key & 0x7fff : ~key & 0xffff;
      visit(FLOAT16_VALUES[h]!, p, q);
    }
  }
}

/** A fresh histogram: float16-cast bins when `float16`, exact float32 values otherwise. */
export function createScoreHistogram(float16: boolean): ScoreCounts {
  return float16 ? new Float16Histogram() : new Float32Histogram();
}
