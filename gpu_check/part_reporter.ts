/**
 * The worker side of a part: announces its items, runs each one unless the part's deadline has passed,
 * turns an exception into a failed row, and sends everything to the orchestrator as protocol lines on
 * stdout. Log lines go to stderr.
 * @module
 */
import { MESSAGE_PREFIX, type Row, type WorkerMessage } from "./rows.ts";

/** What an item returns: its rows (a thrown error becomes one failed row). */
export type ItemFn = () => Promise<Row[]>;

/** Sends a part's messages and keeps its deadline. */
export class PartReporter {
  readonly #deadline: number;
  readonly #fallback: Pick<Row, "part" | "backend">;
  readonly #send: (m: WorkerMessage) => void;
  readonly #afterItem: () => string | undefined;
  readonly #failFast: boolean;
  #failed = false;

  /**
   * @param deadline the part's deadline, ms since the epoch
   * @param fallback part and backend of the row an item's exception becomes
   * @param options `send`: where messages go (default: a protocol line on stdout); `afterItem`: a problem
   * the device reported during the item (e.g. a WebGPU validation error, which otherwise reads back as
   * zeros), which fails it; `failFast`: skip every item after the first that failed
   */
  constructor(
    deadline: number,
    fallback: Pick<Row, "part" | "backend">,
    options: { send?: (m: WorkerMessage) => void; afterItem?: () => string | undefined; failFast?: boolean } =
      {},
  ) {
    this.#deadline = deadline;
    this.#fallback = fallback;
    this.#send = options.send ?? ((m) => console.log(MESSAGE_PREFIX + JSON.stringify(m)));
    this.#afterItem = options.afterItem ?? (() => undefined);
    this.#failFast = options.failFast ?? false;
  }

  /** Milliseconds left before the deadline (negative once it has passed). */
  get remainingMs(): number {
    return this.#deadline - Date.now();
  }

  /** An AbortSignal that fires at the deadline, for loops that can stop part-way (timed training). */
  deadlineSignal(): AbortSignal {
    return AbortSignal.timeout(Math.max(0, this.remainingMs));
  }

  /** Announces the items, in the order they will run. */
  items(names: readonly string[]): void {
    this.#send({ t: "items", items: [...names] });
  }

  /** Sends structured data for report.json. */
  data(key: string, value: unknown): void {
    this.#send({ t: "data", key, value });
  }

  /** Sends a row now (rows of long items go out as they come, so a stop keeps them). */
  row(row: Row): void {
    this.#send({ t: "row", row });
  }

  /** Reports `item` skipped with `reason`. */
  skip(item: string, reason: string): void {
    this.#send({ t: "skip", item, reason });
    log(`  - ${item}: skipped (${reason})`);
  }

  /** Runs `item` unless the deadline has passed; an exception becomes a failed row named after the item. */
  async run(item: string, fn: ItemFn): Promise<void> {
    if (this.#failed && this.#failFast) return this.skip(item, "--fail-fast: an earlier item failed");
    if (this.remainingMs <= 0) return this.skip(item, "the part's share of the budget was used up");
    const t0 = performance.now();
    this.#send({ t: "start", item });
    log(`  > ${item}`);
    let rows: Row[];
    try {
      rows = await fn();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      rows = [{
        ...this.#fallback,
        check: item,
        result: "fail",
        detail: message.split("\n").slice(0, 3).join(" "),
      }];
    }
    const problem = this.#afterItem();
    if (problem) rows.push({ ...this.#fallback, check: item, result: "fail", detail: problem });
    for (const row of rows) this.row(row);
    this.#send({ t: "done", item });
    const failed = rows.some((r) => r.result === "fail");
    this.#failed ||= failed;
    log(`  ${failed ? "✗" : "✓"} ${item} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
}

/** A log line on stderr (the orchestrator passes it through). */
export function log(text: string): void {
  console.error(text);
}
