import assert from "node:assert/strict";
import { Adam, type AdamOptions } from "../optim/adam.ts";
import { Rng } from "../rng.ts";
import { tf } from "../tf.ts";
import { isFastCpuAdamActive, registerFastCpuAdam, unregisterFastCpuAdam } from "./cpu_adam.ts";
import { registerFastCpuKernels } from "./register_cpu.ts";

await tf.setBackend("cpu");
registerFastCpuKernels();

/** Weights after `steps` Adam steps on a least-squares problem over three variables of different shapes. */
function train(options: AdamOptions, steps: number): Float32Array[] {
  const rng = new Rng(3);
  const rand = (shape: number[], s = 1) =>
    tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => s * rng.normal()), shape);
  const vars = [tf.variable(rand([3, 3, 2, 4])), tf.variable(rand([4])), tf.variable(rand([5, 7], 3))];
  const targets = vars.map((v) => rand(v.shape));
  const opt = new Adam(vars, options);
  for (let i = 0; i < steps; i++) {
    const lr = 0.05 / (1 + i);
    opt.step(() => tf.addN(vars.map((v, k) => tf.sum(tf.square(tf.sub(v, targets[k]!))))) as tf.Scalar, lr)
      .loss.dispose();
  }
  const out = vars.map((v) => v.dataSync().slice() as Float32Array);
  opt.dispose();
  tf.dispose([...vars, ...targets]);
  return out;
}

Deno.test("Adam's fused cpu kernels give bit-identical weights to the op-by-op update", () => {
  const cases: AdamOptions[] = [
    {},
    { amsgrad: true, weightDecay: 1e-5, clipNorm: 0.5 }, // the paper's settings
    { amsgrad: true, clipNorm: 1e3 }, // clipping that never scales
    { weightDecay: 0.01, decoupled: true, beta1: 0.8, beta2: 0.99, eps: 1e-6 },
  ];
  for (const options of cases) {
    assert.ok(isFastCpuAdamActive());
    const fused = train(options, 6);
    unregisterFastCpuAdam();
    try {
      assert.ok(!isFastCpuAdamActive());
      const ops = train(options, 6);
      fused.forEach((w, k) => assert.deepEqual(w, ops[k], `${JSON.stringify(options)}: variable ${k}`));
    } finally {
      registerFastCpuAdam();
    }
  }
});
