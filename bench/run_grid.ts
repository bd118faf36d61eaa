/**
 * Running a planned grid: each unfinished cell in a worker isolate, under the cell's lock (so two benches,
 * or Slurm array tasks, never run one cell twice), continuing an interrupted attempt where its directory
 * allows, recording each result or failure in its own file, then writing the leaderboards. SIGINT/SIGTERM
 * interrupt the running cells (they checkpoint and can be resumed) and the leaderboards of the finished
 * cells are still written.
 * @module
 */
import { isOrphaned, readRunRecord } from "../runner/run_dir.ts";
import type { RunResult } from "../runner/run.ts";
import { GridProgress } from "./grid_progress.ts";
import type { Grid } from "./grid.ts";
import { gridOutcome } from "./outcome.ts";
import type { PlannedCell } from "./plan.ts";
import type { ResultRow } from "./leaderboard.ts";
import { ResultsStore } from "./results_store.ts";
import type { CellRequest, OrchestratorMessage, WorkerMessage } from "./worker.ts";
import { writeLeaderboards } from "./write_leaderboards.ts";

/** Thrown when a grid run was interrupted by a signal (after writing the leaderboards). */
export class BenchInterrupted extends Error {
  /** Builds the error. */
  constructor(message: string) {
    super(message);
    this.name = "BenchInterrupted";
  }
}

/** What {@linkcode runGrid} needs besides the plan. */
export interface RunGridOptions {
  /** Parallel workers. */
  readonly jobs: number;
  /** The grid's results folder, e.g. `results/phantom-noise`. */
  readonly dir: string;
  /** Interrupts the run (tests); SIGINT and SIGTERM do the same. */
  readonly signal?: AbortSignal;
  /** Seconds between training checkpoints (default: the training loop's). */
  readonly checkpointSeconds?: number;
}

/** Runs every unfinished cell of the plan, then writes the leaderboards; returns the fresh rows. */
export async function runGrid(
  grid: Grid,
  plan: readonly PlannedCell[],
  o: RunGridOptions,
): Promise<ResultRow[]> {
  const store = new ResultsStore(o.dir);
  await store.writeGrid(gridRecord(grid, plan));
  const warn = (line: string) => console.error(`warning: ${line}`);
  const finished = new Set((await gridOutcome(plan, store, warn)).rows.map((r) => r.cellId));
  const todo = plan.filter((c) => !finished.has(c.cellId));
  const code = [...new Set(plan.map((c) => c.identity.code))];
  console.error(
    `grid ${grid.name}: ${plan.length} cells, ${plan.length - todo.length} already finished, ` +
      `${todo.length} to run with ${o.jobs} worker(s) (backend ${plan[0]?.identity.backend}, ` +
      `code ${code.join(", ")})`,
  );
  const progress = new GridProgress(plan.length, plan.length - todo.length);
  const interrupt = new AbortController();
  const workers = new Set<Worker>();
  const onSignal = () => {
    if (interrupt.signal.aborted) Deno.exit(130); // a second signal: stop now
    console.error(
      `\ninterrupting: running cells checkpoint and stop; leaderboards of finished cells follow ` +
        `(send the signal again to quit at once)`,
    );
    interrupt.abort();
    for (const w of workers) w.postMessage({ type: "abort" } satisfies OrchestratorMessage);
  };
  o.signal?.addEventListener("abort", onSignal);
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  const skipped: string[] = [];
  const queue = [...todo];
  const parallel = Math.min(o.jobs, Math.max(1, todo.length));
  // Cells running side by side share the cores: each cell's cpu kernels get their share of the threads
  // (results do not depend on the thread count, see core/backends/wasm/runtime.ts REDUCTION_SLOTS).
  const cpuThreads = Math.max(1, Math.floor((navigator.hardwareConcurrency || 1) / parallel));
  const runOne = async () => {
    for (let cell = queue.shift(); cell && !interrupt.signal.aborted; cell = queue.shift()) {
      const lock = await store.lock(cell.cellId);
      if ("heldBy" in lock) {
        skipped.push(`${cell.label}: running in process ${lock.heldBy.pid} on ${lock.heldBy.host}`);
        continue;
      }
      try {
        await runCell(cell, store, o.dir, progress, workers, o.checkpointSeconds, cpuThreads);
      } finally {
        await lock.release();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: parallel }, runOne));
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    o.signal?.removeEventListener("abort", onSignal);
    progress.close();
  }
  for (const line of skipped) console.error(`skipped (${line})`);
  const outcome = await gridOutcome(plan, store, warn);
  await writeLeaderboards(grid, o.dir, outcome);
  const failed = outcome.unfinished.filter((c) => c.state === "failed").length;
  console.error(`${outcome.rows.length}/${plan.length} cells finished${failed ? `, ${failed} failed` : ""}`);
  if (interrupt.signal.aborted) {
    throw new BenchInterrupted(
      `interrupted: ${outcome.rows.length}/${plan.length} cells finished; run the same command again to ` +
        `resume (interrupted cells continue from their last checkpoint)`,
    );
  }
  if (failed > 0) {
    throw new Error(
      `${failed} cell(s) failed; the reasons are in the leaderboards and ${o.dir}/cells/*.failed.json`,
    );
  }
  return [...outcome.rows];
}

