/**
 * Grid progress for people: overall cells done with an ETA, and a status line per running cell (stage,
 * step, loss). Redrawn in place on a terminal; plain lines at start, every quarter and end otherwise.
 * @module
 */
import { formatDuration } from "../core/mod.ts";

interface Running {
  label: string;
  status: string;
  started: number;
  quarter: number;
}

/** Tracks and draws the progress of a grid run. */
export class GridProgress {
  readonly #total: number;
  #finished: number;
  #failed = 0;
  readonly #running = new Map<string, Running>();
  readonly #durations: number[] = [];
  readonly #tty: boolean;
  readonly #write: (text: string) => void;
  #drawnLines = 0;
  #lastDraw = 0;

  /** A grid of `total` cells of which `alreadyDone` need not run. */
  constructor(total: number, alreadyDone: number, write?: (text: string) => void, tty?: boolean) {
    this.#total = total;
    this.#finished = alreadyDone;
    const enc = new TextEncoder();
    this.#write = write ?? ((t) => Deno.stderr.writeSync(enc.encode(t)));
    this.#tty = tty ?? Deno.stderr.isTerminal();
  }

  /** A cell started. */
  start(id: string, label: string): void {
    this.#running.set(id, { label, status: "starting", started: performance.now(), quarter: -1 });
    this.#line(`start  ${label}`);
  }

  /** A cell reported progress in a stage. */
  update(
    id: string,
    stage: string,
    done: number,
    total: number,
    info: Record<string, number | string>,
  ): void {
    const r = this.#running.get(id);
    if (!r) return;
    const extra = Object.entries(info).map(([k, v]) =>
      `${k}=${typeof v === "number" ? v.toPrecision(4) : v}`
    );
    r.status = `${stage} ${done}/${total} ${extra.join(" ")}`.trim();
    const quarter = Math.floor((4 * done) / Math.max(1, total));
    if (!this.#tty && stage === "train" && quarter !== r.quarter && quarter < 4) {
      r.quarter = quarter;
      this.#line(`       ${r.label}: ${r.status}`);
    }
    if (this.#tty && performance.now() - this.#lastDraw > 250) this.#draw();
  }

  /** A cell finished. */
  finish(id: string, summary: string): void {
    const r = this.#running.get(id);
    this.#running.delete(id);
    this.#finished++;
    if (r) this.#durations.push(performance.now() - r.started);
    this.#line(
      `done   ${r?.label ?? id}: ${summary} (${
        formatDuration((performance.now() - (r?.started ?? 0)) / 1000)
      })`,
    );
  }

  /** A cell failed; the grid goes on. */
  fail(id: string, message: string): void {
    const r = this.#running.get(id);
    this.#running.delete(id);
    this.#failed++;
    this.#line(`FAILED ${r?.label ?? id}: ${message}`);
  }

  /** Clears the live block. */
  close(): void {
    this.#clear();
  }

  /** The overall line: cells done, failed, running, ETA. */
  summary(): string {
    const left = this.#total - this.#finished - this.#failed;
    const avg = this.#durations.length
      ? this.#durations.reduce((a, b) => a + b, 0) / this.#durations.length / 1000
      : NaN;
    const parallel = Math.max(1, this.#running.size);
    return `[${this.#finished}/${this.#total} cells done${this.#failed ? `, ${this.#failed} failed` : ""}, ` +
      `${this.#running.size} running] ETA ${formatDuration((left * avg) / parallel)}`;
  }

  #line(text: string): void {
    this.#clear();
    this.#write(`${this.summary()} ${text}\n`);
    if (this.#tty) this.#draw();
  }

  #clear(): void {
    if (this.#tty && this.#drawnLines > 0) this.#write(`\x1b[${this.#drawnLines}A\x1b[J`);
    this.#drawnLines = 0;
  }

  #draw(): void {
    this.#clear();
    const lines = [...this.#running.values()].map((r) => `  ${r.label}: ${r.status}`);
    if (lines.length) this.#write(lines.join("\n") + "\n");
    this.#drawnLines = lines.length;
    this.#lastDraw = performance.now();
  }
}
