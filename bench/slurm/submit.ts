/**
 * `deno task bench --executor slurm`: the grid's unfinished cells (no result, not running, not queued) as
 * job arrays — one per resource class, and for cells that reuse a shared model not trained yet, arrays that
 * Slurm starts once the training cell succeeded — submitted with `sbatch`, recorded in the grid folder
 * (`slurm/<time>/`: scripts, `submission.json`, `logs/`). `--dry-run` prints the scripts instead.
 * @module
 */
import { UsageError } from "../../cli/args.ts";
import { sharedModelPath } from "../../runner/run.ts";
import type { Grid } from "../grid.ts";
import type { PlannedCell } from "../plan.ts";
import { ResultsStore } from "../results_store.ts";
import { gridRecord } from "../run_grid.ts";
import { planJobs, type PlannedJob, type SubmitCell, type TaskRef } from "./jobs.ts";
import { cellResources, type ClusterOptions, resourceProblems, sbatchOptions } from "./resources.ts";
import { sbatchScript } from "./script.ts";
import { Slurm } from "./slurm_cli.ts";
import { type CellState, gridStatus } from "./status.ts";
import { newSubmissionDir, type SubmissionRecord, writeSubmission } from "./submissions.ts";

/** Options of {@linkcode submitGrid}. */
export interface SubmitOptions extends ClusterOptions {
  /** The grid's results folder, named as a local run names it (`<out>/<grid>`). */
  readonly dir: string;
  /** Print the scripts and cells; submit nothing, write nothing. */
  readonly dryRun?: boolean;
  /** Submit only these cells (`--cells`). */
  readonly cells?: readonly string[];
  /** Submit only the failed cells (`--retry-failed`). */
  readonly retryFailed?: boolean;
  /** The cluster (default: the one `SLURM_CONF` names). */
  readonly slurm?: Slurm;
  /** Human-readable lines (default: stderr). */
  readonly log?: (line: string) => void;
}

/** Submits the unfinished cells of `plan`; returns the record (undefined when nothing was submitted). */
export async function submitGrid(
  grid: Grid,
  plan: readonly PlannedCell[],
  o: SubmitOptions,
): Promise<SubmissionRecord | undefined> {
  const log = o.log ?? ((l: string) => console.error(l));
  const slurm = o.slurm ?? new Slurm();
  const problems = resourceProblems(grid);
  if (problems.length) throw new UsageError(`grid '${grid.name}': ${problems.join("; ")}`);
  checkBackend(grid, plan, o);
  const store = new ResultsStore(o.dir);
  if (!o.dryRun) await store.writeGrid(gridRecord(grid, plan));
  const status = await gridStatus(plan, store, slurm, (l) => log(`warning: ${l}`));
  if (status.slurmError) throw new Error(`cannot read the Slurm queue: ${status.slurmError}`);
  const counts = (s: CellState) => status.cells.filter((c) => c.state === s).length;
  let todo = status.cells.filter((c) => c.state === "pending" || c.state === "failed");
  if (o.retryFailed) todo = todo.filter((c) => c.state === "failed");
  if (o.cells) {
    const byId = new Map(status.cells.map((c) => [c.cell.cellId, c]));
    const unknown = o.cells.filter((id) => !byId.has(id));
    if (unknown.length) {
      throw new UsageError(
        `--cells: ${unknown.join(", ")} not in the plan of grid '${grid.name}' (see --status)`,
      );
    }
    for (const id of o.cells) {
      const s = byId.get(id)!;
      if (!todo.includes(s)) log(`not submitted: ${s.cell.label} (${id}) is ${s.state}`);
    }
    todo = todo.filter((c) => o.cells!.includes(c.cell.cellId));
  }
  log(
    `grid ${grid.name}: ${plan.length} cells: ${counts("finished")} finished, ${
      counts("running")
    } running, ` +
      `${counts("queued")} queued, ${counts("failed")} failed; ${todo.length} to submit ` +
      `(backend ${plan[0]?.identity.backend}, code ${
        [...new Set(plan.map((c) => c.identity.code))].join(", ")
      })`,
  );
  if (todo.length === 0) return undefined;
  const cells: SubmitCell[] = [];
  const training = new Map<string, string>();
  for (const s of status.cells) {
    const path = await untrainedModel(s.cell, o.dir);
    if (path && (s.state === "queued" || s.state === "running") && s.task) training.set(path, s.task.task);
    if (todo.includes(s)) {
      // Without --slurm-gres a cell's GPU flag requests nothing: it belongs with the CPU cells.
      const r = cellResources(s.cell, grid);
      const resources = { ...r, gpu: r.gpu && !!o.gres };
      cells.push({ cell: s.cell, resources, ...(path ? { sharedModel: path } : {}) });
    }
  }
  const jobs = planJobs(cells, training);
  if (o.dryRun) return dryRun(grid, jobs, o, log);
  for (const s of todo) {
    if (!s.staleLock) continue;
    await Deno.remove(`${o.dir}/cells/${s.cell.cellId}.lock`).catch(() => {});
    log(`removed the lock left by Slurm task ${s.task!.task} (no longer running): ${s.cell.label}`);
  }
  return await submitJobs(grid, jobs, o, slurm, log);
}

