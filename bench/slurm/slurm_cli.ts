/**
 * The Slurm commands the executor uses — `sbatch` to submit, `squeue` for queued and running array tasks,
 * `sacct` (where the cluster keeps accounting) or else `scontrol` for how finished tasks ended — and the
 * parsers of their output. Array tasks are named like Slurm does: `<array job id>_<task index>`.
 * @module
 */

/** What Slurm says about one array task. */
export interface TaskState {
  /** Slurm's state, e.g. PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY. */
  readonly state: string;
  /** Why it is pending or how it ended, e.g. "Dependency", "DependencyNeverSatisfied"; absent if none. */
  readonly reason?: string;
  /** The node it runs or ran on, where known. */
  readonly node?: string;
}

/** Runs a command; resolves with its exit code and output (never throws for a non-zero exit). */
export type CommandRunner = (
  cmd: string,
  args: readonly string[],
) => Promise<{ code: number; stdout: string; stderr: string }>;

/** Runs commands on this machine; a missing program is exit code 127 with the reason in stderr. */
export const runCommand: CommandRunner = async (cmd, args) => {
  try {
    const out = await new Deno.Command(cmd, { args: [...args], stdout: "piped", stderr: "piped" }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { code: 127, stdout: "", stderr: `${cmd}: not found` };
    throw e;
  }
};

/** States in which a task still holds (or waits for) a place in the queue. */
const LIVE = new Set([
  "PENDING",
  "CONFIGURING",
  "RUNNING",
  "COMPLETING",
  "SUSPENDED",
  "REQUEUED",
  "RESIZING",
]);

/** Whether a task in `state` is still queued or running. */
export function isLive(state: string): boolean {
  return LIVE.has(state.split(" ")[0]!);
}

/** The Slurm client of one cluster (the one `SLURM_CONF` or the system config names). */
export class Slurm {
  readonly #run: CommandRunner;

  /** A client running commands through `run` (default: on this machine). */
  constructor(run: CommandRunner = runCommand) {
    this.#run = run;
  }

  /** Submits `script` with extra sbatch `args`; returns the job id. Errors carry sbatch's message. */
  async submit(script: string, args: readonly string[] = []): Promise<string> {
    const r = await this.#run("sbatch", ["--parsable", ...args, script]);
    if (r.code === 127) {
      throw new Error(
        `sbatch not found: submit from a host of the Slurm cluster (to try it here: bench/slurm/local_cluster.sh)`,
      );
    }
    if (r.code !== 0) {
      throw new Error(`sbatch ${[...args, script].join(" ")} failed: ${(r.stderr || r.stdout).trim()}`);
    }
    return parseSbatch(r.stdout);
  }

  /**
   * The queued and running tasks of `jobIds`, by task (`123_4`); a throw means squeue could not answer (then
   * nothing can be said about the queue).
   */
  async queued(jobIds: readonly string[]): Promise<Map<string, TaskState>> {
    if (jobIds.length === 0) return new Map();
    const r = await this.#run("squeue", ["-h", "-r", "-j", jobIds.join(","), "-o", "%F|%K|%T|%r|%N"]);
    // Slurm versions differ: some answer an unknown (long finished) job id with an error, others with nothing.
    if (r.code !== 0 && !/Invalid job id/i.test(r.stderr)) {
      throw new Error(`squeue failed: ${(r.stderr || r.stdout).trim() || `exit code ${r.code}`}`);
    }
    return parseSqueue(r.stdout);
  }

  /**
   * How the tasks of `jobIds` ended, by task, as far as Slurm still knows: from `sacct` where the cluster
   * keeps accounting, else from `scontrol` (which forgets a job some minutes after it ends: MinJobAge).
   */
  async ended(jobIds: readonly string[]): Promise<Map<string, TaskState>> {
    if (jobIds.length === 0) return new Map();
    const acct = await this.#run("sacct", [
      "-n",
      "-P",
      "-X",
      "-j",
      jobIds.join(","),
      "-o",
      "JobID,State,Reason,NodeList",
    ]);
    if (acct.code === 0) return parseSacct(acct.stdout);
    const out = new Map<string, TaskState>();
    for (const id of jobIds) {
      const r = await this.#run("scontrol", ["-o", "show", "job", id]);
      if (r.code === 0) { for (const [k, v] of parseScontrol(r.stdout)) out.set(k, v); }
    }
    return out;
  }
}

/** The job id in `sbatch --parsable` output ("123" or "123;cluster"). */
export function parseSbatch(stdout: string): string {
  const id = stdout.trim().split(";")[0]!;
  if (!/^\d+$/.test(id)) throw new Error(`sbatch printed no job id: '${stdout.trim()}'`);
  return id;
}

/** Parses `squeue -h -r -o "%F|%K|%T|%r|%N"` (array job id, task index, state, reason, node). */
export function parseSqueue(stdout: string): Map<string, TaskState> {
  const out = new Map<string, TaskState>();
  for (const line of stdout.split("\n")) {
    const [job, task, state, reason, node] = line.trim().split("|");
    if (!job || !state || !task || !/^\d+$/.test(task)) continue;
    out.set(`${job}_${task}`, withOptional(state, reason, node));
  }
  return out;
}

/** Parses `sacct -n -P -X -o JobID,State,Reason,NodeList`; `123_[0-4]` (never started) covers each task. */
export function parseSacct(stdout: string): Map<string, TaskState> {
  const out = new Map<string, TaskState>();
  for (const line of stdout.split("\n")) {
    const [id, state, reason, node] = line.trim().split("|");
    const m = id?.match(/^(\d+)_(\d+|\[[^\]]+\])$/);
    if (!m || !state) continue;
    for (const t of taskIndices(m[2]!.replace(/^\[|\]$/g, ""))) {
      out.set(`${m[1]}_${t}`, withOptional(state, reason, node === "None assigned" ? "" : node));
    }
  }
  return out;
}

/** Parses `scontrol -o show job <id>` (one line per task, or per range of tasks that never started). */
export function parseScontrol(stdout: string): Map<string, TaskState> {
  const out = new Map<string, TaskState>();
  for (const line of stdout.split("\n")) {
    const field = (k: string) => line.match(new RegExp(`(?:^|\\s)${k}=(\\S*)`))?.[1];
    const job = field("ArrayJobId");
    const tasks = field("ArrayTaskId");
    const state = field("JobState");
    if (!job || !tasks || !state) continue;
    for (const t of taskIndices(tasks)) {
      out.set(`${job}_${t}`, withOptional(state, field("Reason"), field("NodeList")));
    }
  }
  return out;
}

/** Task indices of a Slurm array expression: "4", "0-3", "0,2,5-7", "0-9%2" (the throttle is ignored). */
export function taskIndices(expr: string): number[] {
  const out: number[] = [];
  for (const part of expr.split("%")[0]!.split(",")) {
    const m = part.match(/^(\d+)(?:-(\d+))?(?::(\d+))?$/);
    if (!m) continue;
    const [lo, hi, step] = [Number(m[1]), Number(m[2] ?? m[1]), Number(m[3] ?? 1)];
    for (let i = lo; i <= hi; i += step) out.push(i);
  }
  return out;
}

function withOptional(state: string, reason?: string, node?: string): TaskState {
  return {
    state,
    ...(reason && reason !== "None" ? { reason } : {}),
    ...(node && !/^\(/.test(node) ? { node } : {}),
  };
}
