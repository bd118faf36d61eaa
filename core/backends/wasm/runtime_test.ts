import assert from "node:assert/strict";
import { startCpuThreads } from "../register_cpu.ts";
import { packedSize } from "./matmul.ts";
import { REDUCTION_SLOTS, WasmRuntime } from "./runtime.ts";

Deno.test("worker threads start and join parallel jobs; a reduction's partial sums are fixed per slot", async () => {
  await startCpuThreads();
  const rt = WasmRuntime.get();
  assert.equal(rt.workersReady, rt.threads - 1, "every worker started");
  // A split-reduction GEMM: C = A · B with A [6, K] and B [K, 8] of ones in 64 chunks of K. Slot s sums
  // chunks [8s, 8s + 8) whichever thread takes it, so every slot holds 8 chunks' worth.
  const K = 64 * 256, m = 6, n = 8;
  const mark = rt.mark();
  const a = rt.alloc(m * K), b = rt.alloc(packedSize(K, n));
  rt.f32.fill(1, a / 4, a / 4 + m * K);
  rt.f32.fill(1, b / 4, b / 4 + packedSize(K, n));
  const parts = rt.zeros(REDUCTION_SLOTS * m * n);
  rt.parallel("gemm", rt.job([0, 64, m, n, K, 6, 64, 1, a, 1, m, 0, b, 0, parts]));
  const p = rt.read(parts, REDUCTION_SLOTS * m * n);
  assert.deepEqual([...new Set(p)], [K / REDUCTION_SLOTS], "each slot sums its own fixed eighth of K");
  rt.release(mark);
  if (rt.threads < 2) return; // one core: nothing to share
  // A worker that takes a chunk of the GroupNorm kernel writes its own scratch (per thread, NaN before).
  const S = 64, C = 8, B = 256;
  let joined = false;
  for (let attempt = 0; attempt < 200 && !joined; attempt++) {
    const m2 = rt.mark();
    const z = rt.zeros(B * S * C), gamma = rt.put(new Float32Array(C).fill(1)), beta = rt.zeros(C);
    const y = rt.alloc(B * S * C), stats = rt.alloc(B * 2 * 2);
    const scratch = rt.put(new Float32Array(rt.threads * 4 * C * 2).fill(NaN));
    rt.parallel("gn_swish_fwd", rt.job([0, B, S, C, 2, z, gamma, beta, y, stats, scratch]));
    joined = rt.read(scratch + 4 * 8 * C, 8 * C).some((v) => !Number.isNaN(v));
    rt.release(m2);
    if (!joined) await new Promise((r) => setTimeout(r, 5));
  }
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
