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

/** The input gradient of a conv with these settings, against the cpu backend. */
async function check(c: Case): Promise<void> {
  const inputShape = [c.batch, c.size[0], c.size[1], c.ci] as [number, number, number, number];
  const filterShape = [c.k, c.k, c.ci, c.co] as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, c.stride, 1, c.pad);
  const inputs = randomInputs({ dy: info.outShape, filter: filterShape });
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: "NHWC", inputShape };
  await compareWithCpu(
    tf.Conv2DBackpropInput,
    inputs,
    attrs as unknown as tf.NamedAttrMap,
    JSON.stringify(c),
  );
}

Deno.test({
  name: "Conv2DBackpropInput: the model's shapes (3×3 stride 1, 1×1, 2×2 stride 2) match cpu",
  ignore: NO_WEBGPU !== undefined,
  async fn() {
    await check({ batch: 2, size: [9, 7], ci: 5, co: 6, k: 3, stride: 1, pad: "valid" });
    await check({ batch: 1, size: [8, 8], ci: 70, co: 4, k: 3, stride: 1, pad: "same" });
    await check({ batch: 3, size: [6, 5], ci: 7, co: 3, k: 1, stride: 1, pad: "valid" });
    await check({ batch: 2, size: [8, 6], ci: 3, co: 5, k: 2, stride: 2, pad: "valid" });
    await check({ batch: 2, size: [7, 9], ci: 6, co: 4, k: 2, stride: 2, pad: "same" });
  },
});

Deno.test({
  name: "Conv2DBackpropInput: explicit padding, stride 2 with 3×3 and random shapes match cpu",
  ignore: NO_WEBGPU !== undefined,
  async fn() {
    await check({
      batch: 1,
      size: [10, 11],
      ci: 2,
      co: 3,
      k: 3,
      stride: 1,
      pad: [[0, 0], [2, 0], [1, 2], [0, 0]],
    });
    await check({ batch: 2, size: [9, 8], ci: 5, co: 7, k: 3, stride: 2, pad: "same" });
    const pads: Pad[] = ["valid", "same", 1];
    for (let i = 0; i < 5; i++) {
      const k = [1, 2, 3][pick(0, 2)]!;
      await check({
        batch: pick(1, 3),
        size: [pick(k, 12), pick(k, 12)],
        ci: pick(1, 20),
        co: pick(1, 9),
        k,
        stride: k === 2 ? 2 : pick(1, 2),
        pad: pads[pick(0, 2)]!,
      });
    }
  },
});
