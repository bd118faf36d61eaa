import assert from "node:assert/strict";
import { tf } from "../tf.ts";
import {
  FAST_CPU_CONV_KERNELS,
  isFastCpuConvKernelActive,
  registerFastCpuConvKernels,
  unregisterFastCpuConvKernels,
} from "./cpu_conv.ts";
import { COL_CHUNK_BYTES } from "./cpu_conv_math.ts";
import { assertCloseTensors, Lcg } from "./test_support.ts";

await tf.setBackend("cpu");
registerFastCpuConvKernels();

const lcg = new Lcg(12345);

/** Runs `fn` with the stock kernels registered, then puts the fast ones back. */
function withStock<T>(fn: () => T): T {
  unregisterFastCpuConvKernels();
  try {
    return fn();
  } finally {
    registerFastCpuConvKernels();
  }
}

/** Runs kernel `name` fast and stock on the same inputs and compares the outputs. */
function compareKernel(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap, label: string): void {
  assert.ok(isFastCpuConvKernelActive(name), `${name} fast kernel is registered`);
  const fast = tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
  const stock = withStock(() => tf.engine().runKernel(name, inputs, attrs) as tf.Tensor);
  assertCloseTensors(fast, stock, `${name} ${label}`);
  tf.dispose([fast, stock]);
}

const CHANNELS = [1, 3, 4, 5, 8, 13, 17, 2, 7];

type Pad2D = "same" | "valid" | number | [
  [number, number],
  [number, number],
  [number, number],
  [number, number],
];

Deno.test("2-D kernels match the stock ones (strides, paddings, filter sizes, batch, channels)", () => {
  const pads: Pad2D[] = ["same", "valid", [[0, 0], [1, 0], [0, 2], [0, 0]], 1];
  let i = 0;
  for (const f of [1, 2, 3]) {
    for (const stride of [1, 2]) {
      for (const pad of pads) {
        const batch = i % 2 === 0 ? 1 : 3;
        const inC = CHANNELS[i % CHANNELS.length]!, outC = CHANNELS[(i + 3) % CHANNELS.length]!;
        const xShape = [batch, lcg.int(f, 9), lcg.int(f, 9), inC];
        const filterShape = [f, f, inC, outC];
        const dimRoundingMode = typeof pad === "number" ? (i % 4 === 3 ? "ceil" : "floor") : undefined;
        const label = `x[${xShape}] f${f} s${stride} pad ${JSON.stringify(pad)}`;
        const x = lcg.tensor(xShape), w = lcg.tensor(filterShape);
        const base: tf.NamedAttrMap = { strides: stride, pad, dataFormat: "NHWC" };
        if (dimRoundingMode) base.dimRoundingMode = dimRoundingMode;
        compareKernel(tf.Conv2D, { x, filter: w }, { ...base, dilations: 1 }, label);
        const y = tf.engine().runKernel(tf.Conv2D, { x, filter: w }, { ...base, dilations: 1 }) as tf.Tensor;
        const dy = lcg.tensor(y.shape);
        compareKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...base, filterShape }, label);
        compareKernel(tf.Conv2DBackpropInput, { dy, filter: w }, { ...base, inputShape: xShape }, label);
        tf.dispose([x, w, y, dy]);
        i++;
      }
    }
  }
});

Deno.test("Conv2D with dilations matches the stock kernel", () => {
  for (const [f, pad] of [[3, "same"], [2, "valid"], [3, "valid"]] as const) {
    const x = lcg.tensor([2, 9, 8, 5]), w = lcg.tensor([f, f, 5, 6]);
    compareKernel(
      tf.Conv2D,
      { x, filter: w },
      { strides: 1, pad, dataFormat: "NHWC", dilations: [2, 3] },
      `f${f} ${pad}`,
    );
    tf.dispose([x, w]);
  }
});