/**
 * With `--slurm-gres` and backend "auto", the cell ids would name the backend this host resolves "auto" to;
 * on a host without a GPU that is cpu, and GPU nodes would refuse the cells as planned for another backend.
 */
function checkBackend(grid: Grid, plan: readonly PlannedCell[], o: SubmitOptions): void {
  const backend = plan[0]?.identity.backend;
  if (grid.backend !== "auto" || !o.gres || backend !== "cpu") return;
  if (!plan.some((c) => cellResources(c, grid).gpu)) return;
  throw new UsageError(
    `backend 'auto' resolves to cpu on this host (no GPU here), so the cells would be planned for cpu on ` +
      `GPU nodes: pass the backend the GPU nodes use (e.g. --backend webgpu) and plan on a host that has it ` +
      `(see bench/slurm/README.md), or leave out --slurm-gres to run the cells on cpu`,
  );
}

/** The path of the shared model `cell` reuses, where that model is not trained yet. */
async function untrainedModel(cell: PlannedCell, dir: string): Promise<string | undefined> {
  const path = await sharedModelPath(cell.resolved, cell.identity, `${dir}/models`);
  if (!path) return undefined;
  return (await Deno.stat(path).then(() => true, () => false)) ? undefined : path;
}

function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`.replace(/\/\.\//g, "/");
}

/** The script of `job`, with the log of its tasks in `logDir`. */
function scriptOf(grid: Grid, job: PlannedJob, o: SubmitOptions, logDir: string): string {
  return sbatchScript({
    jobName: `uad-${grid.name}-${job.name}`,
    options: [...sbatchOptions(job.resources, o), ...(o.extra ?? [])],
    cells: job.cells,
    log: `${absolute(`${o.dir}/${logDir}`)}/${job.name}_%A_%a.log`,
    workDir: Deno.cwd(),
    deno: Deno.execPath(),
    main: new URL("../../cli/main.ts", import.meta.url).pathname,
    gridDir: o.dir,
    header: `grid ${grid.name}, written by 'deno task bench --executor slurm' (${new Date().toISOString()})`,
  });
}

/** sbatch's options for the order of `job`: after the tasks it depends on, cancelled if they fail. */
function dependencyArgs(after: readonly string[]): string[] {
  return after.length ? [`--dependency=afterok:${after.join(":")}`, "--kill-on-invalid-dep=yes"] : [];
}

function dryRun(grid: Grid, jobs: PlannedJob[], o: SubmitOptions, log: (l: string) => void): undefined {
  const ref = (r: TaskRef) => ("slurm" in r ? r.slurm : `<job id of ${jobs[r.job]!.name}>_${r.task}`);
  for (const job of jobs) {
    const args = dependencyArgs(job.after.map(ref));
    console.log(`# sbatch --parsable ${[...args, `${job.name}.sbatch`].join(" ")}`);
    console.log(scriptOf(grid, job, o, "slurm/<time>/logs"));
  }
  const n = jobs.reduce((a, j) => a + j.cells.length, 0);
  log(`dry run: ${n} cell(s) in ${jobs.length} job array(s); nothing submitted`);
}

async function submitJobs(
  grid: Grid,
  jobs: PlannedJob[],
  o: SubmitOptions,
  slurm: Slurm,
  log: (l: string) => void,
): Promise<SubmissionRecord> {
  const rel = await newSubmissionDir(o.dir);
  const record: SubmissionRecord = { submitted: new Date().toISOString(), host: Deno.hostname(), jobs: [] };
  const ids: string[] = [];
  try {
    for (const job of jobs) {
      const script = `${o.dir}/${rel}/${job.name}.sbatch`;
      await Deno.writeTextFile(script, scriptOf(grid, job, o, `${rel}/logs`));
      const after = job.after.map((r) => ("slurm" in r ? r.slurm : `${ids[r.job]}_${r.task}`));
      const jobId = await slurm.submit(script, dependencyArgs(after));
      ids.push(jobId);
      record.jobs.push({
        jobId,
        name: job.name,
        cells: job.cells.map((c) => c.cellId),
        log: `${rel}/logs/${job.name}_${jobId}_%a.log`,
        after,
      });
      const waits = after.length ? `, after ${after.join(", ")}` : "";
      log(`  job ${jobId}: ${job.cells.length} cell(s) (${job.name}${waits}): ${script}`);
    }
  } finally {
    // What was submitted is recorded; a submission that submitted nothing leaves no folder.
    if (record.jobs.length) await writeSubmission(o.dir, rel, record);
    else await Deno.remove(`${o.dir}/${rel}`, { recursive: true }).catch(() => {});
  }
  console.log(ids.join("\n"));
  log(
    `submitted ${record.jobs.reduce((a, j) => a + j.cells.length, 0)} cell(s) in ${ids.length} job ` +
      `array(s); logs in ${o.dir}/${rel}/logs/\n` +
      `  status:       deno task bench --grid ${o.dir} --status\n` +
      `  leaderboards: deno task bench --grid ${o.dir} --report`,
  );
  return record;
}
