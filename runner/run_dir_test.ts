import assert from "node:assert/strict";
import { claimRunDir, isOrphaned, readRunRecord } from "./run_dir.ts";

Deno.test("run directories: runs started at once get distinct directories", async () => {
  const runs = await Deno.makeTempDir();
  const ids = await Promise.all(Array.from({ length: 6 }, () => claimRunDir(runs, "20260101-000000-dae-s0")));
  assert.equal(new Set(ids).size, 6);
  assert.deepEqual(ids.toSorted(), [
    "20260101-000000-dae-s0",
    "20260101-000000-dae-s0-2",
    "20260101-000000-dae-s0-3",
    "20260101-000000-dae-s0-4",
    "20260101-000000-dae-s0-5",
    "20260101-000000-dae-s0-6",
  ]);
});

Deno.test("run records: damaged files are named; a dead owner makes a 'running' run an orphan", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(() => readRunRecord(dir), new RegExp(`${dir}/run\\.json not found`));
  await Deno.writeTextFile(`${dir}/run.json`, '{"runId": "x", "status": "runn');
  await assert.rejects(() => readRunRecord(dir), /run\.json: not valid JSON .*damaged or truncated/);
  await Deno.writeTextFile(`${dir}/run.json`, JSON.stringify({ runId: "x", status: "done", spec: {} }));
  await assert.rejects(() => readRunRecord(dir), /run\.json[\s\S]*status/);
  const base = { runId: "x", spec: {}, preprocessingHash: "h", host: Deno.hostname() };
  const dead = new Deno.Command("true").spawn();
  const deadPid = dead.pid;
  await dead.status;
  assert.equal(isOrphaned({ ...base, status: "running", pid: deadPid }), true);
  assert.equal(isOrphaned({ ...base, status: "running", pid: Deno.pid }), false);
  assert.equal(isOrphaned({ ...base, status: "interrupted", pid: deadPid }), false);
  assert.equal(isOrphaned({ ...base, status: "running", pid: deadPid, host: "elsewhere" }), false);
});
