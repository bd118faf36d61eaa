import assert from "node:assert/strict";
import { Adam, Rng, tf } from "../../core/mod.ts";
import { Critic } from "./critic.ts";
import { criticLoss, gradientPenalty } from "./wgan_gp.ts";

const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, "float32", seed);

Deno.test("gradientPenalty: ~0 for a critic linear along a unit direction, (k − 1)² for slope k", () => {
  const real = rand([3, 4, 4, 2], 1);
  const fake = rand([3, 4, 4, 2], 2);
  const alpha = tf.tensor([0.1, 0.5, 0.9], [3, 1, 1, 1]);
  const v = tf.tidy(() => {
    const r = rand([1, 4, 4, 2], 3);
    return tf.div(r, tf.norm(r)); // ‖v‖ = 1
  });
  for (const k of [1, 3, 0.5]) {
    const critic = (x: tf.Tensor) => tf.sum(tf.mul(x, tf.mul(v, k)), [1, 2, 3]);
    const gp = gradientPenalty(critic, real, fake, alpha).dataSync()[0]!;
    assert.ok(Math.abs(gp - (k - 1) ** 2) < 1e-5, `slope ${k}: penalty ${gp}`);
  }
});

Deno.test("gradientPenalty: matches the formula on a quadratic critic (∇D(x̂) = x̂)", () => {
  const real = rand([2, 3, 3, 1], 4);
  const fake = rand([2, 3, 3, 1], 5);
  const alpha = tf.tensor([0.25, 0.75], [2, 1, 1, 1]);
  const critic = (x: tf.Tensor) => tf.mul(tf.sum(tf.square(x), [1, 2, 3]), 0.5);
  const r = real.dataSync();
  const f = fake.dataSync();
  const a = [0.25, 0.75];
  let expected = 0;
  for (let s = 0; s < 2; s++) {
    let sq = 0;
    for (let i = 0; i < 9; i++) sq += (r[s * 9 + i]! + a[s]! * (f[s * 9 + i]! - r[s * 9 + i]!)) ** 2;
    expected += (Math.sqrt(sq) - 1) ** 2 / 2;
  }
  assert.ok(Math.abs(gradientPenalty(critic, real, fake, alpha).dataSync()[0]! - expected) < 1e-5);
});

Deno.test("gradientPenalty: its gradient w.r.t. the critic's weights (double backprop) matches finite differences", () => {
  const critic = new Critic({ size: 16, channels: 1, width: 2 }, new Rng(0));
  const real = rand([2, 16, 16, 1], 6);
  const fake = rand([2, 16, 16, 1], 7);
  const alpha = tf.tensor([0.3, 0.6], [2, 1, 1, 1]);
  const penalty = () => gradientPenalty((x) => critic.score(x), real, fake, alpha);
  const vars = critic.params.list();
  const { grads } = tf.variableGrads(penalty, vars);
  // The first conv, a layer-norm scale and the output layer: every kind of op on the double-backprop path.
  const picks = vars.filter((v) => /conv0\.w|norm1\.gamma|out\.w/.test(nameOf(critic, v)));
  assert.equal(picks.length, 3);
  for (const v of picks) {
    const g = Array.from(grads[v.name]!.dataSync());
    const i = g.reduce((best, x, j) => (Math.abs(x) > Math.abs(g[best]!) ? j : best), 0); // largest entry
    const base = v.dataSync().slice();
    const at = (delta: number) => {
      const w = Float32Array.from(base);
      w[i] = w[i]! + delta;
      v.assign(tf.tensor(w, v.shape));
      return penalty().dataSync()[0]!;
    };
    const h = 1e-3;
    const numeric = (at(h) - at(-h)) / (2 * h);
    v.assign(tf.tensor(base, v.shape));
    assert.ok(
      Math.abs(numeric - g[i]!) < 0.05 * Math.abs(g[i]!) + 1e-4,
      `${nameOf(critic, v)}[${i}]: analytic ${g[i]} vs numeric ${numeric}`,
    );
  }
  critic.params.dispose();
});

function nameOf(critic: Critic, v: tf.Variable): string {
  return critic.params.names()[critic.params.list().indexOf(v)]!;
}

Deno.test("criticLoss: Adam steps on it widen D(real) − D(fake) on a tiny problem", () => {
  const critic = new Critic({ size: 16, channels: 1, width: 2 }, new Rng(1));
  const real = tf.tidy(() =>
    tf.mul(tf.ones([4, 16, 16, 1]), tf.reshape(tf.linspace(-0.5, 0.5, 16), [1, 1, 16, 1]))
  );
  const fake = rand([4, 16, 16, 1], 8);
  const alpha = tf.tensor([0.2, 0.4, 0.6, 0.8], [4, 1, 1, 1]);
  const gap = () =>
    tf.tidy(() => tf.sub(tf.mean(critic.score(real)), tf.mean(critic.score(fake))).dataSync()[0]!);
  const before = gap();
  const opt = new Adam(critic.params.list(), { beta1: 0, beta2: 0.9 });
  for (let i = 0; i < 10; i++) {
    opt.step(() => criticLoss((x) => critic.score(x), real, fake, alpha, 10), 1e-3).loss.dispose();
  }
  const after = gap();
  assert.ok(after > before + 0.05, `D(real) − D(fake): ${before} → ${after}`);
  opt.dispose();
  critic.params.dispose();
});
