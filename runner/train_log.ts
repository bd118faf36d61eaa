/**
 * `train_log.csv`: one line per training step (step, loss, learning rate, validation loss where computed,
 * elapsed seconds), written atomically every few seconds and at the end, so that loss curves can be drawn
 * and convergence judged. A resumed run keeps the lines up to its checkpoint and continues them.
 * @module
 */
import { writeFileAtomic } from "./atomic.ts";

/** One step of training. */
export interface TrainLogRecord {
  /** 1-based step. */
  readonly step: number;
  /** Training loss of the step. */
  readonly loss: number;
  /** Learning rate of the step, where the method reports it. */
  readonly lr?: number;
  /** Validation loss, on the steps where it was computed. */
  readonly validationLoss?: number;
  /** Seconds since training started (in this process). */
  readonly seconds: number;
}

const HEADER = "step,loss,lr,validation_loss,seconds";

/** Collects step records and keeps `path` up to date. */
export class TrainLog {
  readonly #path: string;
  readonly #rows: TrainLogRecord[];
  readonly #every: number;
  #written = performance.now();

  /** A log writing to `path`, starting from `existing` lines (a resumed run), flushed every `everySeconds`. */
  constructor(path: string, existing: readonly TrainLogRecord[] = [], everySeconds = 10) {
    this.#path = path;
    this.#rows = [...existing];
    this.#every = everySeconds;
  }

  /** Adds a step; a step at or before the last one (a resumed run) replaces the lines from there on. */
  add(r: TrainLogRecord): Promise<void> | undefined {
    const last = this.#rows.at(-1);
    if (last && r.step <= last.step) {
      const keep = this.#rows.findIndex((x) => x.step >= r.step);
      this.#rows.length = keep;
    }
    this.#rows.push(r);
    if (performance.now() - this.#written > this.#every * 1000) return this.flush();
  }

  /** The records so far. */
  get rows(): readonly TrainLogRecord[] {
    return this.#rows;
  }

  /** Writes the file now. */
  async flush(): Promise<void> {
    this.#written = performance.now();
    await writeFileAtomic(this.#path, formatTrainLog(this.#rows));
  }
}

/** The CSV text of `rows`. */
export function formatTrainLog(rows: readonly TrainLogRecord[]): string {
  const cell = (v: number | undefined) => (v === undefined ? "" : String(v));
  return [
    HEADER,
    ...rows.map((r) => [r.step, r.loss, cell(r.lr), cell(r.validationLoss), r.seconds.toFixed(3)].join(",")),
  ].join("\n") + "\n";
}

/** Parses `train_log.csv` text; errors name `where` and the line. */
export function parseTrainLog(text: string, where: string): TrainLogRecord[] {
  const lines = text.split("\n").filter((l) => l.trim());
  if (lines[0] !== HEADER) throw new Error(`${where}: not a training log (header '${lines[0] ?? ""}')`);
  return lines.slice(1).map((line, i) => {
    const [step, loss, lr, val, seconds] = line.split(",");
    const num = (s: string | undefined) => (s === undefined || s === "" ? undefined : Number(s));
    const r = {
      step: Number(step),
      loss: Number(loss),
      ...(num(lr) !== undefined ? { lr: num(lr)! } : {}),
      ...(num(val) !== undefined ? { validationLoss: num(val)! } : {}),
      seconds: Number(seconds),
    };
    if (!Number.isInteger(r.step) || Number.isNaN(r.loss)) {
      throw new Error(`${where}: line ${i + 2} is malformed`);
    }
    return r;
  });
}

/** Reads `path`, or returns [] where it does not exist. */
export async function readTrainLog(path: string): Promise<TrainLogRecord[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return parseTrainLog(text, path);
}
