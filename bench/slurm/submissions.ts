/**
 * The record of each submission, in the grid's folder: `slurm/<time>/` holds the sbatch scripts,
 * `submission.json` (which job array task runs which cell) and `logs/` (one log per task). Each submission
 * writes its own folder, so nothing is appended to a shared file from two places.
 * @module
 */
import * as v from "valibot";
import { writeJsonAtomic } from "../../runner/atomic.ts";

const recordSchema = v.object({
  /** When it was submitted (ISO time). */
  submitted: v.string(),
  /** Who submitted, from where. */
  host: v.string(),
  /** The job arrays. */
  jobs: v.array(v.object({
    /** Slurm's job id of the array. */
    jobId: v.string(),
    /** The job's name in the submission (its script is `<name>.sbatch`). */
    name: v.string(),
    /** Task i runs cell i. */
    cells: v.array(v.string()),
    /** Log of task i, relative to the grid folder, with `%a` for i. */
    log: v.string(),
    /** Tasks that had to succeed first (`123_4`). */
    after: v.array(v.string()),
  })),
});

/** One submission's record (`slurm/<time>/submission.json`). */
export type SubmissionRecord = v.InferOutput<typeof recordSchema>;

/** Where a cell was last submitted. */
export interface CellTask {
  /** The array task, `123_4`. */
  readonly task: string;
  /** Its log file, relative to the grid folder. */
  readonly log: string;
  /** When it was submitted (ISO time). */
  readonly submitted: string;
}

/** The folder of a new submission: `slurm/<UTC time>` (unique within the grid folder). */
export async function newSubmissionDir(gridDir: string, now = new Date()): Promise<string> {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  await Deno.mkdir(`${gridDir}/slurm`, { recursive: true });
  for (let i = 0;; i++) {
    const rel = `slurm/${stamp}${i ? `-${i}` : ""}`;
    try {
      await Deno.mkdir(`${gridDir}/${rel}`); // the atomic claim of the name
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) continue;
      throw e;
    }
    await Deno.mkdir(`${gridDir}/${rel}/logs`);
    return rel;
  }
}

/** Writes a submission's record into its folder (`rel`, relative to the grid folder). */
export async function writeSubmission(gridDir: string, rel: string, record: SubmissionRecord): Promise<void> {
  await writeJsonAtomic(`${gridDir}/${rel}/submission.json`, record);
}

/** Every submission of the grid folder, oldest first; unreadable records are reported and skipped. */
export async function readSubmissions(
  gridDir: string,
  warn: (line: string) => void = () => {},
): Promise<SubmissionRecord[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(`${gridDir}/slurm`)) if (e.isDirectory) names.push(e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const out: SubmissionRecord[] = [];
  for (const name of names.sort()) {
    const path = `${gridDir}/slurm/${name}/submission.json`;
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) warn(`${path}: cannot read (${e})`);
      continue; // a dry run, or sbatch refused the first job: nothing was submitted
    }
    try {
      out.push(v.parse(recordSchema, JSON.parse(text)));
    } catch (e) {
      warn(`${path}: ignored (${e instanceof Error ? e.message : e})`);
    }
  }
  return out.sort((a, b) => a.submitted.localeCompare(b.submitted));
}

/** The last task each cell was submitted as, by cell id. */
export function lastTasks(submissions: readonly SubmissionRecord[]): Map<string, CellTask> {
  const out = new Map<string, CellTask>();
  for (const s of submissions) {
    for (const job of s.jobs) {
      job.cells.forEach((cellId, i) => {
        out.set(cellId, {
          task: `${job.jobId}_${i}`,
          log: job.log.replace("%a", String(i)),
          submitted: s.submitted,
        });
      });
    }
  }
  return out;
}
