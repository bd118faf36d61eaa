import assert from "node:assert/strict";
import { startCpuThreads } from "../register_cpu.ts";
import { packedSize } from "./matmul.ts";
import { WasmRuntime } from "./runtime.ts";

Deno.test("worker threads start and take chunks of parallel jobs; results equal one thread's", async () => {
  await startCpuThreads();
  const rt = WasmRuntime.get();
  assert.equal(rt.workersReady, rt.threads - 1, "every worker started");
  if (rt.threads < 2) return; // one core: nothing to share
  // A split-reduction GEMM leaves each thread's share in its own partial buffer: C = A · B with A [6, K]
  // of ones and B [K, 8] of ones, split into 64 chunks of K.
  const K = 64 * 256, m = 6, n = 8;
  const mark = rt.mark();
  const a = rt.alloc(m * K), b = rt.alloc(packedSize(K, n));
  rt.f32.fill(1, a / 4, a / 4 + m * K);
  rt.f32.fill(1, b / 4, b / 4 + packedSize(K, n));
  let joined = false;
  for (let attempt = 0; attempt < 200 && !joined; attempt++) {
    const parts = rt.zeros(rt.threads * m * n);
    rt.parallel("gemm", rt.job([0, 64, m, n, K, 6, 64, 1, a, 1, m, 0, b, 0, parts]));
    const p = rt.read(parts, rt.threads * m * n);
    let total = 0;
    for (let t = 0; t < rt.threads; t++) total += p[t * m * n]!;
    assert.equal(total, K, "the partial sums add up to the full product");
    joined = p.subarray(m * n).some((v) => v > 0);
    if (!joined) await new Promise((r) => setTimeout(r, 5));
  }
  rt.release(mark);
  assert.ok(joined, "a worker thread took chunks");
});

Deno.test("idle workers exit (a terminated realm frees its memory) and the next job starts them again", async () => {
  await startCpuThreads();
  const rt = WasmRuntime.get();
  if (rt.threads < 2) return;
  for (let i = 0; i < 100 && rt.workersReady > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(rt.workersReady, 0, "no job for a few seconds: the workers exited");
  const mark = rt.mark();
  const x = rt.zeros(64), y = rt.alloc(64);
  rt.parallel("channels", rt.job([0, 4, 16, 64, 1, 0, 1, x, y, rt.alloc(64)])); // any job restarts them
  rt.release(mark);
  await rt.whenReady();
  assert.equal(rt.workersReady, rt.threads - 1, "started again");
});