Deno.test("FusedConv2D (bias, relu, linear, and the stock fallbacks) matches the stock kernel", () => {
  const x = lcg.tensor([2, 7, 6, 5]),
    w = lcg.tensor([3, 3, 5, 6]),
    bias = lcg.tensor([6]),
    scalarBias = lcg.tensor([1]);
  const cases: [string, tf.NamedTensorMap, string][] = [
    ["bias relu", { x, filter: w, bias }, "relu"],
    ["bias linear", { x, filter: w, bias }, "linear"],
    ["scalar bias relu", { x, filter: w, bias: scalarBias }, "relu"],
    ["no bias relu", { x, filter: w }, "relu"],
    ["elu (stock fallback)", { x, filter: w, bias }, "elu"],
  ];
  for (const [label, inputs, activation] of cases) {
    const attrs = {
      strides: 2,
      pad: "same",
      dataFormat: "NHWC",
      dilations: 1,
      dimRoundingMode: "floor",
      activation,
    };
    compareKernel(tf.FusedConv2D, inputs, attrs, label);
  }
  const fast = tf.fused.conv2d({
    x: x as tf.Tensor4D,
    filter: w as tf.Tensor4D,
    strides: 1,
    pad: "same",
    bias,
    activation: "relu",
  });
  const plain = tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"), bias));
  assertCloseTensors(fast, plain, "tf.fused.conv2d");
  tf.dispose([x, w, bias, scalarBias, fast, plain]);
});

Deno.test("3-D kernels match the stock ones (strides, paddings, filter sizes, batch, channels)", () => {
  let i = 0;
  for (const f of [1, 2, 3]) {
    for (const stride of [1, 2]) {
      for (const pad of ["same", "valid"] as const) {
        const batch = i % 2 === 0 ? 1 : 3;
        const inC = CHANNELS[(i + 1) % CHANNELS.length]!, outC = CHANNELS[(i + 5) % CHANNELS.length]!;
        const xShape = [batch, lcg.int(f, 6), lcg.int(f, 6), lcg.int(f, 6), inC];
        const filterShape = [f, f, f, inC, outC];
        const label = `x[${xShape}] f${f} s${stride} ${pad}`;
        const x = lcg.tensor(xShape), w = lcg.tensor(filterShape);
        compareKernel(tf.Conv3D, { x, filter: w }, {
          strides: stride,
          pad,
          dataFormat: "NDHWC",
          dilations: 1,
        }, label);
        const y = tf.engine().runKernel(tf.Conv3D, { x, filter: w }, {
          strides: stride,
          pad,
          dataFormat: "NDHWC",
          dilations: 1,
        }) as tf.Tensor;
        const dy = lcg.tensor(y.shape);
        compareKernel(tf.Conv3DBackpropFilterV2, { x, dy }, { strides: stride, pad, filterShape }, label);
        compareKernel(tf.Conv3DBackpropInputV2, { dy, filter: w }, {
          strides: stride,
          pad,
          inputShape: xShape,
        }, label);
        tf.dispose([x, w, y, dy]);
        i++;
      }
    }
  }
  const x = lcg.tensor([1, 7, 6, 7, 3]), w = lcg.tensor([2, 3, 2, 3, 4]);
  compareKernel(
    tf.Conv3D,
    { x, filter: w },
    { strides: 1, pad: "same", dataFormat: "NDHWC", dilations: 2 },
    "dilated",
  );
  tf.dispose([x, w]);
});

/** Gradients of sum(op(x, w) * r) with respect to x and w, fast and stock. */
function compareGrads(
  op: (x: tf.Tensor, w: tf.Tensor) => tf.Tensor,
  xShape: number[],
  wShape: number[],
  label: string,
) {
  const x = lcg.tensor(xShape), w = lcg.tensor(wShape);
  const r = lcg.tensor(op(x, w).shape);
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a, b), r)));
  const fast = grads([x, w]);
  const stock = withStock(() => grads([x, w]));
  assertCloseTensors(fast[0]!, stock[0]!, `${label} dx`);
  assertCloseTensors(fast[1]!, stock[1]!, `${label} dw`);
  tf.dispose([x, w, r, ...fast, ...stock]);
}

