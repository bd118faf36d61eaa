import assert from "node:assert/strict";
import { upConv } from "../../nn/layers.ts";
import { tf } from "../../tf.ts";
import { registerFastCpuKernels, unregisterFastCpuKernels } from "../register_cpu.ts";
import { isWasmUpConvActive } from "./up_conv.ts";
import { assertCloseTensors, Lcg } from "../test_support.ts";

await tf.setBackend("cpu");
registerFastCpuKernels();

const lcg = new Lcg(99);

/** upConv's output and the gradients of Σ output · r, fused and with tfjs's stock kernels. */
function compare(xShape: number[], cout: number): void {
  const rank = xShape.length - 2, cin = xShape.at(-1)!;
  const x = lcg.tensor(xShape), w = lcg.tensor([cin, 2 ** rank * cout]), b = lcg.tensor([cout]);
  const r = lcg.tensor([xShape[0]!, ...xShape.slice(1, -1).map((s) => 2 * s), cout]);
  const run = () => [
    upConv(x, w, b),
    ...tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(upConv(xi, wi, bi), r)))([
      x,
      w,
      b,
    ]),
  ];
  assert.ok(isWasmUpConvActive());
  const got = run();
  unregisterFastCpuKernels();
  const want = run();
  registerFastCpuKernels();
  ["y", "dx", "dw", "db"].forEach((name, i) =>
    assertCloseTensors(got[i]!, want[i]!, `[${xShape}] → ${cout} ${name}`)
  );
  tf.dispose([x, w, b, r, ...got, ...want]);
}

Deno.test("fused up-convolution equals the stock kernels, 2D and 3D, forward and gradients", () => {
  compare([2, 4, 4, 32], 16); // dae-cpu-small's shapes, smaller
  compare([3, 5, 3, 16], 8);
  compare([1, 3, 2, 7], 5); // channels not multiples of 4 or 8
  compare([2, 2, 3, 4, 16], 8);
  compare([1, 3, 2, 2, 5], 3);
  compare([1, 40, 30, 6], 4); // long reduction for the weight gradient
});
