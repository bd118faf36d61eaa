/**
 * A bench worker: runs one cell (train + score + evaluate, or the rest of an interrupted one) in its own
 * isolate and reports progress and the result to the orchestrator by messages; an "abort" message
 * interrupts the cell at the next step (it checkpoints and is marked "interrupted").
 * @module
 */
/// <reference lib="deno.worker" />
import "../plugins/mod.ts";
import { type ProgressReporter, setCpuThreads } from "../core/mod.ts";
import type { RunIdentity } from "../runner/identity.ts";
import { RunInterrupted, trainAndEvaluate } from "../runner/run.ts";
import { resolveRun } from "../runner/spec.ts";

/** The message that starts a cell. */
export interface CellRequest {
  readonly type: "run";
  /** The run specification, with the concrete backend (validated again here). */
  readonly spec: unknown;
  /** Parent folder of run directories. */
  readonly runsDir: string;
  /** The run id (the cell id). */
  readonly runId: string;
  /** Folder of model states shared by methods of one family. */
  readonly modelCacheDir: string;
  /** The identity the orchestrator planned; the worker refuses to run if its own differs. */
  readonly identity: RunIdentity;
  /** The cell's directory, when an interrupted attempt is to be continued. */
  readonly resumeDir?: string;
  /** Fields for the run's `run.json` (grid, cell id). */
  readonly record: Readonly<Record<string, unknown>>;
  /** Seconds between training checkpoints (default: the training loop's). */
  readonly checkpointSeconds?: number;
  /** Threads of the cpu kernels in this worker (its share of the cores; default: all of them). */
  readonly cpuThreads?: number;
}

/** Messages the orchestrator sends. */
export type OrchestratorMessage = CellRequest | { readonly type: "abort" };

/** Messages a worker sends. */
export type WorkerMessage =
  | { type: "log"; line: string }
  | { type: "progress"; stage: string; done: number; total: number; info: Record<string, number | string> }
  | { type: "done"; result: unknown }
  | { type: "error"; message: string; interrupted: boolean };

const post = (m: WorkerMessage) => self.postMessage(m);
const abort = new AbortController();

self.onmessage = async (event: MessageEvent<OrchestratorMessage>) => {
  const m = event.data;
  if (m.type === "abort") return abort.abort();
  try {
    if (m.cpuThreads !== undefined) setCpuThreads(m.cpuThreads);
    const result = await trainAndEvaluate(resolveRun(m.spec), {
      runsDir: m.runsDir,
      runId: m.runId,
      modelCacheDir: m.modelCacheDir,
      identity: m.identity,
      record: m.record,
      signal: abort.signal,
      ...(m.resumeDir ? { resumeDir: m.resumeDir } : {}),
      ...(m.checkpointSeconds !== undefined ? { checkpointSeconds: m.checkpointSeconds } : {}),
      log: (line) => post({ type: "log", line }),
      progress: (stage): ProgressReporter => ({
        update: (done, total, info = {}) => post({ type: "progress", stage, done, total, info: { ...info } }),
        finish: () => {},
      }),
    });
    post({ type: "done", result });
  } catch (e) {
    post({
      type: "error",
      message: e instanceof Error ? e.message : String(e),
      interrupted: e instanceof RunInterrupted,
    });
  }
};
