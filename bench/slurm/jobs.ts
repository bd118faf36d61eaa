/**
 * From the cells to submit to job arrays: one array per resource class for the cells that can start at
 * once, and for the cells that reuse a shared model not trained yet (VAE reconstruction after restoration,
 * the diffusion inference methods after each other) one array per class and training cell, started by
 * Slurm once that cell's task succeeded (`--dependency=afterok:<job>_<task>`), so the model is trained once.
 * @module
 */
import type { PlannedCell } from "../plan.ts";
import { type CellResources, className } from "./resources.ts";

/** A cell to submit. */
export interface SubmitCell {
  /** The planned cell. */
  readonly cell: PlannedCell;
  /** What it asks of a node. */
  readonly resources: CellResources;
  /** The shared model it reuses, where that model is not trained yet (its path). */
  readonly sharedModel?: string;
}

/** An array task: of a job of this submission (by index), or of an earlier one (Slurm's `123_4`). */
export type TaskRef = { readonly job: number; readonly task: number } | { readonly slurm: string };

/** One job array to submit. */
export interface PlannedJob {
  /** Unique in the submission; names its script and log files. */
  readonly name: string;
  /** The request of every cell in it. */
  readonly resources: CellResources;
  /** Task i runs cell i. */
  readonly cells: readonly PlannedCell[];
  /** Tasks that must succeed before this array starts. */
  readonly after: readonly TaskRef[];
}

/**
 * Groups `cells` into job arrays, in submission order (every job after the jobs it depends on).
 * `training` maps a shared model's path to the queued or running task of an earlier submission whose cell
 * trains it; other untrained models are trained by the first of their cells here.
 */
export function planJobs(
  cells: readonly SubmitCell[],
  training: ReadonlyMap<string, string> = new Map(),
): PlannedJob[] {
  const trainers = new Map<string, SubmitCell>();
  for (const c of cells) {
    if (c.sharedModel && !training.has(c.sharedModel) && !trainers.has(c.sharedModel)) {
      trainers.set(c.sharedModel, c);
    }
  }
  const first = cells.filter((c) => !c.sharedModel || trainers.get(c.sharedModel) === c);
  const jobs: { name: string; resources: CellResources; cells: PlannedCell[]; after: TaskRef[] }[] = [];
  const where = new Map<SubmitCell, TaskRef & { job: number; task: number }>();
  const byName = new Map<string, number>();
  const add = (c: SubmitCell, name: string, after: TaskRef[]) => {
    let job = byName.get(name);
    if (job === undefined) {
      job = jobs.push({ name, resources: c.resources, cells: [], after }) - 1;
      byName.set(name, job);
    }
    where.set(c, { job, task: jobs[job]!.cells.push(c.cell) - 1 });
  };
  for (const c of first) add(c, className(c.resources), []);
  for (const c of cells) {
    if (where.has(c)) continue;
    const running = training.get(c.sharedModel!);
    const ref: TaskRef = running ? { slurm: running } : where.get(trainers.get(c.sharedModel!)!)!;
    const after = "slurm" in ref ? ref.slurm : `${jobs[ref.job]!.name}.${ref.task}`;
    add(c, `${className(c.resources)}-after-${after}`, [ref]);
  }
  return jobs;
}
