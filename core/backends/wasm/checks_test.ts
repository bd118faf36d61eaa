// Memory safety of the wasm kernels: on one thread with canaries after every scratch buffer
// (UAD_WASM_CHECKS=1), a kernel that writes past a buffer — or a per-thread region sized too small — throws.
// The runtime reads both variables when it is created, which this module forces before restoring them.
import assert from "node:assert/strict";
import type { Tensor } from "@tensorflow/tfjs-core";

const saved = ["UAD_CPU_THREADS", "UAD_WASM_CHECKS"].map((k) => [k, Deno.env.get(k)] as const);
Deno.env.set("UAD_CPU_THREADS", "1");
Deno.env.set("UAD_WASM_CHECKS", "1");
const { setCpuThreads, WasmRuntime } = await import("./runtime.ts");
const rt = WasmRuntime.get();
for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);

const { tf } = await import("../../tf.ts");
const { registerFastCpuKernels } = await import("../register_cpu.ts");
const { convLayer } = await import("./conv_layer.ts");
const { upConvFused } = await import("./up_conv.ts");
const { avgPoolWasm } = await import("./pool.ts");
await tf.setBackend("cpu");
registerFastCpuKernels();

Deno.test("setCpuThreads refuses a count other than the running one, and non-integers", () => {
  setCpuThreads(1);
  assert.throws(() => setCpuThreads(2), /already run with 1 threads/);
  assert.throws(() => setCpuThreads(0), /positive integer/);
});

Deno.test("the canaries catch a write past a buffer", () => {
  assert.equal(rt.threads, 1);
  const mark = rt.mark();
  const a = rt.alloc(8), dst = rt.alloc(3);
  // pack_panels writes 8 columns per row: a 3-float destination is too small.
  assert.throws(() => rt.call("pack_panels", a, 1, 8, 0, dst), /'pack_panels' wrote past the end/);
  rt.release(mark);
});

Deno.test("fused layers stay inside their buffers, forward and backward", () => {
  const cases: [number[], number, number, number, number][] = [
    [[2, 10, 12], 4, 8, 4, 0],
    [[2, 6, 5], 64, 128, 8, 0],
    [[2, 10, 12], 32, 16, 4, 16], // with a skip
    [[2, 5, 6, 4], 1, 8, 4, 0],
    [[1, 4, 4, 4], 12, 10, 5, 5],
    [[3, 3, 7], 3, 6, 3, 0],
    [[2, 7, 5], 32, 36, 4, 0], // Winograd
    [[1, 3, 9], 40, 32, 4, 20],
  ];
  for (const [xs, cin, cout, groups, skip] of cases) {
    const k = xs.length === 3 ? [3, 3] : [3, 3, 3];
    const x = tf.randomNormal([...xs, cin - skip]), s = skip ? tf.randomNormal([...xs, skip]) : undefined;
    const w = tf.randomNormal([...k, cin, cout]), b = tf.randomNormal([cout]);
    const g = tf.randomNormal([cout]), beta = tf.randomNormal([cout]);
    const grads = tf.grads((...t: Tensor[]) =>
      tf.sum(convLayer(t[0]!, t[1]!, t[2]!, t[3]!, t[4]!, groups, 1, t[5]))
    )(
      [x, w, b, g, beta, ...(s ? [s] : [])],
    );
    assert.ok(grads.every((t) => tf.all(tf.isFinite(t)).dataSync()[0]), `[${xs}] ${cin}→${cout}: finite`);
    tf.dispose([x, w, b, g, beta, ...(s ? [s] : []), ...grads]);
  }
  for (const [shape, window] of [[[2, 1, 9, 7, 3], [1, 2, 2]], [[1, 4, 5, 6, 2], [2, 2, 2]]] as const) {
    const y = avgPoolWasm(
      new Float32Array(shape.reduce((p: number, d) => p * d, 1)).fill(1),
      shape,
      window,
      false,
    );
    avgPoolWasm(y, shape, window, true);
  }
  for (const xs of [[2, 4, 4, 16], [1, 3, 2, 7], [1, 2, 3, 2, 5], [1, 40, 30, 6]]) {
    const x = tf.randomNormal(xs),
      w = tf.randomNormal([xs.at(-1)!, 2 ** (xs.length - 2) * 3]),
      b = tf.zeros([3]);
    const grads = tf.grads((...t: Tensor[]) => tf.sum(upConvFused(t[0]!, t[1]!, t[2]!)))([x, w, b]);
    tf.dispose([x, w, b, ...grads]);
  }
  for (
    const [a, b, ta, tb] of [[[301, 37], [37, 29], false, false], [
      [2000, 5],
      [2000, 19],
      true,
      false,
    ]] as const
  ) {
    const c = tf.matMul(tf.randomNormal([...a]), tf.randomNormal([...b]), ta, tb);
    c.dispose();
  }
});
