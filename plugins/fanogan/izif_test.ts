import assert from "node:assert/strict";
import { Adam, Rng, tf } from "../../core/mod.ts";
import { Critic } from "./critic.ts";
import { Encoder } from "./encoder.ts";
import { Generator } from "./generator.ts";
import { izifLoss } from "./izif.ts";

Deno.test("izifLoss: image MSE plus κ times feature MSE", () => {
  const x = tf.tensor4d([0.5, -0.5, 1, 0], [1, 2, 2, 1]);
  const nets = {
    encode: (t: tf.Tensor) => tf.reshape(t, [1, 4]),
    generate: (z: tf.Tensor) => tf.reshape(tf.mul(z, 2), [1, 2, 2, 1]), // recon = 2x: image MSE = mean(x²)
    features: (t: tf.Tensor) => tf.sum(t, [1, 2, 3], true), // f(2x) − f(x) = Σx = 1
  };
  const meanSq = (0.25 + 0.25 + 1 + 0) / 4;
  assert.ok(Math.abs(izifLoss(nets, x, 0).dataSync()[0]! - meanSq) < 1e-6);
  assert.ok(Math.abs(izifLoss(nets, x, 3).dataSync()[0]! - (meanSq + 3)) < 1e-6);
});

Deno.test("izifLoss: training the encoder with G and D frozen lowers the loss", () => {
  const shape = { size: 16, channels: 1, width: 2 };
  const g = new Generator(shape, 8, new Rng(0));
  const d = new Critic(shape, new Rng(1));
  const e = new Encoder(shape, 8, new Rng(2));
  // Images G can produce exactly, so a better encoder can always lower the loss.
  const x = tf.tidy(() => g.apply(tf.randomNormal([4, 8], 0, 1, "float32", 5), false));
  const nets = {
    encode: (t: tf.Tensor) => e.apply(t),
    generate: (z: tf.Tensor) => g.apply(z, false),
    features: (t: tf.Tensor) => d.apply(t).features,
  };
  const frozen = [...g.params.list(), ...d.params.list()].map((v) => v.dataSync().slice());
  const opt = new Adam(e.params.list());
  const losses: number[] = [];
  for (let i = 0; i < 15; i++) {
    const { loss } = opt.step(() => izifLoss(nets, x, 1), 3e-3);
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
  }
  assert.ok(losses[14]! < 0.8 * losses[0]!, `loss ${losses[0]} → ${losses[14]}`);
  [...g.params.list(), ...d.params.list()].forEach((v, i) => assert.deepEqual(v.dataSync(), frozen[i]));
  opt.dispose();
  x.dispose();
  for (const p of [g.params, g.stats, d.params, e.params]) p.dispose();
});
