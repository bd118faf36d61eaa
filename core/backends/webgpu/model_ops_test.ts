import assert from "node:assert/strict";
import { erodeMask } from "../../ops/masks.ts";
import { groupNorm, reflectPad } from "../../nn/layers.ts";
import { Adam } from "../../optim/adam.ts";
import { tf } from "../../tf.ts";
import { NO_WEBGPU, randomValues } from "./test_util.ts";

/** Runs `f` on cpu and on webgpu with the same inputs and asserts equal outputs (max error ≤ 1e-4·scale). */
async function sameOnBoth(label: string, f: () => tf.Tensor): Promise<void> {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const out = f();
    const values = (await out.data()) as Float32Array;
    out.dispose();
    return values;
  };
  const want = await run("cpu");
  const got = await run("webgpu");
  assert.equal(got.length, want.length, label);
  let scale = 1, err = 0;
  want.forEach((w, i) => {
    scale = Math.max(scale, Math.abs(w));
    err = Math.max(err, Math.abs(got[i]! - w));
  });
  assert.ok(err <= 1e-4 * scale, `${label}: max error ${err} (scale ${scale})`);
}

Deno.test({
  name: "webgpu: 3D reflect padding, its gradient, erosion and GroupNorm equal the cpu results",
  ignore: NO_WEBGPU !== undefined,
  async fn() {
    const shape = [2, 5, 6, 7, 3];
    const x = randomValues(shape);
    const w = randomValues([2, 7, 8, 9, 3]);
    await sameOnBoth("reflectPad 3D", () => reflectPad(tf.tensor(x, shape), 1));
    await sameOnBoth(
      "reflectPad 3D gradient",
      () =>
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(reflectPad(t, 1), tf.tensor(w, [2, 7, 8, 9, 3]))))(
          tf.tensor(x, shape),
        ),
    );
    const mask = Float32Array.from(x.slice(0, 2 * 5 * 6 * 7), (v) => (v > -0.6 ? 1 : 0));
    await sameOnBoth("erodeMask 3D", () => erodeMask(tf.tensor(mask, [2, 5, 6, 7, 1]), 3, 0.5));
    await sameOnBoth("groupNorm 3D", () => groupNorm(tf.tensor(x, shape), 3, tf.ones([3]), tf.zeros([3])));
  },
});

Deno.test({
  name: "webgpu: Adam clips by the global norm of many gradients as on cpu",
  ignore: NO_WEBGPU !== undefined,
  async fn() {
    // 12 variables: more than the 8 inputs tfjs-webgpu's AddN handles.
    const inits = Array.from({ length: 12 }, (_, i) => randomValues([3 + i]));
    await sameOnBoth("Adam with clipping", () => {
      const vars = inits.map((v) => tf.variable(tf.tensor(v)));
      const opt = new Adam(vars, { clipNorm: 0.1, weightDecay: 0.5 });
      for (let s = 0; s < 3; s++) {
        const loss = () => tf.sum(tf.square(tf.concat(vars.map((v) => tf.reshape(v, [-1]))))) as tf.Scalar;
        opt.step(loss, 0.1).loss.dispose();
      }
      const out = tf.concat(vars.map((v) => tf.reshape(v, [-1])));
      opt.dispose();
      tf.dispose(vars);
      return out;
    });
  },
});

Deno.test({
  name: "webgpu: rank-5 pad and the gradient of a rank-5 slice equal the cpu results",
  ignore: NO_WEBGPU !== undefined,
  async fn() {
    const shape = [2, 3, 4, 5, 3];
    const x = randomValues(shape);
    await sameOnBoth(
      "pad rank 5",
      () => tf.pad(tf.tensor(x, shape), [[0, 1], [1, 0], [2, 1], [0, 0], [1, 2]], 0.5),
    );
    // tf.slice's gradient pads the upstream gradient back to the input's shape.
    const w = randomValues([2, 2, 3, 4, 2]);
    await sameOnBoth(
      "slice gradient rank 5",
      () =>
        tf.grad((t: tf.Tensor) =>
          tf.sum(tf.mul(tf.slice(t, [0, 1, 0, 1, 1], [2, 2, 3, 4, 2]), tf.tensor(w, [2, 2, 3, 4, 2])))
        )(tf.tensor(x, shape)),
    );
  },
});
