import assert from "node:assert/strict";
import { Rng, tf } from "../../core/mod.ts";
import { gaussianKl, normalTensor, reparameterise, VaeModel } from "./model.ts";

Deno.test("the closed-form KL matches a Monte-Carlo estimate of E_q[log q(z) − log p(z)]", () => {
  const mu = [0.7, -1.2, 0.1];
  const logvar = [-0.5, 0.8, -2];
  const closed = gaussianKl(tf.tensor([mu]), tf.tensor([logvar])).dataSync()[0]!;
  const rng = new Rng(3);
  const n = 200_000;
  let sum = 0;
  for (let s = 0; s < n; s++) {
    for (let d = 0; d < mu.length; d++) {
      const sd = Math.exp(logvar[d]! / 2);
      const e = rng.normal();
      const z = mu[d]! + sd * e;
      // log q − log p for one dimension; the 2π terms cancel.
      sum += -Math.log(sd) - e * e / 2 + z * z / 2;
    }
  }
  const mc = sum / n;
  assert.ok(Math.abs(mc - closed) < 0.01 * closed, `closed form ${closed} vs Monte Carlo ${mc}`);
  // And the KL of the prior itself is zero.
  assert.equal(gaussianKl(tf.zeros([2, 4]), tf.zeros([2, 4])).dataSync()[1], 0);
});

Deno.test("reparameterise gives mu + exp(logvar / 2) · eps", () => {
  const z = reparameterise(
    { mu: tf.tensor([[1, 2]]), logvar: tf.tensor([[0, Math.log(4)]]) },
    tf.tensor([[0.5, -1]]),
  );
  assert.deepEqual(Array.from(z.dataSync()), [1.5, 0]);
  assert.deepEqual(
    Array.from(normalTensor(new Rng(1), 2, 3).dataSync()),
    Array.from(normalTensor(new Rng(1), 2, 3).dataSync()),
  );
});

Deno.test("VaeModel encodes to [B, L] and decodes back to the image shape, 2D and 3D", () => {
  for (const sampleShape of [[16, 8, 2], [8, 8, 8, 1]]) {
    const m = new VaeModel({ sampleShape, widths: [4, 8], latentDim: 5 }, new Rng(0));
    const x = tf.randomUniform([3, ...sampleShape], 0, 1, "float32", 1);
    const { mu, logvar } = m.encode(x);
    assert.deepEqual(mu.shape, [3, 5]);
    assert.deepEqual(logvar.shape, [3, 5]);
    assert.deepEqual(m.decode(mu).shape, x.shape);
    const a = m.reconstruct(x).dataSync();
    assert.deepEqual(
      Array.from(m.reconstruct(x).dataSync()),
      Array.from(a),
      "reconstruction must be deterministic",
    );
    m.params.dispose();
  }
});

Deno.test("VaeModel names a sample shape its levels cannot halve", () => {
  assert.throws(
    () => new VaeModel({ sampleShape: [10, 12, 1], widths: [2, 2, 2], latentDim: 2 }, new Rng(0)),
    /divisible by 4/,
  );
  assert.throws(
    () => new VaeModel({ sampleShape: [12, 1], widths: [2], latentDim: 2 }, new Rng(0)),
    /sampleShape/,
  );
});
