import assert from "node:assert/strict";
import {
  type CommandRunner,
  isLive,
  parseSacct,
  parseSbatch,
  parseScontrol,
  parseSqueue,
  Slurm,
  taskIndices,
} from "./slurm_cli.ts";

Deno.test("array expressions expand to task indices (ranges, lists, steps; the throttle ignored)", () => {
  assert.deepEqual(taskIndices("4"), [4]);
  assert.deepEqual(taskIndices("0-3"), [0, 1, 2, 3]);
  assert.deepEqual(taskIndices("0,2,5-6"), [0, 2, 5, 6]);
  assert.deepEqual(taskIndices("0-6:3%2"), [0, 3, 6]);
});

Deno.test("sbatch --parsable: the job id, with or without the cluster name", () => {
  assert.equal(parseSbatch("123\n"), "123");
  assert.equal(parseSbatch("456;big-cluster\n"), "456");
  assert.throws(() => parseSbatch("sbatch: error: x\n"), /printed no job id/);
});

Deno.test("squeue -r: one state per task, with reason and node", () => {
  const q = parseSqueue("12|0|RUNNING|None|node7\n12|3|PENDING|Dependency|\n13|N/A|RUNNING|None|n1\n");
  assert.deepEqual(q.get("12_0"), { state: "RUNNING", node: "node7" });
  assert.deepEqual(q.get("12_3"), { state: "PENDING", reason: "Dependency" });
  assert.equal(q.size, 2, "a job that is not an array is not one of ours");
});

Deno.test("sacct: tasks that never started are listed as a bracketed range", () => {
  const s = parseSacct(
    "20_0|COMPLETED|None|n1\n20_1|CANCELLED by 1000|None|n2\n20_[2-3]|CANCELLED by 1000|Dependency|None assigned\n",
  );
  assert.deepEqual(s.get("20_1"), { state: "CANCELLED by 1000", node: "n2" });
  assert.deepEqual(s.get("20_3"), { state: "CANCELLED by 1000", reason: "Dependency" });
  assert.equal(s.size, 4);
});

Deno.test("scontrol show job -o: per task, and a range record for tasks cancelled before starting", () => {
  const s = parseScontrol(
    "JobId=31 ArrayJobId=30 ArrayTaskId=1 JobName=x JobState=OUT_OF_MEMORY Reason=OutOfMemory NodeList=n4\n" +
      "JobId=30 ArrayJobId=30 ArrayTaskId=2-3 JobState=CANCELLED Reason=DependencyNeverSatisfied NodeList=\n",
  );
  assert.deepEqual(s.get("30_1"), { state: "OUT_OF_MEMORY", reason: "OutOfMemory", node: "n4" });
  assert.deepEqual(s.get("30_3"), { state: "CANCELLED", reason: "DependencyNeverSatisfied" });
  assert.ok(isLive("PENDING") && isLive("COMPLETING") && !isLive("CANCELLED by 0") && !isLive("COMPLETED"));
});

/** A runner answering from a table of `cmd` → output, recording the calls. */
function fake(answers: Record<string, { code: number; stdout?: string; stderr?: string }>) {
  const calls: string[] = [];
  const run: CommandRunner = (cmd, args) => {
    calls.push(`${cmd} ${args.join(" ")}`);
    const a = answers[cmd] ?? { code: 127, stderr: `${cmd}: not found` };
    return Promise.resolve({ code: a.code, stdout: a.stdout ?? "", stderr: a.stderr ?? "" });
  };
  return { run, calls };
}

Deno.test("Slurm: an unknown job id is an empty queue, a broken squeue an error; sacct falls back to scontrol", async () => {
  const gone = new Slurm(
    fake({ squeue: { code: 1, stderr: "slurm_load_jobs error: Invalid job id specified" } }).run,
  );
  assert.equal((await gone.queued(["5"])).size, 0);
  const down = new Slurm(fake({ squeue: { code: 1, stderr: "Unable to contact slurm controller" } }).run);
  await assert.rejects(down.queued(["5"]), /squeue failed: Unable to contact slurm controller/);
  const f = fake({
    sacct: { code: 1, stderr: "Slurm accounting storage is disabled" },
    scontrol: {
      code: 0,
      stdout: "JobId=8 ArrayJobId=7 ArrayTaskId=1 JobState=TIMEOUT Reason=TimeLimit NodeList=n\n",
    },
  });
  const ended = await new Slurm(f.run).ended(["7"]);
  assert.deepEqual(ended.get("7_1"), { state: "TIMEOUT", reason: "TimeLimit", node: "n" });
  assert.deepEqual(f.calls.map((c) => c.split(" ")[0]), ["sacct", "scontrol"]);
  const submit = fake({ sbatch: { code: 1, stderr: "sbatch: error: Invalid partition name specified" } });
  await assert.rejects(new Slurm(submit.run).submit("a.sbatch"), /Invalid partition name specified/);
});
