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
  /** Minimum milliseconds between redraws in place (default 200). */
  readonly intervalMs?: number;
  /**
   * Plain mode (a log file, a pipe): minimum milliseconds between lines besides the 10% marks (default
   * 60 000), so that an hour's work writes about a line a minute and a short one a few lines.
   */
  readonly plainIntervalMs?: number;
  /** The clock, in milliseconds (tests); default `performance.now`. */
  readonly now?: () => number;
}

/**
 * A progress bar: `label [#####.....] 50/100 12.3 it/s ETA 0:04 loss=0.012` (or `label 7 cases 1.2 cases/s`
 * when the total is not known). On a terminal it redraws one line in place; written to a file or a pipe it
 * prints a line at the start, at each tenth of a known total, at most one a minute in between, and the final
 * state at {@linkcode ProgressBar.finish}: a few lines, never one per unit.
 *
 * @example
 * ```ts
 * import { ProgressBar } from "./progress.ts";
 * const lines: string[] = [];
 * const bar = new ProgressBar("train", { write: (t) => lines.push(t), inPlace: false });
 * for (let i = 1; i <= 1000; i++) bar.update(i, 1000, { loss: 1 / i });
 * bar.finish();
 * console.assert(lines.length === 11 && lines.at(-1)!.includes("1000/1000"));
 * ```
 */
export class ProgressBar implements ProgressReporter {
  readonly #label: string;
  readonly #write: (text: string) => void;
  readonly #inPlace: boolean;
  readonly #unit: string;
  readonly #intervalMs: number;
  readonly #plainIntervalMs: number;
  readonly #now: () => number;
  readonly #start: number;
  #lastDraw = -Infinity;
  #lastTenth = -1;
  #drawn = false;
  /** The latest update not drawn yet, drawn by `finish`. */
  #pending?: { done: number; total: number; info: Readonly<Record<string, number | string>> };

  /** Creates a bar labelled `label`. */
  constructor(label: string, options: ProgressBarOptions = {}) {
    this.#label = label;
    const encoder = new TextEncoder();
    this.#write = options.write ?? ((t) => Deno.stderr.writeSync(encoder.encode(t)));
    this.#inPlace = options.inPlace ?? Deno.stderr.isTerminal();
    this.#unit = options.unit ?? "it";
    this.#intervalMs = options.intervalMs ?? 200;
    this.#plainIntervalMs = options.plainIntervalMs ?? 60_000;
    this.#now = options.now ?? (() => performance.now());
    this.#start = this.#now();
  }

  /** Redraws if due (always at the last unit of a known total). */
  update(done: number, total: number, info: Readonly<Record<string, number | string>> = {}): void {
    const now = this.#now();
    const known = total > 0;
    const tenth = known ? Math.floor((10 * Math.min(done, total)) / total) : 0;
    const due = this.#inPlace
      ? now - this.#lastDraw >= this.#intervalMs
      : (known && tenth !== this.#lastTenth) || now - this.#lastDraw >= this.#plainIntervalMs;
    if (!due && !(known && done >= total)) {
      this.#pending = { done, total, info };
      return;
    }
    if (known) this.#lastTenth = tenth;
    this.#draw(now, done, total, info);
  }

  /** Draws the final state if it was not drawn, and ends the bar's line. */
  finish(): void {
    if (this.#pending) {
      const { done, total, info } = this.#pending;
      this.#draw(this.#now(), done, total, info);
    }
    if (this.#inPlace && this.#drawn) this.#write("\n");
    this.#drawn = false;
  }

  #draw(now: number, done: number, total: number, info: Readonly<Record<string, number | string>>): void {
    this.#lastDraw = now;
    this.#pending = undefined;
    this.#drawn = true;
    const line = formatProgress(this.#label, done, total, (now - this.#start) / 1000, this.#unit, info);
    this.#write(this.#inPlace ? `\r${line}\x1b[K` : `${line}\n`);
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
