import assert from "node:assert/strict";
import { residualScore } from "../../ops/score_maps.ts";
import { tf } from "../../tf.ts";
import { registerFastCpuKernels, unregisterFastCpuKernels } from "../register_cpu.ts";
import { isWasmResidualActive, registerWasmResidual, unregisterWasmResidual } from "./residual.ts";

await tf.setBackend("cpu");
registerFastCpuKernels();

let seed = 31;
function rand(shape: number[], binary = false): tf.Tensor {
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < v.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const u = seed / 2 ** 32;
    v[i] = binary ? (u < 0.99 ? 1 : 0) : 2 * u - 1;
  }
  return tf.tensor(v, shape);
}

Deno.test("the fused residual score is bit-identical to the tfjs ops, 2D and 3D", async () => {
  const cases: [number[], number, number, number][] = [
    [[3, 17, 13, 4], 5, 0.95, 5], // the paper's settings
    [[2, 9, 10, 1], 3, 0.5, 3],
    [[1, 6, 7, 8, 1], 5, 0.95, 1],
    [[1, 8, 9, 10, 2], 3, 0.95, 3],
    [[2, 5, 5, 6, 3], 3, 0.9, 1],
  ];
  for (const [shape, erodeKernel, erodeKeep, medianKernel] of cases) {
    const images = rand(shape), restored = rand(shape), fg = rand([...shape.slice(0, -1), 1], true);
    const o = { erodeKernel, erodeKeep, medianKernel };
    assert.ok(isWasmResidualActive());
    const fused = await residualScore(images, restored, fg, o);
    unregisterWasmResidual();
    const ops = await residualScore(images, restored, fg, o);
    unregisterFastCpuKernels();
    const stock = await residualScore(images, restored, fg, o);
    registerFastCpuKernels();
    registerWasmResidual();
    assert.deepEqual(fused.dataSync(), ops.dataSync(), `[${shape}]: bit-identical`);
    const d = tf.max(tf.abs(tf.sub(fused, stock))).dataSync()[0]!;
    assert.ok(d <= 1e-6, `[${shape}]: stock kernels differ by ${d}`);
    assert.ok(fused.dataSync().some((v) => v > 0), `[${shape}]: some pixels scored`);
    tf.dispose([images, restored, fg, fused, ops, stock]);
  }
});
