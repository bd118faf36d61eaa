/**
 * Progress reporting for long work: a terminal bar with rate and ETA, or plain lines when not a TTY.
 * @module
 */

/** Receives progress updates from long-running work. */
export interface ProgressReporter {
  /**
   * Reports that `done` of `total` units are finished (`total` 0 when not known in advance); `info` is shown
   * beside the bar (e.g. loss).
   */
  update(done: number, total: number, info?: Readonly<Record<string, number | string>>): void;
  /** Marks the work finished and ends the line. */
  finish(): void;
}

/** A reporter that shows nothing (tests, nested work). */
export const silentProgress: ProgressReporter = { update() {}, finish() {} };

/** Options for {@linkcode ProgressBar}. */
export interface ProgressBarOptions {
  /** Where to write; defaults to stderr. */
  readonly write?: (text: string) => void;
  /** Redraw in place with `\r` (default: whether stderr is a terminal). */
  readonly inPlace?: boolean;
  /** Unit name shown with the rate, e.g. "it" or "slices". */
  readonly unit?: string;
  /** Minimum milliseconds between redraws (plain mode prints at most every 10% or this interval ×20). */
  readonly intervalMs?: number;
}

/**
 * A progress bar: `label [#####.....] 50/100 12.3 it/s ETA 0:04 loss=0.012`.
 *
 * @example
 * ```ts
 * import { ProgressBar } from "./progress.ts";
 * const lines: string[] = [];
 * const bar = new ProgressBar("train", { write: (t) => lines.push(t), inPlace: false });
 * bar.update(10, 10, { loss: 0.5 });
 * bar.finish();
 * console.assert(lines.join("").includes("10/10"));
 * ```
 */
export class ProgressBar implements ProgressReporter {
  readonly #label: string;
  readonly #write: (text: string) => void;
  readonly #inPlace: boolean;
  readonly #unit: string;
  readonly #intervalMs: number;
  readonly #start = performance.now();
  #lastDraw = -Infinity;
  #lastTenth = -1;
  #last = "";

  /** Creates a bar labelled `label`. */
  constructor(label: string, options: ProgressBarOptions = {}) {
    this.#label = label;
    const encoder = new TextEncoder();
    this.#write = options.write ?? ((t) => Deno.stderr.writeSync(encoder.encode(t)));
    this.#inPlace = options.inPlace ?? Deno.stderr.isTerminal();
    this.#unit = options.unit ?? "it";
    this.#intervalMs = options.intervalMs ?? 200;
  }

  /** Redraws if enough time passed (always on the last unit). */
  update(done: number, total: number, info: Readonly<Record<string, number | string>> = {}): void {
    const now = performance.now();
    const tenth = total > 0 ? Math.floor((10 * done) / total) : 0;
    const due = this.#inPlace
      ? now - this.#lastDraw >= this.#intervalMs
      : tenth !== this.#lastTenth || now - this.#lastDraw >= this.#intervalMs * 20;
    if (!due && done < total) return;
    this.#lastDraw = now;
    this.#lastTenth = tenth;
    this.#last = formatProgress(this.#label, done, total, (now - this.#start) / 1000, this.#unit, info);
    this.#write(this.#inPlace ? `\r${this.#last}\x1b[K` : `${this.#last}\n`);
  }

  /** Ends the bar's line. */
  finish(): void {
    if (this.#inPlace && this.#last) this.#write("\n");
    this.#last = "";
  }
}

/** Formats one progress line; exported for tests and for reporters that draw elsewhere. */
export function formatProgress(
  label: string,
  done: number,
  total: number,
  elapsedS: number,
  unit: string,
  info: Readonly<Record<string, number | string>> = {},
): string {
  const rate = elapsedS > 0 ? done / elapsedS : 0;
  const rateText = `${rate >= 10 ? rate.toFixed(0) : rate.toFixed(2)} ${unit}/s`;
  const extras = Object.entries(info).map(([k, v]) => `${k}=${typeof v === "number" ? fmtNum(v) : v}`);
  if (!(total > 0)) return [label, `${done} ${unit}`, rateText, ...extras].join(" "); // total unknown
  const width = 24;
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(frac * width);
  const eta = rate > 0 ? (total - done) / rate : NaN;
  return [
    label,
    `[${"#".repeat(filled)}${".".repeat(width - filled)}]`,
    `${done}/${total}`,
    rateText,
    `ETA ${formatDuration(eta)}`,
    ...extras,
  ].join(" ");
}

/** Formats seconds as m:ss or h:mm:ss ("?" when unknown). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function fmtNum(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1000 || a < 1e-3 ? v.toExponential(2) : v.toPrecision(4);
}