/** The content of `grid.json`: the grid as run and its plan. */
export function gridRecord(grid: Grid, plan: readonly PlannedCell[]): Record<string, unknown> {
  return {
    grid,
    planned: new Date().toISOString(),
    cells: plan.map((c) => ({
      cellId: c.cellId,
      label: c.label,
      spec: c.resolved.spec,
      identity: c.identity,
    })),
  };
}

/**
 * Runs (or resumes, or recovers) one cell, recording its result or failure; the caller holds the cell's
 * lock. Returns when the cell finished, failed (recorded) or was interrupted (neither recorded).
 */
export async function runCell(
  cell: PlannedCell,
  store: ResultsStore,
  dir: string,
  progress: GridProgress,
  workers: Set<Worker>,
  checkpointSeconds?: number,
  cpuThreads?: number,
): Promise<void> {
  // Another process may have finished it while this one waited for the lock.
  if (await store.hasResult(cell.cellId)) return;
  progress.start(cell.cellId, cell.label);
  const runDir = `${dir}/runs/${cell.cellId}`;
  try {
    const previous = await previousAttempt(runDir, cell.cellId);
    let result: RunResult;
    if (previous === "complete") {
      // Finished earlier, but its result file was lost (e.g. a full disk): recover it, don't rerun.
      result = JSON.parse(await Deno.readTextFile(`${runDir}/metrics.json`));
    } else {
      if (previous === "discard") await Deno.remove(runDir, { recursive: true });
      const request: CellRequest = {
        type: "run",
        spec: cell.resolved.spec,
        runsDir: `${dir}/runs`,
        runId: cell.cellId,
        modelCacheDir: `${dir}/models`,
        identity: cell.identity,
        record: { cellId: cell.cellId, grid: dir },
        ...(previous === "resume" ? { resumeDir: runDir } : {}),
        ...(checkpointSeconds !== undefined ? { checkpointSeconds } : {}),
        ...(cpuThreads !== undefined ? { cpuThreads } : {}),
      };
      result = await runInWorker(request, workers, (m) => {
        if (m.type === "progress") progress.update(cell.cellId, m.stage, m.done, m.total, m.info);
      });
    }
    const row = toRow(cell, result, dir);
    await store.writeResult(row);
    progress.finish(cell.cellId, `AUPRC ${fmt(row.metrics.auprc)} Dice ${fmt(row.metrics["dice-max"])}`);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof CellInterrupted) {
      progress.fail(cell.cellId, `interrupted (resumable): ${message}`);
      return;
    }
    progress.fail(cell.cellId, message);
    try {
      await store.writeFailure({
        cellId: cell.cellId,
        label: cell.label,
        error: message,
        at: new Date().toISOString(),
        runDir: `runs/${cell.cellId}`,
      });
    } catch (e2) {
      // E.g. a full disk: the other cells go on; this one shows as not run and is retried next time.
      console.error(`warning: ${e2 instanceof Error ? e2.message : e2}; the failure above is not recorded`);
    }
  }
}

