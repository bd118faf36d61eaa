import assert from "node:assert/strict";
import { tf } from "../tf.ts";
import { Adam, type AdamOptions } from "./adam.ts";

/** Plain-number Adam on loss = Σ aᵢ·pᵢ² (gradient 2·aᵢ·pᵢ), written from the update equations. */
function reference(p0: number[], a: number[], o: Required<AdamOptions>, lrs: number[]): number[] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const vmax = p.map(() => 0);
  lrs.forEach((lr, k) => {
    const t = k + 1;
    let g = p.map((x, i) => 2 * a[i]! * x);
    const norm = Math.sqrt(g.reduce((s, x) => s + x * x, 0));
    if (norm > o.clipNorm) g = g.map((x) => (x * o.clipNorm) / (norm + 1e-6));
    if (!o.decoupled) g = g.map((x, i) => x + o.weightDecay * p[i]!);
    for (let i = 0; i < p.length; i++) {
      m[i] = o.beta1 * m[i]! + (1 - o.beta1) * g[i]!;
      v[i] = o.beta2 * v[i]! + (1 - o.beta2) * g[i]! ** 2;
      vmax[i] = Math.max(vmax[i]!, v[i]!);
      const second = o.amsgrad ? vmax[i]! : v[i]!;
      const denom = Math.sqrt(second) / Math.sqrt(1 - o.beta2 ** t) + o.eps;
      let next = p[i]! - (lr / (1 - o.beta1 ** t)) * (m[i]! / denom);
      if (o.decoupled) next -= lr * o.weightDecay * p[i]!;
      p[i] = next;
    }
  });
  return p;
}

function run(options: Required<AdamOptions>, lrs: number[]): { got: number[]; want: number[] } {
  const p0 = [1.5, -2, 0.25, 3];
  const a = [1, 0.5, 4, 0.1];
  const p = tf.variable(tf.tensor1d(p0));
  const coef = tf.tensor1d(a);
  const opt = new Adam([p], options);
  for (const lr of lrs) {
    opt.step(() => tf.sum(tf.mul(coef, tf.square(p))) as tf.Scalar, lr).loss.dispose();
  }
  const got = Array.from(p.dataSync());
  opt.dispose();
  tf.dispose([p, coef]);
  return { got, want: reference(p0, a, options, lrs) };
}

const base: Required<AdamOptions> = {
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  decoupled: false,
  amsgrad: false,
  clipNorm: Infinity,
};

for (
  const [name, o] of [
    ["plain", base],
    ["AMSGrad with L2 decay", { ...base, amsgrad: true, weightDecay: 0.01 }],
    ["decoupled decay (AdamW)", { ...base, decoupled: true, weightDecay: 0.1 }],
    ["gradient-norm clipping", { ...base, amsgrad: true, clipNorm: 0.5, weightDecay: 1e-3 }],
  ] as const
) {
  Deno.test(`Adam matches the update equations: ${name}`, () => {
    const { got, want } = run(o, [0.1, 0.05, 0.02, 0.1, 0.01]);
    got.forEach((x, i) => assert.ok(Math.abs(x - want[i]!) < 1e-5, `p[${i}]: ${x} vs ${want[i]}`));
  });
}

Deno.test("Adam: clipping changes the trajectory only when the norm exceeds the limit", () => {
  const lrs = [0.1, 0.1, 0.1];
  const clipped = run({ ...base, weightDecay: 0.5, clipNorm: 0.1 }, lrs).got;
  const loose = run({ ...base, weightDecay: 0.5, clipNorm: 1e6 }, lrs).got;
  const none = run({ ...base, weightDecay: 0.5 }, lrs).got;
  assert.deepEqual(loose, none);
  assert.ok(clipped.some((x, i) => Math.abs(x - none[i]!) > 1e-3));
});