Deno.test("tf.grads through conv2d and conv3d match the stock kernels", () => {
  compareGrads(
    (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"),
    [3, 9, 8, 5],
    [3, 3, 5, 6],
    "2d s2",
  );
  compareGrads((x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "valid"), [1, 7, 7, 4], [
    2,
    2,
    4,
    3,
  ], "2d s1");
  compareGrads((x, w) => tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 2, "same"), [2, 5, 6, 5, 3], [
    3,
    3,
    3,
    3,
    5,
  ], "3d");
});

Deno.test("conv2dTranspose (stride 2, 2x2 kernel) and its gradients match the stock kernels", () => {
  for (const pad of ["same", "valid"] as const) {
    const x = lcg.tensor([3, 5, 6, 7]), w = lcg.tensor([2, 2, 4, 7]);
    const op = (a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, [3, 10, 12, 4], 2, pad);
    const fast = op(x, w);
    const stock = withStock(() => op(x, w));
    assertCloseTensors(fast, stock, `conv2dTranspose ${pad}`);
    compareGrads(op, [3, 5, 6, 7], [2, 2, 4, 7], `conv2dTranspose ${pad}`);
    tf.dispose([x, w, fast, stock]);
  }
});

Deno.test("inputs larger than one column chunk are processed in several chunks and still match", () => {
  const x = lcg.tensor([1, 32, 32, 64]), w = lcg.tensor([3, 3, 64, 2]), dy = lcg.tensor([1, 32, 32, 2]);
  // 1024 output rows x 576 columns: over one chunk, and a ragged last chunk.
  assert.ok(32 * 32 * 576 * 4 > COL_CHUNK_BYTES);
  const attrs = { strides: 1, pad: "same", dataFormat: "NHWC" };
  compareKernel(tf.Conv2D, { x, filter: w }, { ...attrs, dilations: 1 }, "chunked");
  compareKernel(tf.Conv2DBackpropInput, { dy, filter: w }, { ...attrs, inputShape: x.shape }, "chunked");
  compareKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...attrs, filterShape: w.shape }, "chunked");
  tf.dispose([x, w, dy]);
});

Deno.test("channels-first conv2d falls back to the stock kernel", () => {
  const x = lcg.tensor([2, 6, 7, 3]), w = lcg.tensor([3, 3, 3, 4]);
  const nhwc = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same");
  const nchw = tf.conv2d(tf.transpose(x, [0, 3, 1, 2]) as tf.Tensor4D, w as tf.Tensor4D, 1, "same", "NCHW");
  assertCloseTensors(tf.transpose(nchw, [0, 2, 3, 1]), nhwc, "NCHW fallback");
  tf.dispose([x, w, nhwc, nchw]);
});

Deno.test("a dy whose size does not fit the convolution is rejected with a clear error", () => {
  const x = lcg.tensor([1, 5, 5, 2]), dy = lcg.tensor([1, 4, 4, 3]);
  assert.throws(
    () =>
      tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
        strides: 1,
        pad: "same",
        dataFormat: "NHWC",
        filterShape: [3, 3, 2, 3],
      }),
    /cpu_conv\.ts: Conv2DBackpropFilter: dy has shape \[1,4,4,3\]/,
  );
  tf.dispose([x, dy]);
});

Deno.test("registration is idempotent and reversible", () => {
  registerFastCpuConvKernels();
  registerFastCpuConvKernels();
  for (const name of FAST_CPU_CONV_KERNELS) assert.ok(isFastCpuConvKernelActive(name), name);
  const fast = tf.getKernel(tf.Conv2D, "cpu").kernelFunc;
  unregisterFastCpuConvKernels();
  try {
    for (const name of FAST_CPU_CONV_KERNELS) assert.ok(!isFastCpuConvKernelActive(name), name);
    assert.notEqual(tf.getKernel(tf.Conv2D, "cpu").kernelFunc, fast);
  } finally {
    registerFastCpuConvKernels();
  }
  assert.equal(tf.getKernel(tf.Conv2D, "cpu").kernelFunc, fast);
});
