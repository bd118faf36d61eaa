import { tf } from "../../tf.ts";
import { compareWithCpu, NO_WEBGPU, pick, randomInputs } from "./test_util.ts";

type Pad = "valid" | "same" | number;

interface Case {
  batch: number;
  size: [number, number, number];
  ci: number;
  co: number;
  k: number;
  stride: number;
  pad: Pad;
}

type Shape5 = [number, number, number, number, number];

/** Conv3D and both its gradients with these settings, against the cpu backend. */
async function check(c: Case): Promise<void> {
  const label = JSON.stringify(c);
  const xShape = [c.batch, ...c.size, c.ci] as Shape5;
  const filterShape = [c.k, c.k, c.k, c.ci, c.co] as Shape5;
  const info = tf.backend_util.computeConv3DInfo(xShape, filterShape, c.stride, 1, c.pad);
  const forward = randomInputs({ x: xShape, filter: filterShape });
  const base = { strides: c.stride, pad: c.pad };
  await compareWithCpu(
    tf.Conv3D,
    forward,
    { ...base, dataFormat: "NDHWC", dilations: 1 } as unknown as tf.NamedAttrMap,
    label,
  );
  const filterGrad = randomInputs({ x: xShape, dy: info.outShape });
  await compareWithCpu(
    tf.Conv3DBackpropFilterV2,
    filterGrad,
    { ...base, filterShape } as unknown as tf.NamedAttrMap,
    label,
  );
  const inputGrad = randomInputs({ dy: info.outShape, filter: filterShape });
  await compareWithCpu(
    tf.Conv3DBackpropInputV2,
    inputGrad,
    { ...base, inputShape: xShape } as unknown as tf.NamedAttrMap,
    label,
  );
}

Deno.test({
  name: "Conv3D and its gradients: the model's shapes (3×3×3 stride 1, 1×1×1, 2×2×2 stride 2) match cpu",
  ignore: NO_WEBGPU !== undefined,
  async fn() {
    await check({ batch: 2, size: [5, 6, 4], ci: 3, co: 5, k: 3, stride: 1, pad: "valid" });
    await check({ batch: 1, size: [5, 5, 5], ci: 2, co: 35, k: 3, stride: 1, pad: "same" });
    await check({ batch: 2, size: [3, 4, 5], ci: 6, co: 3, k: 1, stride: 1, pad: "valid" });
    await check({ batch: 1, size: [6, 4, 5], ci: 3, co: 4, k: 2, stride: 2, pad: "same" });
  },
});

Deno.test({
  name: "Conv3D and its gradients: numeric padding, split-K and random shapes match cpu",
  ignore: NO_WEBGPU !== undefined,
  async fn() {
    // Filter gradient K = 2·8³ = 1024 output voxels: split into several partial sums.
    await check({ batch: 2, size: [8, 8, 8], ci: 1, co: 5, k: 3, stride: 1, pad: 1 });
    for (let i = 0; i < 2; i++) {
      const k = [1, 2, 3][pick(0, 2)]!;
      await check({
        batch: pick(1, 2),
        size: [pick(k, 6), pick(k, 6), pick(k, 6)],
        ci: pick(1, 6),
        co: pick(1, 7),
        k,
        stride: k === 2 ? 2 : pick(1, 2),
        pad: pick(0, 1) === 0 ? "valid" : "same",
      });
    }
  },
});