/**
 * What an earlier attempt left in the cell's directory: nothing, a complete run (recover its metrics), an
 * interrupted or killed run of this very cell (resume it), or something else (discard it).
 */
async function previousAttempt(
  runDir: string,
  cellId: string,
): Promise<"none" | "complete" | "resume" | "discard"> {
  try {
    await Deno.stat(runDir);
  } catch {
    return "none";
  }
  const record = await readRunRecord(runDir).catch(() => undefined);
  if (!record || record.specHash !== cellId) return "discard";
  if (record.status === "complete") {
    return (await Deno.stat(`${runDir}/metrics.json`).then(() => true, () => false)) ? "complete" : "discard";
  }
  // A failed run keeps its last checkpoint (written atomically, so whole): continuing from it gives the same
  // result as starting over (resume is exact) and loses no training to, say, a full disk.
  const checkpoint = await Deno.stat(`${runDir}/checkpoint.state`).then(() => true, () => false);
  const resumable = record.status === "interrupted" || record.status === "trained" || isOrphaned(record) ||
    (record.status === "failed" && checkpoint);
  return resumable ? "resume" : "discard";
}

/** An interrupted cell (not a failure: it resumes on the next run). */
class CellInterrupted extends Error {}

function runInWorker(
  request: CellRequest,
  workers: Set<Worker>,
  onMessage: (m: WorkerMessage) => void,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    workers.add(worker);
    const done = () => {
      workers.delete(worker);
      worker.terminate();
    };
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
      const m = event.data;
      if (m.type === "done") {
        done();
        resolve(m.result as RunResult);
      } else if (m.type === "error") {
        done();
        reject(m.interrupted ? new CellInterrupted(m.message) : new Error(m.message));
      } else onMessage(m);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      done();
      reject(new Error(e.message));
    };
    worker.postMessage(request satisfies OrchestratorMessage);
  });
}

function fmt(v: number | undefined): string {
  return v === undefined ? "?" : v.toFixed(3);
}

/** A finished cell's row: metrics, timings and its provenance. */
export function toRow(cell: PlannedCell, r: RunResult, dir: string): ResultRow {
  return {
    cellId: cell.cellId,
    dataset: cell.spec.dataset,
    method: cell.spec.method,
    methodLabel: cell.methodLabel,
    noise: cell.spec.noise ?? null,
    noiseLabel: cell.noiseLabel,
    seed: cell.spec.seed,
    metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, m]) => [k, m.value])),
    preprocessingHash: r.preprocessingHash,
    dataIdentity: cell.identity.data,
    codeVersion: cell.identity.code,
    backend: r.backend,
    config: cellConfig(cell),
    rerun: `deno task train --from ${dir}/runs/${cell.cellId}/run.json`,
    trainSeconds: r.training.seconds,
    samplesPerSecond: r.scoring.samplesPerSecond,
    peakRssMiB: r.peakRssMiB,
    ...(r.prCurve ? { prCurve: r.prCurve } : {}),
    ...(r.perCaseAp ? { perCaseAp: r.perCaseAp } : {}),
    ...(r.perCase ? { perCase: r.perCase } : {}),
    versions: r.versions,
  };
}

function cellConfig(cell: PlannedCell): Record<string, unknown> {
  const r = cell.resolved;
  return {
    dataset: r.spec.dataset,
    datasetConfig: r.dataset.config,
    ...(r.spec.dataRoot !== undefined ? { dataRoot: r.spec.dataRoot } : {}),
    method: r.spec.method,
    ...(r.spec.preset ? { preset: r.spec.preset } : {}),
    methodConfig: r.method.config,
    noise: r.spec.noise ?? null,
    noiseConfig: r.noise?.config ?? null,
    seed: r.spec.seed,
    backend: r.spec.backend,
    metrics: r.spec.metrics,
  };
}
