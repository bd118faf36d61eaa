/**
 * Summary statistics of noise fields, for checking them: moments, neighbour correlation and a
 * row-wise power spectrum split into low and high bands.
 * @module
 */

/** Mean and (population) standard deviation of `values`. */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  const mean = sum / values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(ss / values.length) };
}

/** A channels-last field seen as rows: `rows` rows of `length` values, `stride` apart within a row. */
export interface RowView {
  /** Values of the whole tensor. */
  readonly values: ArrayLike<number>;
  /** Number of rows. */
  readonly rows: number;
  /** Values per row. */
  readonly length: number;
  /** Returns the flat index of element `n` of row `r`. */
  readonly index: (r: number, n: number) => number;
}

/**
 * Rows along the last spatial axis of a channels-last tensor of `shape` ([B, ..., W, C]): one row
 * per (batch, other spatial position, channel).
 */
export function rowsAlongWidth(values: ArrayLike<number>, shape: readonly number[]): RowView {
  const channels = shape[shape.length - 1]!;
  const width = shape[shape.length - 2]!;
  const outer = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return {
    values,
    rows: outer * channels,
    length: width,
    index: (r, n) => (Math.floor(r / channels) * width + n) * channels + (r % channels),
  };
}

/** The correlation of horizontally adjacent values across all rows (near 0 for white noise). */
export function neighbourCorrelation(view: RowView): number {
  const { mean } = meanStd(view.values);
  let cov = 0, varSum = 0;
  for (let r = 0; r < view.rows; r++) {
    for (let n = 0; n < view.length; n++) {
      const a = view.values[view.index(r, n)]! - mean;
      varSum += a * a;
      if (n + 1 < view.length) cov += a * (view.values[view.index(r, n + 1)]! - mean);
    }
  }
  return (cov / (view.rows * (view.length - 1))) / (varSum / (view.rows * view.length));
}

/**
 * Mean power per frequency in the lowest quarter of the row spectrum (excluding the mean) divided by
 * that in the highest quarter, from a plain DFT of each row: about 1 for white noise, large for noise
 * whose energy sits at low spatial frequencies.
 */
export function lowHighPowerRatio(view: RowView): number {
  const n = view.length;
  const half = Math.floor(n / 2);
  const band = Math.max(1, Math.floor(half / 4));
  const power = new Float64Array(half + 1);
  const row = new Float64Array(n);
  for (let r = 0; r < view.rows; r++) {
    for (let i = 0; i < n; i++) row[i] = view.values[view.index(r, i)]!;
    for (let k = 1; k <= half; k++) {
      let re = 0, im = 0;
      for (let i = 0; i < n; i++) {
        const a = (2 * Math.PI * k * i) / n;
        re += row[i]! * Math.cos(a);
        im -= row[i]! * Math.sin(a);
      }
      power[k] = power[k]! + re * re + im * im;
    }
  }
  let low = 0, high = 0;
  for (let k = 1; k <= band; k++) low += power[k]!;
  for (let k = half - band + 1; k <= half; k++) high += power[k]!;
  return low / high;
}
