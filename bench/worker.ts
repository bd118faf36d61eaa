/**
 * A bench worker: runs one cell (train + score + evaluate) in its own isolate and reports progress and the
 * result to the orchestrator by messages.
 * @module
 */
/// <reference lib="deno.worker" />
import "../plugins/mod.ts";
import type { ProgressReporter } from "../core/mod.ts";
import { trainAndEvaluate } from "../runner/run.ts";
import { resolveRun } from "../runner/spec.ts";

/** The message that starts a cell. */
export interface CellRequest {
  /** The run specification (validated again here). */
  readonly spec: unknown;
  /** Parent folder of run directories. */
  readonly runsDir: string;
  /** The run id (the cell id). */
  readonly runId: string;
  /** Folder of model states shared by methods of one family. */
  readonly modelCacheDir: string;
}

/** Messages a worker sends. */
export type WorkerMessage =
  | { type: "log"; line: string }
  | { type: "progress"; stage: string; done: number; total: number; info: Record<string, number | string> }
  | { type: "done"; result: unknown }
  | { type: "error"; message: string };

const post = (m: WorkerMessage) => self.postMessage(m);

self.onmessage = async (event: MessageEvent<CellRequest>) => {
  try {
    const { spec, runsDir, runId, modelCacheDir } = event.data;
    const result = await trainAndEvaluate(resolveRun(spec), {
      runsDir,
      runId,
      modelCacheDir,
      log: (line) => post({ type: "log", line }),
      progress: (stage): ProgressReporter => ({
        update: (done, total, info = {}) => post({ type: "progress", stage, done, total, info: { ...info } }),
        finish: () => {},
      }),
    });
    post({ type: "done", result });
  } catch (e) {
    post({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
};
