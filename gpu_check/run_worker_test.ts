import assert from "node:assert/strict";
import { collect } from "./check.ts";
import type { Stop } from "./report.ts";
import type { Row } from "./rows.ts";
import { runWorker } from "./run_worker.ts";

/** A fake worker: announces three items, finishes the first, starts the second, then `then`. */
function fake(then: string): string[] {
  const script = `
    const send = (m) => console.log("@gpu-check " + JSON.stringify(m));
    send({ t: "items", items: ["a", "b", "c"] });
    send({ t: "start", item: "a" });
    send({ t: "row", row: { part: "speed", check: "a", backend: "cpu", result: "measured", value: 1, unit: "ms/step" } });
    send({ t: "done", item: "a" });
    send({ t: "start", item: "b" });
    console.log("a plain log line");
    console.log("@gpu-check {not json");
    console.error("working on b");
    ${then}`;
  return [Deno.execPath(), "eval", script];
}

Deno.test("a worker that runs past its deadline is stopped; what it had not finished is listed", async () => {
  const lines: string[] = [];
  const t0 = Date.now();
  const w = await runWorker({
    cmd: fake("await new Promise(() => setInterval(() => {}, 1000));"),
    deadline: Date.now() + 2500,
    log: (l) => lines.push(l),
  });
  assert.ok(Date.now() - t0 < 15_000, "stopped promptly");
  assert.equal(w.stopped, true);
  assert.deepEqual(w.rows.map((r) => r.check), ["a"]);
  assert.deepEqual(w.unfinished, [
    { item: "b", started: true, reason: "stopped at the part's share of the budget while it ran" },
    { item: "c", started: false, reason: "not reached: stopped at the part's share of the budget" },
  ]);
  assert.ok(lines.includes("a plain log line"));
  assert.ok(lines.includes("working on b"));
  assert.ok(lines.some((l) => l.startsWith("(unreadable message)")));

  // In the report: skipped, not failed, with the reasons.
  const rows: Row[] = [], stops: Stop[] = [];
  collect("speed", "cpu", 2.5, w, rows, stops, {});
  assert.deepEqual(rows.map((r) => r.result), ["measured", "skipped"]);
  assert.match(rows[1]!.detail!, /^stopped at the part's share of the budget while it ran: b; c/);
  assert.deepEqual(stops[0]!.items.map((i) => i.item), ["b", "c"]);
});

Deno.test("a worker that dies during an item fails that item, naming its last output", async () => {
  const w = await runWorker({ cmd: fake("Deno.exit(3);"), deadline: Date.now() + 60_000, log: () => {} });
  assert.equal(w.stopped, false);
  assert.equal(w.code, 3);
  assert.deepEqual(w.unfinished[0], {
    item: "b",
    started: true,
    reason: "the worker ended (exit code 3) while it ran",
  });
  const rows: Row[] = [], stops: Stop[] = [];
  collect("correctness", "webgpu", 60, w, rows, stops, {});
  const failed = rows.find((r) => r.result === "fail")!;
  assert.equal(failed.check, "b");
  assert.match(failed.detail!, /exit code 3\) while it ran; its last output: .*working on b/);
  assert.deepEqual(stops[0]!.items, [{ item: "c", reason: "not reached: the worker ended (exit code 3)" }]);
});
