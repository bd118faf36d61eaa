/**
 * Where each planned cell of a grid folder stands: finished (its result file), running, queued in Slurm,
 * failed (its failure file, or a Slurm task that ended without a result: cancelled, timed out, out of
 * memory, node failure, dependency never satisfied) or pending (never submitted, or interrupted outside
 * Slurm). A lock taken on another host cannot be checked by its pid; the queue tells whether the task that
 * took it still runs.
 * @module
 */
import type { GridOutcome } from "../outcome.ts";
import type { PlannedCell } from "../plan.ts";
import type { LockOwner, ResultsStore } from "../results_store.ts";
import { isLive, type Slurm, type TaskState } from "./slurm_cli.ts";
import { type CellTask, lastTasks, readSubmissions } from "./submissions.ts";

/** A cell's state. */
export type CellState = "finished" | "running" | "queued" | "failed" | "pending";

/** One cell's status. */
export interface CellStatus {
  /** The planned cell. */
  readonly cell: PlannedCell;
  /** Its state. */
  readonly state: CellState;
  /** The task it was last submitted as, and what Slurm says about that task (absent: nothing known). */
  readonly task?: CellTask & { readonly slurm?: TaskState };
  /** Why it failed. */
  readonly error?: string;
  /** Who holds its lock, if anyone alive (or unknown: on another host) does. */
  readonly lock?: LockOwner;
  /** The lock was left by a Slurm task that no longer runs: it may be removed. */
  readonly staleLock?: boolean;
}

/** The status of a grid folder. */
export interface GridStatus {
  /** One entry per planned cell, in plan order. */
  readonly cells: readonly CellStatus[];
  /** Number of Slurm submissions recorded in the folder. */
  readonly submissions: number;
  /** Why Slurm could not be asked (states then come from the folder's files alone). */
  readonly slurmError?: string;
}

/** Reads the folder of `store` against `plan`, asking `slurm` about the tasks its submissions recorded. */
export async function gridStatus(
  plan: readonly PlannedCell[],
  store: ResultsStore,
  slurm: Slurm,
  warn: (line: string) => void = () => {},
): Promise<GridStatus> {
  const results = await store.results(warn);
  const failures = await store.failures();
  const submissions = await readSubmissions(store.dir, warn);
  const tasks = lastTasks(submissions);
  const open = plan.filter((c) => !results.has(c.cellId) && tasks.has(c.cellId));
  const jobIds = [...new Set(open.map((c) => tasks.get(c.cellId)!.task.split("_")[0]!))];
  let queue: Map<string, TaskState> | undefined;
  let ended = new Map<string, TaskState>();
  let slurmError: string | undefined;
  if (jobIds.length) {
    try {
      queue = await slurm.queued(jobIds);
      const gone = open.map((c) => tasks.get(c.cellId)!.task).filter((t) => !queue!.has(t));
      ended = await slurm.ended([...new Set(gone.map((t) => t.split("_")[0]!))]).catch(() => new Map());
    } catch (e) {
      slurmError = e instanceof Error ? e.message : String(e);
    }
  }
  const cells: CellStatus[] = [];
  for (const cell of plan) {
    const last = tasks.get(cell.cellId);
    const task = last && { ...last, ...withState(queue?.get(last.task) ?? ended.get(last.task)) };
    const base = { cell, ...(task ? { task } : {}) };
    if (results.has(cell.cellId)) {
      cells.push({ ...base, state: "finished" });
      continue;
    }
    const lock = await store.lockOwner(cell.cellId);
    const failure = failures.get(cell.cellId);
    const withLock = lock ? { lock } : {};
    const live = task?.slurm && isLive(task.slurm.state) ? task.slurm : undefined;
    if (live) {
      cells.push({ ...base, ...withLock, state: live.state === "PENDING" ? "queued" : "running" });
    } else if (task && queue && !(lock && !takenBy(lock, task))) {
      // Submitted, no longer queued, no result: the task ended without one.
      const failedLater = failure && failure.at > task.submitted;
      const how = task.slurm
        ? `${task.slurm.state}${task.slurm.reason ? `, ${task.slurm.reason}` : ""}`
        : "no longer in the queue";
      cells.push({
        ...base,
        ...withLock,
        state: "failed",
        error: failedLater ? failure.error : `Slurm task ${task.task} ended without a result (${how})`,
        ...(lock ? { staleLock: true } : {}),
      });
    } else if (lock) cells.push({ ...base, lock, state: "running" });
    else if (failure) cells.push({ ...base, state: "failed", error: failure.error });
    else cells.push({ ...base, state: "pending" });
  }
  return { cells, submissions: submissions.length, ...(slurmError ? { slurmError } : {}) };
}

/**
 * Whether `lock` was (presumably) taken by the task: on the node Slurm ran it on, or, where the node is not
 * known, after the submission. A lock of a live process on this host belongs to that process.
 */
function takenBy(lock: LockOwner, task: CellTask & { slurm?: TaskState }): boolean {
  if (lock.host === Deno.hostname() && lock.pid !== -1) return false;
  const short = (h: string) => h.split(".")[0];
  if (task.slurm?.node) return short(task.slurm.node) === short(lock.host);
  return lock.started >= task.submitted;
}

function withState(s: TaskState | undefined): { slurm?: TaskState } {
  return s ? { slurm: s } : {};
}

/**
 * The outcome with the unfinished cells' states from `status`: queued cells count as pending, and cells
 * whose Slurm task ended without a result as failed, with the reason and the task.
 */
export function withSlurmStates(outcome: GridOutcome, status: GridStatus): GridOutcome {
  const byId = new Map(status.cells.map((s) => [s.cell.cellId, s]));
  const unfinished = outcome.unfinished.map((u) => {
    const s = byId.get(u.cellId);
    if (!s || s.state === "finished") return u;
    const state = s.state === "queued" ? "pending" : s.state;
    const { error: _, record, ...rest } = u;
    // The failure file is worth naming only where the reason shown comes from it.
    const fromFile = record !== undefined && s.error === u.error;
    const error = !s.task
      ? s.error
      : s.error?.startsWith(`Slurm task ${s.task.task} `)
      ? `${s.error}; log ${s.task.log}`
      : `${s.error} [Slurm task ${s.task.task}, log ${s.task.log}]`;
    return {
      ...rest,
      state,
      ...(state === "failed" ? { error: error ?? "?", ...(fromFile ? { record } : {}) } : {}),
    };
  });
  return { ...outcome, unfinished };
}
