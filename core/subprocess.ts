/**
 * Running another program for a method that bridges to one (external methods, nnU-Net): its output
 * appended to a log, `@progress` lines passed on, a time limit, abort, and errors that name the command,
 * the exit and the log with its last lines.
 * @module
 */

/** One run of a program: what, where, how long. */
export interface CommandRun {
  /** What the run is for, starting its messages (e.g. "external train"). */
  readonly task: string;
  /** Program and arguments. */
  readonly argv: readonly string[];
  /** Working folder (default: the runner's). */
  readonly cwd?: string;
  /** Environment added to the runner's. */
  readonly env: Readonly<Record<string, string>>;
  /** Time limit in seconds (absent: none). */
  readonly timeoutSeconds?: number;
  /** The log file the output is appended to. */
  readonly log: string;
  /** Receives each `@progress {...}` line's JSON object. */
  readonly onProgress?: (p: Readonly<Record<string, unknown>>) => void;
  /** Stops the program when aborted. */
  readonly signal?: AbortSignal;
}

/** Output kept for error messages. */
const TAIL_BYTES = 4000;
/** Time a program gets to exit after SIGTERM before SIGKILL. */
const GRACE_MS = 5000;
/** Time output is still read after the program exited. */
const DRAIN_MS = 2000;

/** The command line as a shell would show it (arguments with spaces quoted). */
export function showCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(" ");
}

/** Runs the command to its end; throws unless it exits with 0 within its time limit. */
export async function runProgram(run: CommandRun): Promise<void> {
  const shown = showCommand(run.argv);
  const log = await Deno.open(run.log, { append: true, create: true });
  const encoder = new TextEncoder();
  let pending = Promise.resolve();
  let tail = "";
  const decoder = new TextDecoder();
  const write = (bytes: Uint8Array) => {
    tail = (tail + decoder.decode(bytes, { stream: true })).slice(-TAIL_BYTES);
    pending = pending.then(async () => {
      await log.write(bytes);
    });
  };
  const note = (text: string) =>
    pending = pending.then(async () => void await log.write(encoder.encode(text)));
  note(`==== ${new Date().toISOString()} ${run.task}: ${shown}\n`);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(run.argv[0]!, {
      args: run.argv.slice(1),
      ...(run.cwd ? { cwd: run.cwd } : {}),
      env: { ...run.env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    await pending;
    log.close();
    throw new Error(`${run.task}: cannot start \`${shown}\`: ${(e as Error).message}`);
  }
  let stopped: string | undefined;
  let killer: ReturnType<typeof setTimeout> | undefined;
  const stop = (why: string) => {
    stopped ??= why;
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
    killer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch {
        // exited after SIGTERM
      }
    }, GRACE_MS);
  };
  const timer = run.timeoutSeconds === undefined
    ? undefined
    : setTimeout(() => stop(`timed out after ${run.timeoutSeconds} s`), run.timeoutSeconds * 1000);
  const onAbort = () => stop("stopped (the run was aborted)");
  run.signal?.addEventListener("abort", onAbort);
  if (run.signal?.aborted) onAbort();
  const pump = async (reader: ReadableStreamDefaultReader<Uint8Array>, lines?: (line: string) => void) => {
    const dec = new TextDecoder();
    let partial = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      write(r.value);
      if (!lines) continue;
      partial += dec.decode(r.value, { stream: true });
      const parts = partial.split("\n");
      partial = parts.pop()!;
      parts.forEach(lines);
    }
    if (lines && partial) lines(partial);
  };
  const progress = (line: string) => {
    const m = /^@progress\s+(\{.*\})\s*$/.exec(line);
    if (!m || !run.onProgress) return;
    try {
      run.onProgress(JSON.parse(m[1]!));
    } catch {
      // a malformed progress line is only a log line
    }
  };
  const readers = [child.stdout.getReader(), child.stderr.getReader()] as const;
  const pumps = Promise.all([pump(readers[0], progress), pump(readers[1])]);
  let status: Deno.CommandStatus;
  try {
    status = await child.status;
    // Children the program left running may hold its output open: stop reading shortly after it exits.
    let drained: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([pumps, new Promise((resolve) => drained = setTimeout(resolve, DRAIN_MS))]);
    clearTimeout(drained);
    await Promise.all(readers.map((r) => r.cancel().catch(() => {})));
    await pumps.catch(() => {});
  } finally {
    clearTimeout(timer);
    clearTimeout(killer);
    run.signal?.removeEventListener("abort", onAbort);
  }
  note(`==== exit ${status.code}${status.signal ? ` (${status.signal})` : ""}\n`);
  await pending;
  log.close();
  if (stopped || !status.success) {
    const why = stopped ?? `exited with code ${status.code}${status.signal ? ` (${status.signal})` : ""}`;
    const last = tail.trimEnd() ? `; its last output:\n${tail.trimEnd()}` : " and printed nothing";
    throw new Error(`${run.task}: \`${shown}\` ${why} (log: ${run.log})${last}`);
  }
}
