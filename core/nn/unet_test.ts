import assert from "node:assert/strict";
import { registerFastCpuKernels, unregisterFastCpuKernels } from "../backends/mod.ts";
import { isWasmConvLayerActive } from "../backends/wasm/conv_layer.ts";
import { Rng } from "../rng.ts";
import { tf } from "../tf.ts";
import { UNet, type UNetOptions } from "./unet.ts";

await tf.setBackend("cpu");

const random = (shape: number[], rng: Rng, scale = 1) =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal()),
    shape,
  );

/** Loss and gradients (by parameter name) of one DAE step: masked MSE of the restored noisy input. */
function daeStep(opts: UNetOptions, shape: number[]): { loss: number; grads: Map<string, Float32Array> } {
  const net = new UNet(opts, new Rng(7));
  const rng = new Rng(8);
  const images = tf.abs(random(shape, rng));
  const foreground = tf.cast(tf.greater(tf.sum(images, -1, true), 0.6 * shape.at(-1)!), "float32");
  const noise = random(shape, rng, 0.2);
  const { value, grads } = tf.variableGrads(() =>
    tf.tidy(() => {
      const noisy = tf.add(images, tf.mul(noise, foreground));
      const err = tf.square(tf.sub(net.apply(noisy), images));
      return tf.mean(tf.mul(err, foreground)) as tf.Scalar;
    }), net.params.list());
  const out = new Map(
    net.params.names().map((n) => [n, grads[net.params.get(n).name]!.dataSync() as Float32Array]),
  );
  const loss = value.dataSync()[0]!;
  tf.dispose([images, foreground, noise, value, ...Object.values(grads)]);
  net.params.dispose();
  return { loss, grads: out };
}

function compareSteps(opts: UNetOptions, shape: number[]): void {
  unregisterFastCpuKernels();
  assert.ok(!isWasmConvLayerActive());
  const stock = daeStep(opts, shape);
  registerFastCpuKernels();
  assert.ok(isWasmConvLayerActive());
  const fast = daeStep(opts, shape);
  assert.ok(
    Math.abs(fast.loss - stock.loss) <= 1e-4 * Math.abs(stock.loss),
    `loss ${fast.loss} vs ${stock.loss}`,
  );
  assert.equal(fast.grads.size, stock.grads.size);
  for (const [name, want] of stock.grads) {
    const got = fast.grads.get(name)!;
    let scale = 0, err = 0;
    for (let i = 0; i < want.length; i++) {
      scale = Math.max(scale, Math.abs(want[i]!));
      err = Math.max(err, Math.abs(got[i]! - want[i]!));
    }
    assert.ok(scale > 0, `${name}: zero gradient`);
    assert.ok(err <= 1e-4 * scale, `${name}: max error ${err} (scale ${scale})`);
  }
}

Deno.test("a 2D DAE step on the fused cpu path gives the stock kernels' loss and gradients", () => {
  compareSteps({ dims: 2, inChannels: 4, outChannels: 4, widths: [8, 16, 32] }, [4, 16, 16, 4]);
});

Deno.test("a 3D DAE step on the fused cpu path gives the stock kernels' loss and gradients", () => {
  compareSteps({ dims: 3, inChannels: 1, outChannels: 1, widths: [4, 8] }, [2, 8, 8, 8, 1]);
});
