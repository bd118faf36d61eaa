import assert from "node:assert/strict";
import { Adam, Rng, tf } from "../../core/mod.ts";
import { DiffusionUNet } from "./model.ts";

const tiny = (dims: 2 | 3) =>
  new DiffusionUNet({
    dims,
    channels: 2,
    widths: [4, 8],
    resBlocks: 1,
    attentionLevels: [1],
    heads: 2,
    dropout: 0.1,
    normGroups: 2,
  }, new Rng(0));

Deno.test("DiffusionUNet keeps the input shape in 2D and 3D, and rejects bad input", () => {
  for (const [dims, shape] of [[2, [3, 8, 8, 2]], [3, [2, 4, 8, 8, 2]]] as const) {
    const net = tiny(dims);
    const y = net.apply(tf.zeros([...shape]), new Array(shape[0]).fill(7));
    assert.deepEqual(y.shape, [...shape]);
    assert.throws(() => net.apply(tf.zeros([1, ...shape.slice(1, -2), 5, 2]), [1]), /divisible/);
    assert.throws(() => net.apply(tf.zeros([...shape]), [1]), /timesteps/);
    y.dispose();
    net.params.dispose();
  }
});

Deno.test("DiffusionUNet: the timestep changes the output; dropout only with a dropout rng", () => {
  const net = tiny(2);
  // The zero-initialised convolutions (output, last conv of each block, attention output) hide the body
  // and the timestep at initialisation: give them random values.
  net.params.list().forEach((p, i) => {
    if (p.shape.length > 1 && tf.max(tf.abs(p)).dataSync()[0] === 0) {
      p.assign(tf.randomNormal(p.shape, 0, 0.1, "float32", i));
    }
  });
  const x = tf.randomNormal([1, 8, 8, 2], 0, 1, "float32", 2);
  const at = (t: number, rng?: Rng) => net.apply(x, [t], rng ? { dropoutRng: rng } : {});
  const d = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
  assert.ok(d(at(10), at(900)) > 1e-4, "output ignores t");
  assert.equal(d(at(10), at(10)), 0, "inference is not deterministic");
  assert.ok(d(at(10), at(10, new Rng(3))) > 1e-4, "dropout has no effect in training");
  net.params.dispose();
});

Deno.test("a tiny model's ε-prediction loss decreases over a few AdamW steps", () => {
  const net = tiny(2);
  const rng = new Rng(5);
  const x = tf.tensor(Array.from({ length: 4 * 8 * 8 * 2 }, () => rng.normal() * 0.3), [4, 8, 8, 2]);
  const eps = tf.tensor(Array.from({ length: 4 * 8 * 8 * 2 }, () => rng.normal()), [4, 8, 8, 2]);
  const t = [100, 300, 600, 900];
  const loss = () =>
    tf.tidy(() => tf.mean(tf.square(tf.sub(net.apply(tf.add(x, eps), t), eps))) as tf.Scalar);
  const opt = new Adam(net.params.list(), { weightDecay: 0.01, decoupled: true });
  const first = loss().dataSync()[0]!;
  for (let i = 0; i < 15; i++) opt.step(loss, 3e-3).loss.dispose();
  const last = loss().dataSync()[0]!;
  assert.ok(last < 0.9 * first, `loss went from ${first} to ${last}`);
  opt.dispose();
  net.params.dispose();
});
