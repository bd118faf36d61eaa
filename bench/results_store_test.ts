import assert from "node:assert/strict";
import { syntheticRows } from "./report/test_rows.ts";
import { ResultsStore } from "./results_store.ts";

Deno.test("results store: one atomic file per cell; a damaged file is reported and skipped, not merged", async () => {
  const store = new ResultsStore(await Deno.makeTempDir());
  const [a, b] = syntheticRows();
  await store.writeResult(a!);
  await store.writeResult(b!);
  assert.deepEqual([...(await store.results()).keys()].sort(), [a!.cellId, b!.cellId].sort());
  await Deno.writeTextFile(`${store.cellsDir}/${b!.cellId}.json`, '{"cellId": "best-s1", "metr');
  const warnings: string[] = [];
  const rows = await store.results((w) => warnings.push(w));
  assert.deepEqual([...rows.keys()], [a!.cellId]);
  assert.match(warnings[0]!, /best-s1\.json: ignored \(.*not valid JSON.*\); the cell will be run again/);
  // A failure is recorded beside, and cleared when the cell finishes.
  await store.writeFailure({ cellId: b!.cellId, label: "x", error: "boom", at: "t" });
  assert.equal((await store.failures()).get(b!.cellId)?.error, "boom");
  await store.writeResult(b!);
  assert.equal((await store.failures()).size, 0);
});

Deno.test("results store: a cell's lock has one holder; a dead holder's lock is taken over", async () => {
  const store = new ResultsStore(await Deno.makeTempDir());
  const locks = await Promise.all([store.lock("c1"), store.lock("c1"), store.lock("c1")]);
  const held = locks.filter((l) => "release" in l);
  assert.equal(held.length, 1, "exactly one of three concurrent claims wins");
  const refused = locks.find((l) => "heldBy" in l) as { heldBy: { pid: number } };
  assert.equal(refused.heldBy.pid, Deno.pid);
  assert.equal((await store.lockOwner("c1"))?.pid, Deno.pid);
  await (held[0] as { release(): Promise<void> }).release();
  assert.equal(await store.lockOwner("c1"), undefined);
  // A lock left by a killed process on this host.
  const dead = new Deno.Command("true").spawn();
  await dead.status;
  await Deno.writeTextFile(
    `${store.cellsDir}/c2.lock`,
    JSON.stringify({ pid: dead.pid, host: Deno.hostname(), started: "t" }),
  );
  assert.equal(await store.lockOwner("c2"), undefined);
  assert.ok("release" in (await store.lock("c2")));
});
