import assert from "node:assert/strict";
import { formatProgress, ProgressBar } from "./progress.ts";

/** A bar writing into an array, on a clock the test moves. */
function recorder(inPlace: boolean) {
  const out: string[] = [];
  let t = 0;
  const bar = (unit = "it") =>
    new ProgressBar("score", { write: (s) => out.push(s), inPlace, unit, now: () => t });
  return { out, bar, advance: (ms: number) => (t += ms) };
}

Deno.test("plain output: a line per tenth of a known total, never one per unit", () => {
  const r = recorder(false);
  const bar = r.bar();
  for (let i = 1; i <= 10_000; i++) {
    r.advance(1); // 10 s in all: no minute mark
    bar.update(i, 10_000, { loss: 1 / i });
  }
  bar.finish();
  assert.equal(r.out.length, 11, r.out.join(""));
  assert.match(r.out[0]!, /^score \[.*\] 1\/10000 /);
  assert.match(r.out.at(-1)!, /10000\/10000 .*loss=1\.00e-4\n$/);
  assert.ok(r.out.every((l) => l.endsWith("\n") && !l.includes("\r")));
});

Deno.test("plain output with an unknown total: the first line, one a minute, and the final count", () => {
  const r = recorder(false);
  const bar = r.bar("cases");
  for (let i = 1; i <= 500; i++) {
    r.advance(600); // 5 minutes in all
    bar.update(i, 0);
  }
  bar.finish();
  // Drawn at 0.6 s, then whenever a minute has passed since the last line, then the final state.
  assert.deepEqual(r.out.map((l) => Number(l.split(" ")[1])), [1, 101, 201, 301, 401, 500]);
  const short = recorder(false);
  const quick = short.bar("cases");
  for (let i = 1; i <= 40; i++) {
    short.advance(10);
    quick.update(i, 0);
  }
  quick.finish();
  assert.deepEqual(short.out.map((l) => l.split(" ").slice(0, 3).join(" ")), [
    "score 1 cases",
    "score 40 cases",
  ]);
});

Deno.test("on a terminal the bar redraws in place and finish draws the last state and ends the line", () => {
  const r = recorder(true);
  const bar = r.bar();
  bar.update(1, 4);
  bar.update(2, 4); // within 200 ms: not drawn now
  r.advance(50);
  bar.update(3, 4); // still within 200 ms
  bar.finish();
  assert.equal(r.out.length, 3);
  assert.ok(r.out[0]!.startsWith("\r") && r.out[0]!.includes("1/4"));
  assert.ok(r.out[1]!.startsWith("\r") && r.out[1]!.includes("3/4"), "finish draws the pending state");
  assert.equal(r.out[2], "\n");
});

Deno.test("formatProgress shows n/N with rate and ETA, or n units without a total", () => {
  assert.equal(
    formatProgress("train", 5, 10, 2, "it", { loss: 0.5 }),
    "train [############............] 5/10 2.50 it/s ETA 0:02 loss=0.5000",
  );
  assert.equal(formatProgress("score", 7, 0, 2, "cases"), "score 7 cases 3.50 cases/s");
});
