import assert from "node:assert/strict";
import { conv, groupNorm, medianDivisor, reflectPad, standardiseWeight, swish } from "../../nn/layers.ts";
import { tf } from "../../tf.ts";
import { registerFastCpuKernels, unregisterFastCpuKernels } from "../register_cpu.ts";
import { convLayer, isWasmConvLayerActive, setConvLayerScratchLimit } from "./conv_layer.ts";
import { WasmRuntime } from "./runtime.ts";
import { assertCloseTensors, Lcg } from "../test_support.ts";

await tf.setBackend("cpu");
registerFastCpuKernels();

const lcg = new Lcg(2024);

/** The layer as tfjs's stock cpu kernels compute it (every fast kernel removed meanwhile). */
function withStock<T>(fn: () => T): T {
  unregisterFastCpuKernels();
  try {
    assert.ok(!isWasmConvLayerActive());
    return fn();
  } finally {
    registerFastCpuKernels();
  }
}

/** Output and the gradients of Σ output · r (r fixed random) for every input. */
function run(layer: (...t: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], r: tf.Tensor): tf.Tensor[] {
  const y = layer(...inputs);
  const grads = tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(layer(...t), r)))(inputs);
  return [y, ...grads];
}

/**
 * Compares the fused layer with the stock composition for x [...xShape, cin] → cout channels; with `skip`
 * channels, the input is x and a skip tensor concatenated (x then keeps cin − skip channels).
 */
function compareLayer(
  xShape: number[],
  cin: number,
  cout: number,
  groups = medianDivisor(cout),
  skip = 0,
): void {
  const k = xShape.length === 3 ? [3, 3] : [3, 3, 3];
  const inputs = [
    lcg.tensor([...xShape, cin - skip], -2, 2),
    lcg.tensor([...k, cin, cout], -0.5, 0.5),
    lcg.tensor([cout], -0.5, 0.5),
    lcg.tensor([cout], 0.5, 1.5),
    lcg.tensor([cout], -0.5, 0.5),
    ...(skip ? [lcg.tensor([...xShape, skip], -2, 2)] : []),
  ];
  const r = lcg.tensor([...xShape, cout]);
  const stockLayer = (
    x: tf.Tensor,
    w: tf.Tensor,
    b: tf.Tensor,
    g: tf.Tensor,
    beta: tf.Tensor,
    s?: tf.Tensor,
  ) =>
    groupNorm(
      swish(conv(reflectPad(s ? tf.concat([x, s], -1) : x, 1), standardiseWeight(w), b)),
      groups,
      g,
      beta,
    );
  const fastLayer = (
    x: tf.Tensor,
    w: tf.Tensor,
    b: tf.Tensor,
    g: tf.Tensor,
    beta: tf.Tensor,
    s?: tf.Tensor,
  ) => convLayer(x, w, b, g, beta, groups, 1, s);
  assert.ok(isWasmConvLayerActive());
  const want = withStock(() => run(stockLayer as (...t: tf.Tensor[]) => tf.Tensor, inputs, r));
  const got = run(fastLayer as (...t: tf.Tensor[]) => tf.Tensor, inputs, r);
  const label = `[${xShape}] ${cin}${skip ? ` (${skip} skip)` : ""}→${cout}`;
  ["y", "dx", "dw", "db", "dgamma", "dbeta", "dskip"].slice(0, want.length).forEach((name, i) =>
    assertCloseTensors(got[i]!, want[i]!, `${label} ${name}`)
  );
  tf.dispose([...inputs, r, ...want, ...got]);
}

Deno.test("fused conv layer equals the stock kernels on the 2D U-Net's layer shapes", () => {
  // dae-cpu-small (widths 8/16/32): down blocks, the bottom block, up blocks (the first on the up-convolved
  // input and the skip, concatenated).
  for (const [cin, cout] of [[4, 8], [8, 8], [8, 16], [16, 32], [32, 32], [16, 8]] as const) {
    compareLayer([2, 10, 12], cin, cout);
  }
  compareLayer([2, 10, 12], 32, 16, medianDivisor(16), 16);
  // The paper's widths (64…512), on small images: the stock gradients are naive loops.
  for (const [cin, cout] of [[4, 64], [64, 128], [256, 128]] as const) compareLayer([1, 6, 5], cin, cout);
});

Deno.test("fused conv layer equals the stock kernels on 3D layer shapes", () => {
  for (const [cin, cout] of [[1, 8], [8, 16], [32, 16]] as const) compareLayer([2, 5, 6, 4], cin, cout);
  compareLayer([2, 5, 6, 4], 16, 8, medianDivisor(8), 8);
  compareLayer([1, 4, 4, 4], 64, 32);
});

Deno.test("fused conv layer: odd sizes, channels not multiples of 4, skips, one group, batch split in groups", () => {
  compareLayer([3, 3, 7], 3, 6, 3); // channels not a multiple of 4: the scalar GroupNorm path
  compareLayer([1, 7, 2], 5, 12, 1);
  compareLayer([2, 3, 3, 3], 2, 10, 5);
  compareLayer([2, 5, 4], 7, 6, 2, 3); // a skip with an odd channel count

  const previous = setConvLayerScratchLimit(4000); // a few samples per group
  try {
    compareLayer([5, 9, 8], 4, 8);
    compareLayer([3, 4, 5, 6], 2, 8);
    compareLayer([5, 6, 7], 12, 8, 4, 5);
  } finally {
    setConvLayerScratchLimit(previous);
  }
});

Deno.test("fused conv layer with Winograd: odd sizes, channels not multiples of 8, skips, batch groups", () => {
  const rt = WasmRuntime.get();
  const phases = (fn: () => void) => {
    rt.profile(true);
    fn();
    return [...rt.profile(false).keys()];
  };
  const used = phases(() => compareLayer([2, 7, 5], 32, 36, 4)); // odd sizes: partial 2×2 tiles
  for (const label of ["conv forward: products", "conv input grad: products", "filter grad: products"]) {
    assert.ok(used.includes(label), `the Winograd path ran (${label})`);
  }
  compareLayer([1, 3, 9], 40, 32, 4, 20); // with a skip
  compareLayer([2, 4, 4], 128, 64, 8); // the paper's widths
  const previous = setConvLayerScratchLimit(20000);
  try {
    compareLayer([4, 5, 6], 32, 32); // over batch groups
  } finally {
    setConvLayerScratchLimit(previous);
  }
});

Deno.test("fused conv layer rejects bad shapes with a clear error", () => {
  const ok = [lcg.tensor([8]), lcg.tensor([8]), lcg.tensor([8])];
  assert.throws(
    () => convLayer(lcg.tensor([1, 4, 4, 3]), lcg.tensor([3, 3, 4, 8]), ok[0]!, ok[1]!, ok[2]!, 4, 1),
    /x have 3 channels, w expects 4/,
  );
  assert.throws(
    () => convLayer(lcg.tensor([1, 4, 4, 4]), lcg.tensor([3, 3, 4, 8]), ok[0]!, ok[1]!, ok[2]!, 3, 1),
    /8 channels do not split into 3 groups/,
  );
  assert.throws(
    () => convLayer(lcg.tensor([1, 1, 4, 4]), lcg.tensor([3, 3, 4, 8]), ok[0]!, ok[1]!, ok[2]!, 4, 1),
    /reflect padding 1 needs more than 1 pixels along the height/,
  );
});
