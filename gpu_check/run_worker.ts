/**
 * The orchestrator side of a part: runs one worker process (one part on one backend) until it exits or its
 * deadline passes, then stops it. A process per part keeps a crash in a GPU driver, a hung kernel or a
 * leaked device context from taking the whole check down, and lets a deadline stop even a kernel that never
 * returns.
 * @module
 */
import * as v from "valibot";
import { MESSAGE_PREFIX, messageSchema, type Row } from "./rows.ts";

/** What a worker reported and how it ended. */
export interface WorkerOutcome {
  /** Rows received, in order. */
  readonly rows: Row[];
  /** Structured data received, by key. */
  readonly data: Record<string, unknown>;
  /** Items announced but neither finished nor skipped by the worker, and why. */
  readonly unfinished: { item: string; reason: string; started: boolean }[];
  /** Items the worker skipped itself, with its reason. */
  readonly skipped: { item: string; reason: string }[];
  /** True when the deadline stopped the process. */
  readonly stopped: boolean;
  /** The process's exit code (null when killed by a signal). */
  readonly code: number | null;
  /** The last lines of its stderr. */
  readonly stderrTail: string;
}

/** How to run a worker. */
export interface WorkerOptions {
  /** The command and its arguments. */
  readonly cmd: readonly string[];
  /** When to stop it, ms since the epoch. */
  readonly deadline: number;
  /** Receives each log line (worker stderr and non-protocol stdout); default: our stderr, indented. */
  readonly log?: (line: string) => void;
  /** Environment variables to add. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs a worker process and collects its messages. At the deadline the process gets SIGTERM, then SIGKILL
 * two seconds later; announced items it had not finished are listed in `unfinished`.
 *
 * @throws never for the worker's own failures (they come back in the outcome); only when the command
 * cannot be started at all.
 */
export async function runWorker(o: WorkerOptions): Promise<WorkerOutcome> {
  const log = o.log ?? ((line: string) => console.error(`    ${line}`));
  const child = new Deno.Command(o.cmd[0]!, {
    args: o.cmd.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...(o.env ? { env: { ...o.env } } : {}),
  }).spawn();
  const rows: Row[] = [];
  const data: Record<string, unknown> = {};
  const items: string[] = [];
  const finished = new Set<string>();
  const started = new Set<string>();
  const skipped: { item: string; reason: string }[] = [];
  let stopped = false;
  const stderrLines: string[] = [];

  const timer = setTimeout(() => {
    stopped = true;
    try {
      child.kill("SIGTERM");
      setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // Already gone.
        }
      }, 2000);
    } catch {
      // Already gone.
    }
  }, Math.max(0, o.deadline - Date.now()));

  const onStdout = (line: string) => {
    if (!line.startsWith(MESSAGE_PREFIX)) return line.trim() && log(line);
    let parsed: unknown;
    try {
      parsed = JSON.parse(line.slice(MESSAGE_PREFIX.length));
    } catch {
      return log(`(unreadable message) ${line}`);
    }
    const m = v.safeParse(messageSchema, parsed);
    if (!m.success) return log(`(malformed message: ${m.issues[0]!.message}) ${line.slice(0, 200)}`);
    const msg = m.output;
    if (msg.t === "items") items.push(...msg.items);
    else if (msg.t === "start") started.add(msg.item);
    else if (msg.t === "row") rows.push(msg.row);
    else if (msg.t === "done") finished.add(msg.item);
    else if (msg.t === "skip") {
      finished.add(msg.item);
      skipped.push({ item: msg.item, reason: msg.reason });
    } else data[msg.key] = msg.value;
  };
  const onStderr = (line: string) => {
    stderrLines.push(line);
    if (stderrLines.length > 40) stderrLines.shift();
    log(line);
  };
  const [status] = await Promise.all([
    child.status,
    readLines(child.stdout, onStdout),
    readLines(child.stderr, onStderr),
  ]);
  clearTimeout(timer);
  const why = stopped
    ? "stopped at the part's share of the budget"
    : `the worker ended (${status.signal ? `signal ${status.signal}` : `exit code ${status.code}`})`;
  const unfinished = items.filter((i) => !finished.has(i)).map((item) => ({
    item,
    started: started.has(item),
    reason: started.has(item) ? `${why} while it ran` : `not reached: ${why}`,
  }));
  return {
    rows,
    data,
    unfinished,
    skipped,
    stopped,
    code: status.signal ? null : status.code,
    stderrTail: stderrLines.slice(-12).join("\n"),
  };
}

async function readLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      onLine(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  }
  if (buffer) onLine(buffer);
}
