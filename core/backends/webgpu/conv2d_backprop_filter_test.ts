import { tf } from "../../tf.ts";
import { compareWithCpu, NO_WEBGPU, pick, randomInputs } from "./test_util.ts";

type Pad = "valid" | "same" | number | [[0, 0], [number, number], [number, number], [0, 0]];

interface Case {
  batch: number;
  size: [number, number];
  ci: number;
  co: number;
  k: number;
  stride: number;
  pad: Pad;
}

/** The filter gradient of a conv with these settings, against the cpu backend. */
async function check(c: Case): Promise<void> {
  const x = [c.batch, c.size[0], c.size[1], c.ci];
  const info = tf.backend_util.computeConv2DInfo(
    x as [number, number, number, number],
    [c.k, c.k, c.ci, c.co],
    c.stride,
    1,
    c.pad,
  );
  const inputs = randomInputs({ x, dy: info.outShape });
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: "NHWC", filterShape: [c.k, c.k, c.ci, c.co] };
  await compareWithCpu(
    tf.Conv2DBackpropFilter,
    inputs,
    attrs as unknown as tf.NamedAttrMap,
    JSON.stringify(c),
  );
}

Deno.test({
  name: "Conv2DBackpropFilter: the model's shapes (3×3 stride 1, 1×1, 2×2 stride 2) match cpu",
  ignore: NO_WEBGPU !== undefined,
  async fn() {
    await check({ batch: 2, size: [9, 7], ci: 5, co: 6, k: 3, stride: 1, pad: "valid" });
    await check({ batch: 1, size: [8, 8], ci: 4, co: 70, k: 3, stride: 1, pad: "same" });
    await check({ batch: 3, size: [6, 5], ci: 7, co: 3, k: 1, stride: 1, pad: "valid" });
    await check({ batch: 2, size: [8, 6], ci: 3, co: 5, k: 2, stride: 2, pad: "valid" });
    await check({ batch: 2, size: [7, 9], ci: 6, co: 4, k: 2, stride: 2, pad: "same" });
  },
});

Deno.test({
  name: "Conv2DBackpropFilter: long reductions (split-K) and explicit padding match cpu",
  ignore: NO_WEBGPU !== undefined,
  async fn() {
    // K = 4·24·24 = 2304 output pixels against a 27×9 output: split into several partial sums.
    await check({ batch: 4, size: [24, 24], ci: 3, co: 9, k: 3, stride: 1, pad: 1 });
    await check({
      batch: 1,
      size: [10, 11],
      ci: 2,
      co: 3,
      k: 3,
      stride: 1,
      pad: [[0, 0], [2, 0], [1, 2], [0, 0]],
    });
  },
});

Deno.test({
  name: "Conv2DBackpropFilter: random shapes match cpu",
  ignore: NO_WEBGPU !== undefined,
  async fn() {
    const pads: Pad[] = ["valid", "same", 1];
    for (let i = 0; i < 6; i++) {
      const k = [1, 2, 3][pick(0, 2)]!;
      const stride = k === 2 ? 2 : pick(1, 2);
      await check({
        batch: pick(1, 3),
        size: [pick(k, 12), pick(k, 12)],
        ci: pick(1, 9),
        co: pick(1, 20),
        k,
        stride,
        pad: pads[pick(0, 2)]!,
      });
    }
  },
});
