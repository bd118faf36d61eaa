import assert from "node:assert/strict";
import { Rng } from "../rng.ts";
import { tf } from "../tf.ts";
import { ConvDecoder, ConvEncoder } from "./autoencoder.ts";
import { Params } from "./params.ts";
import { UNet } from "./unet.ts";

const random = (shape: number[], rng: Rng) =>
  tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);

Deno.test("ConvEncoder and ConvDecoder map images to the lowest map and back, 2D and 3D", () => {
  for (const dims of [2, 3] as const) {
    const params = new Params(new Rng(0));
    const opts = { dims, channels: 2, widths: [4, 8, 8] };
    const enc = new ConvEncoder(params, "enc", opts);
    const dec = new ConvDecoder(params, "dec", opts);
    const spatial = dims === 2 ? [16, 12] : [8, 8, 12];
    const x = random([2, ...spatial, 2], new Rng(1));
    const h = enc.apply(x);
    assert.deepEqual(h.shape, [2, ...enc.outputShape(spatial)]);
    assert.deepEqual(enc.outputShape(spatial), [...spatial.map((s) => s / 4), 8]);
    assert.deepEqual(dec.apply(h).shape, x.shape);
    tf.dispose([x, h]);
    params.dispose();
  }
});

Deno.test("every encoder and decoder weight receives a gradient", () => {
  const params = new Params(new Rng(2));
  const opts = { dims: 2 as const, channels: 1, widths: [4, 8] };
  const enc = new ConvEncoder(params, "enc", opts);
  const dec = new ConvDecoder(params, "dec", opts);
  const x = random([2, 8, 8, 1], new Rng(3));
  const { grads } = tf.variableGrads(() =>
    tf.mean(tf.square(tf.sub(dec.apply(enc.apply(x)), x))) as tf.Scalar
  );
  for (const v of params.list()) {
    const g = grads[v.name];
    assert.ok(g, `no gradient for ${v.name}`);
    // GroupNorm right after the conv makes the conv bias cancel exactly; every other weight must move the loss.
    if (!/conv\d\.b$/.test(v.name)) {
      assert.ok(tf.max(tf.abs(g)).dataSync()[0]! > 0, `zero gradient for ${v.name}`);
    }
  }
  params.dispose();
});

Deno.test("the decoder's blocks equal the U-Net's (a one-level U-Net is one block and the 1×1 output)", async () => {
  const unet = new UNet({ dims: 2, inChannels: 4, outChannels: 2, widths: [4] }, new Rng(4));
  const params = new Params(new Rng(5));
  const dec = new ConvDecoder(params, "dec", { dims: 2, channels: 2, widths: [4] });
  const src = await unet.params.toState();
  const renamed = Object.fromEntries(
    Object.entries(src).map((
      [k, t],
    ) => [k.replace(/^down0\./, "dec.bottom.").replace(/^out\./, "dec.out."), t]),
  );
  params.fromState(renamed);
  const x = random([1, 8, 8, 4], new Rng(6));
  const d = tf.max(tf.abs(tf.sub(dec.apply(x), unet.apply(x)))).dataSync()[0]!;
  assert.ok(d < 1e-5, `decoder and U-Net differ by ${d}`);
  unet.params.dispose();
  params.dispose();
});

Deno.test("the encoder names the problem with sizes it cannot halve", () => {
  const params = new Params(new Rng(0));
  const enc = new ConvEncoder(params, "enc", { dims: 2, channels: 1, widths: [2, 2, 2] });
  assert.throws(() => enc.apply(tf.zeros([1, 10, 8, 1])), /divisible by 4 and at least 8; got \[10,8\]/);
  assert.throws(
    () => new ConvDecoder(params, "dec", { dims: 2, channels: 1, widths: [] }),
    /at least one level/,
  );
  params.dispose();
});
