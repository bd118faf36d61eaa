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

Deno.test("Adam: an exported state continues bit-identically in a fresh optimiser; a mismatch is refused", async () => {
  const coef = tf.tensor1d([1, 0.5, 4, 0.1]);
  const loss = (p: tf.Variable) => () => tf.sum(tf.mul(coef, tf.square(p))) as tf.Scalar;
  const o: AdamOptions = { amsgrad: true, weightDecay: 0.01, clipNorm: 0.5 };
  const lrs = [0.1, 0.05, 0.02, 0.1, 0.01, 0.03];
  const p = tf.variable(tf.tensor1d([1.5, -2, 0.25, 3]));
  const straight = new Adam([p], o);
  let state;
  for (const [k, lr] of lrs.entries()) {
    straight.step(loss(p), lr).loss.dispose();
    if (k === 2) state = await straight.exportState();
  }
  assert.equal(state!.steps, 3);
  assert.deepEqual(Object.keys(state!.slots).sort(), ["m", "v", "vmax"]);

  // The weights after step 3, then a fresh optimiser given the saved state.
  const q = tf.variable(tf.tensor1d([1.5, -2, 0.25, 3]));
  const first = new Adam([q], o);
  for (const lr of lrs.slice(0, 3)) first.step(loss(q), lr).loss.dispose();
  const resumed = new Adam([q], o);
  resumed.importState(state!);
  for (const lr of lrs.slice(3)) resumed.step(loss(q), lr).loss.dispose();
  assert.deepEqual(Array.from(q.dataSync()), Array.from(p.dataSync()));

  // Without the saved moments the same steps end elsewhere: the state carries what matters.
  const r = tf.variable(tf.tensor1d(Array.from(q.dataSync())));
  const fresh = new Adam([r], o);
  for (const lr of lrs.slice(3)) fresh.step(loss(r), lr).loss.dispose();
  assert.notDeepEqual(Array.from(r.dataSync()), Array.from(p.dataSync()));

  assert.throws(() => new Adam([q]).importState(state!), /slots \[m, v, vmax\], expected \[m, v\]/);
  const other = tf.variable(tf.zeros([3]));
  assert.throws(() => new Adam([other], o).importState(state!), /buffer 0 has shape \[4\], expected \[3\]/);
  for (const opt of [straight, first, resumed, fresh]) opt.dispose();
  tf.dispose([p, q, r, other, coef]);
});
