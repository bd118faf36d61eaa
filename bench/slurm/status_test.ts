import assert from "node:assert/strict";
import type { ResultRow } from "../leaderboard.ts";
import type { GridOutcome } from "../outcome.ts";
import type { PlannedCell } from "../plan.ts";
import { ResultsStore } from "../results_store.ts";
import type { CommandRunner } from "./slurm_cli.ts";
import { Slurm } from "./slurm_cli.ts";
import { gridStatus, withSlurmStates } from "./status.ts";
import { writeSubmission } from "./submissions.ts";

const ids = ["done", "run", "wait", "cancel", "error", "stale", "local", "never", "other"];
const plan = ids.map((id) => ({ cellId: id, label: `cell ${id}` }) as unknown as PlannedCell);
const submitted = "2026-01-01T10:00:00.000Z";

/** A grid folder: one submission of 7 cells as array job 10, and the files its cells left. */
async function folder(): Promise<ResultsStore> {
  const store = new ResultsStore(await Deno.makeTempDir());
  await Deno.mkdir(`${store.dir}/slurm/s1`, { recursive: true });
  await writeSubmission(store.dir, "slurm/s1", {
    submitted,
    host: "login",
    jobs: [{
      jobId: "10",
      name: "gpu",
      cells: ["done", "run", "wait", "cancel", "error", "stale", "other"],
      log: "slurm/s1/logs/gpu_10_%a.log",
      after: [],
    }],
  });
  await store.writeResult({ cellId: "done" } as ResultRow);
  await store.writeFailure({
    cellId: "error",
    label: "cell error",
    error: "out of memory",
    at: "2026-01-01T11:00:00Z",
  });
  const lock = (id: string, host: string) =>
    Deno.writeTextFile(
      `${store.cellsDir}/${id}.lock`,
      JSON.stringify({ pid: 1, host, started: "2026-01-01T10:05:00Z" }),
    );
  await lock("stale", "node9"); // taken by task 10_5 on node9, which was killed
  await lock("local", "workstation"); // a local bench on another host: cannot be checked
  await lock("other", "laptop"); // task 10_6 ended, but another host's process holds the cell
  return store;
}

const queue: CommandRunner = (cmd) => {
  const stdout = cmd === "squeue"
    ? "10|1|RUNNING|None|node2\n10|2|PENDING|Dependency|\n"
    : cmd === "scontrol"
    ? "JobId=13 ArrayJobId=10 ArrayTaskId=3 JobState=CANCELLED Reason=None NodeList=node3\n" +
      "JobId=15 ArrayJobId=10 ArrayTaskId=5 JobState=NODE_FAIL Reason=None NodeList=node9\n" +
      "JobId=16 ArrayJobId=10 ArrayTaskId=6 JobState=COMPLETED Reason=None NodeList=node4\n"
    : "";
  return Promise.resolve(
    cmd === "sacct"
      ? { code: 1, stdout: "", stderr: "accounting disabled" }
      : { code: 0, stdout, stderr: "" },
  );
};

Deno.test("cell states from the folder and the queue: finished, running, queued, ended without a result, stale locks", async () => {
  const store = await folder();
  const status = await gridStatus(plan, store, new Slurm(queue));
  const by = Object.fromEntries(status.cells.map((c) => [c.cell.cellId, c]));
  assert.equal(status.submissions, 1);
  assert.equal(by.done!.state, "finished");
  assert.equal(by.run!.state, "running");
  assert.equal(by.run!.task?.slurm?.node, "node2");
  assert.equal(by.wait!.state, "queued");
  assert.equal(by.wait!.task?.slurm?.reason, "Dependency");
  assert.equal(by.cancel!.state, "failed");
  assert.equal(by.cancel!.error, "Slurm task 10_3 ended without a result (CANCELLED)");
  assert.equal(by.cancel!.task?.log, "slurm/s1/logs/gpu_10_3.log");
  assert.equal(by.error!.error, "out of memory", "a failure recorded after the submission says why");
  assert.equal(by.stale!.state, "failed");
  assert.equal(by.stale!.staleLock, true, "the lock of a task that ended on its node is stale");
  assert.match(by.stale!.error!, /NODE_FAIL/);
  assert.equal(by.local!.state, "running", "a lock on another host without a Slurm task is trusted");
  assert.equal(by.other!.state, "running", "a lock taken on another host than the task's is not the task's");
  assert.equal(by.never!.state, "pending");
});

Deno.test("the leaderboards' accounting: queued cells pending, ended tasks failed with task and log", async () => {
  const store = await folder();
  const status = await gridStatus(plan, store, new Slurm(queue));
  const unfinished = plan.filter((c) => c.cellId !== "done").map((c) => ({
    cellId: c.cellId,
    dataset: "d",
    dataIdentity: "x",
    methodLabel: "m",
    noiseLabel: "-",
    seed: 0,
    state: "pending" as const,
  }));
  const outcome: GridOutcome = { rows: [], unfinished, stale: [] };
  const by = Object.fromEntries(withSlurmStates(outcome, status).unfinished.map((u) => [u.cellId, u]));
  assert.equal(by.wait!.state, "pending");
  assert.equal(by.run!.state, "running");
  assert.equal(by.error!.error, "out of memory [Slurm task 10_4, log slurm/s1/logs/gpu_10_4.log]");
  assert.equal(by.cancel!.state, "failed");
  assert.equal(
    by.cancel!.error,
    "Slurm task 10_3 ended without a result (CANCELLED); log slurm/s1/logs/gpu_10_3.log",
  );
});

Deno.test("Slurm not reachable: states from the folder's files alone, and the reason", async () => {
  const store = await folder();
  const down: CommandRunner = () =>
    Promise.resolve({ code: 1, stdout: "", stderr: "Unable to contact slurm controller" });
  const status = await gridStatus(plan, store, new Slurm(down));
  assert.match(status.slurmError!, /Unable to contact slurm controller/);
  const by = Object.fromEntries(status.cells.map((c) => [c.cell.cellId, c.state]));
  assert.deepEqual(by, {
    done: "finished",
    run: "pending",
    wait: "pending",
    cancel: "pending",
    error: "failed",
    stale: "running",
    local: "running",
    never: "pending",
    other: "running",
  });
});
