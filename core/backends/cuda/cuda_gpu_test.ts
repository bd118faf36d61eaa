/**
 * The `cuda` backend against the `cpu` backend on random inputs, one case per registered device kernel
 * family, plus gradients, the cpu fallback and leak checks. Needs an NVIDIA GPU with its driver, CUDA 13,
 * cuBLAS, cuDNN 9 and NVRTC; elsewhere every test is skipped with the reason printed.
 */
import assert from "node:assert/strict";
import { tf } from "../../tf.ts";
import { compareWithCpu, type RandomInput, type TensorOp } from "./backend_compare.ts";
import { describeDevice, registerCudaBackend } from "./register.ts";

let skipReason: string | undefined;
try {
  const { device } = registerCudaBackend();
  console.log(`cuda_gpu_test: running on ${describeDevice(device)}`);
} catch (e) {
  skipReason = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  console.log(`cuda_gpu_test: skipped, no usable NVIDIA GPU: ${skipReason}`);
}

type Input = RandomInput;
type Op = TensorOp;
const same = (op: Op, inputs: Input[], rtol?: number) => compareWithCpu("cuda", op, inputs, rtol);

const ignore = skipReason !== undefined;
const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name: `cuda vs cpu: ${name}`, ignore, fn });

const F = (...shape: number[]): Input => ({ shape });
const P = (...shape: number[]): Input => ({ shape, lo: 0.1, hi: 3 });
const I = (...shape: number[]): Input => ({ shape, dtype: "int32", lo: -5, hi: 6 });

test("unary ops", async () => {
  const float: [string, Op, Input][] = [
    ["abs", (x) => tf.abs(x!), F(7, 9)],
    ["neg", (x) => tf.neg(x!), F(7, 9)],
    ["exp", (x) => tf.exp(x!), F(7, 9)],
    ["expm1", (x) => tf.expm1(x!), F(7, 9)],
    ["log", (x) => tf.log(x!), P(7, 9)],
    ["log1p", (x) => tf.log1p(x!), P(7, 9)],
    ["sqrt", (x) => tf.sqrt(x!), P(7, 9)],
    ["rsqrt", (x) => tf.rsqrt(x!), P(7, 9)],
    ["reciprocal", (x) => tf.reciprocal(x!), P(7, 9)],
    ["square", (x) => tf.square(x!), F(7, 9)],
    ["sigmoid", (x) => tf.sigmoid(x!), F(7, 9)],
    ["tanh", (x) => tf.tanh(x!), F(7, 9)],
    ["sin", (x) => tf.sin(x!), F(7, 9)],
    ["cos", (x) => tf.cos(x!), F(7, 9)],
    ["erf", (x) => tf.erf(x!), F(7, 9)],
    ["floor", (x) => tf.floor(x!), F(7, 9)],
    ["ceil", (x) => tf.ceil(x!), F(7, 9)],
    ["round", (x) => tf.round(x!), F(7, 9)],
    ["sign", (x) => tf.sign(x!), F(7, 9)],
    ["relu", (x) => tf.relu(x!), F(7, 9)],
    ["relu6", (x) => tf.relu6(tf.mul(x!, 4)), F(7, 9)],
    ["elu", (x) => tf.elu(x!), F(7, 9)],
    ["selu", (x) => tf.selu(x!), F(7, 9)],
    ["softplus", (x) => tf.softplus(tf.mul(x!, 10)), F(7, 9)],
    ["leakyRelu", (x) => tf.leakyRelu(x!, 0.3), F(7, 9)],
    ["step", (x) => tf.step(x!, 0.25), F(7, 9)],
    ["clipByValue", (x) => tf.clipByValue(x!, -0.5, 0.7), F(7, 9)],
    ["isNaN", (x) => tf.isNaN(tf.log(x!)), F(7, 9)],
    ["swish", (x) => tf.mul(x!, tf.sigmoid(x!)), F(4, 5, 6)],
  ];
  for (const [name, op, input] of float) {
    await same(op, [input], 2e-6).catch((e) => assert.fail(`${name}: ${e.message}`));
  }
  for (const op of [tf.abs, tf.neg, tf.square, tf.sign, tf.relu] as ((x: tf.Tensor) => tf.Tensor)[]) {
    await same((x) => op(x!), [I(5, 6)]);
  }
});

test("binary ops with broadcasting over up to 5-D", async () => {
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ["add", tf.add],
    ["sub", tf.sub],
    ["mul", tf.mul],
    ["div", tf.div],
    ["maximum", tf.maximum],
    ["minimum", tf.minimum],
    ["squaredDifference", tf.squaredDifference],
    ["atan2", tf.atan2],
    ["equal", tf.equal],
    ["notEqual", tf.notEqual],
    ["less", tf.less],
    ["lessEqual", tf.lessEqual],
    ["greater", tf.greater],
    ["greaterEqual", tf.greaterEqual],
  ];
  const shapes: [number[], number[]][] = [
    [[3, 4], [3, 4]],
    [[2, 3, 4, 5, 6], []],
    [[], [4, 5]],
    [[2, 1, 4, 1, 6], [3, 1, 5, 1]],
    [[2, 8, 8, 8, 4], [1, 1, 1, 1, 4]],
    [[6, 1], [1, 7]],
  ];
  for (const [name, op] of ops) {
    for (const [sa, sb] of shapes) {
      await same((a, b) => op(a!, b!), [F(...sa), F(...sb)], 2e-6).catch((e) =>
        assert.fail(`${name} ${sa} ${sb}: ${e.message}`)
      );
    }
    if (name !== "div" && name !== "atan2") await same((a, b) => op(a!, b!), [I(4, 1, 3), I(5, 1)]);
  }
  await same((a, b) => tf.pow(a!, b!), [P(4, 5), F(5)], 1e-5);
  await same((a, b) => tf.floorDiv(a!, b!), [F(4, 5), P(5)]);
  await same((a, b) => tf.mod(a!, b!), [I(4, 5), { shape: [5], dtype: "int32", lo: 1, hi: 4 }]);
  await same((a, b) => tf.logicalAnd(a!, b!), [{ shape: [3, 4], dtype: "bool" }, {
    shape: [4],
    dtype: "bool",
  }]);
  await same((a, b) => tf.logicalOr(a!, b!), [{ shape: [3, 4], dtype: "bool" }, {
    shape: [3, 1],
    dtype: "bool",
  }]);
});

test("select, cast, fill, addN", async () => {
  await same((c, a, b) => tf.where(c!, a!, b!), [{ shape: [3, 4], dtype: "bool" }, F(3, 4), F(3, 4)]);
  await same((c, a, b) => tf.where(c!, a!, b!), [{ shape: [4], dtype: "bool" }, F(2, 3, 4), F(1, 4)]);
  for (
    const [from, to] of [
      ["float32", "int32"],
      ["float32", "bool"],
      ["int32", "float32"],
      ["bool", "float32"],
      ["bool", "int32"],
    ] as const
  ) {
    await same((x) => tf.cast(x!, to), [{ shape: [5, 6], dtype: from, lo: -4, hi: 4 }]);
  }
  await same(() => [tf.fill([3, 4], 2.5), tf.zeros([2, 2], "int32"), tf.ones([3], "bool")], []);
  await same((x) => [tf.zerosLike(x!), tf.onesLike(x!)], [F(3, 4)]);
  await same((a, b, c) => tf.addN([a!, b!, c!]), [F(3, 4), F(3, 4), F(3, 4)]);
});

test("reductions over any axes, keepDims, long rows", async () => {
  const axesCases: (number | number[] | undefined)[] = [undefined, 0, -1, [1, 2], [0, 2, 4], [1, 3]];
  for (const axis of axesCases) {
    for (const keep of [false, true]) {
      await same(
        (
          x,
        ) => [
          tf.sum(x!, axis, keep),
          tf.mean(x!, axis, keep),
          tf.max(x!, axis, keep),
          tf.min(x!, axis, keep),
        ],
        [F(2, 3, 4, 5, 6)],
        1e-5,
      )
        .catch((e) => assert.fail(`axis ${axis} keepDims ${keep}: ${e.message}`));
    }
  }
  await same((x) => tf.prod(x!, 1), [{ shape: [4, 6], lo: 0.5, hi: 1.5 }], 1e-5);
  await same((x) => [tf.sum(x!, 1), tf.max(x!, 0), tf.min(x!)], [I(7, 9)]);
  await same((x) => [tf.all(x!, 1), tf.any(x!, 0)], [{ shape: [5, 6], dtype: "bool" }]);
  await same((x) => [tf.argMax(x!, 1), tf.argMin(x!, 0)], [F(33, 300)]);
  // Few outputs, long rows: the two-pass split.
  await same((x) => [tf.sum(x!), tf.mean(x!, [1, 2, 3]), tf.max(x!)], [F(2, 64, 64, 40)], 1e-4);
  await same((x) => tf.moments(x!, [0, 1, 2]).variance, [F(2, 32, 32, 8)], 1e-4);
});

test("data movement: transpose, slice, stridedSlice, reverse, tile, pad, mirrorPad, concat, split, gather", async () => {
  await same((x) => tf.transpose(x!, [4, 0, 3, 1, 2]), [F(2, 3, 4, 5, 6)]);
  await same((x) => tf.transpose(x!), [I(7, 9)]);
  await same((x) => tf.slice(x!, [1, 0, 2], [2, -1, 3]), [F(4, 5, 6)]);
  await same((x) => tf.stridedSlice(x!, [0, 1, 5], [4, 5, 0], [2, 1, -2]), [F(4, 5, 6)]);
  await same((x) => tf.reverse(x!, [0, 2]), [F(3, 4, 5)]);
  await same((x) => tf.tile(x!, [2, 1, 3]), [F(2, 3, 4)]);
  await same((x) => tf.pad(x!, [[1, 2], [0, 0], [3, 1]], 0.5), [F(3, 4, 5)]);
  await same((x) => tf.mirrorPad(x!, [[0, 0], [2, 1], [1, 2], [0, 0]], "reflect"), [F(2, 5, 6, 3)]);
  await same((x) => tf.mirrorPad(x!, [[1, 1], [2, 1], [0, 2]], "symmetric"), [F(3, 4, 5)]);
  await same((a, b, c) => tf.concat([a!, b!, c!], 1), [F(2, 3, 4), F(2, 1, 4), F(2, 5, 4)]);
  await same((a, b) => tf.concat([a!, b!], -1), [F(2, 3, 4), F(2, 3, 2)]);
  await same((x) => tf.split(x!, [1, 3, 2], 2), [F(2, 3, 6, 2)]);
  await same((x) => tf.gather(x!, tf.tensor1d([3, 0, 0, 2], "int32"), 1), [F(2, 4, 5)]);
  await same((x) => tf.reshape(tf.squeeze(tf.expandDims(x!, 1)), [6, -1]), [F(3, 4, 5)]);
});

test("matMul through cuBLAS (TF32): transposes and batch broadcasting", async () => {
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    const a = ta ? F(37, 19) : F(19, 37), b = tb ? F(23, 37) : F(37, 23);
    await same((x, y) => tf.matMul(x!, y!, ta, tb), [a, b], 1e-2);
  }
  await same((x, y) => tf.matMul(x!, y!), [F(4, 9, 16), F(4, 16, 5)], 1e-2);
  await same((x, y) => tf.matMul(x!, y!), [F(4, 9, 16), F(1, 16, 5)], 1e-2);
});

test("conv2d forward and gradients (same/valid, strides 1 and 2, dilation) through cuDNN", async () => {
  const cases: [number[], number[], [number, number], "same" | "valid", number][] = [
    [[2, 16, 16, 3], [3, 3, 3, 8], [1, 1], "same", 1],
    [[2, 16, 16, 4], [3, 3, 4, 6], [2, 2], "same", 1], // asymmetric 'same' padding
    [[1, 17, 15, 5], [4, 4, 5, 3], [2, 2], "same", 1],
    [[2, 12, 12, 4], [3, 3, 4, 4], [1, 1], "valid", 2],
  ];
  for (const [xs, fs, strides, pad, dilation] of cases) {
    const op: Op = (x, f) => {
      const y = tf.conv2d(x! as tf.Tensor4D, f! as tf.Tensor4D, strides, pad, "NHWC", dilation);
      if (dilation !== 1) return y;
      const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad)))
      )([x!, f!]);
      return [y, dx!, df!];
    };
    await same(op, [F(...xs), F(...fs)], 1e-2).catch((e) =>
      assert.fail(`${xs} ${fs} ${strides} ${pad}: ${e.message}`)
    );
  }
  await same(
    (x, f) => tf.conv2dTranspose(x! as tf.Tensor4D, f! as tf.Tensor4D, [2, 16, 16, 4], [2, 2], "same"),
    [F(2, 8, 8, 6), F(3, 3, 4, 6)],
    1e-2,
  );
});

test("conv3d forward and gradients through cuDNN", async () => {
  const cases: [number[], number[], [number, number, number], "same" | "valid"][] = [
    [[1, 8, 8, 8, 2], [3, 3, 3, 2, 4], [1, 1, 1], "same"],
    [[2, 8, 10, 6, 3], [3, 3, 3, 3, 2], [2, 2, 2], "same"],
    [[1, 7, 7, 7, 2], [2, 2, 2, 2, 3], [1, 1, 1], "valid"],
  ];
  for (const [xs, fs, strides, pad] of cases) {
    const op: Op = (x, f) => {
      const y = tf.conv3d(x! as tf.Tensor5D, f! as tf.Tensor5D, strides, pad);
      const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, strides, pad)))
      )([x!, f!]);
      return [y, dx!, df!];
    };
    await same(op, [F(...xs), F(...fs)], 1e-2).catch((e) =>
      assert.fail(`${xs} ${fs} ${strides} ${pad}: ${e.message}`)
    );
  }
});

test("average pooling 2-D and 3-D with gradients", async () => {
  for (const [size, stride, pad] of [[2, 2, "valid"], [3, 2, "same"]] as const) {
    const op: Op = (x) => [
      tf.avgPool(x! as tf.Tensor4D, size, stride, pad),
      tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.avgPool(a as tf.Tensor4D, size, stride, pad))))(x!),
    ];
    await same(op, [F(2, 16, 16, 3)], 1e-5);
  }
  const op3: Op = (x) => [
    tf.avgPool3d(x! as tf.Tensor5D, 2, 2, "valid"),
    tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.avgPool3d(a as tf.Tensor5D, 2, 2, "valid"))))(x!),
  ];
  await same(op3, [F(2, 8, 8, 8, 4)], 1e-5);
});

test("kernels without a device version run on cpu through the fallback", async () => {
  await same((x) => tf.softmax(x!), [F(4, 10)]);
  await same((a, b) => tf.stack([a!, b!], 1), [F(3, 4), F(3, 4)]);
});

test("a small training step: gradients of a conv-relu-mean loss", async () => {
  const op: Op = (x, w1, w2) => {
    const loss = (a: tf.Tensor, b: tf.Tensor) => {
      const h = tf.relu(tf.conv2d(x! as tf.Tensor4D, a as tf.Tensor4D, 1, "same"));
      const y = tf.conv2d(h, b as tf.Tensor4D, 1, "same");
      return tf.mean(tf.square(tf.sub(y, x!)));
    };
    const { value, grads } = tf.valueAndGrads(loss)([w1!, w2!]);
    return [value, ...grads];
  };
  await same(op, [F(2, 16, 16, 2), F(3, 3, 2, 8), F(3, 3, 8, 2)], 1e-2);
});

test("readSync, read and memory accounting", async () => {
  assert.ok(await tf.setBackend("cuda"));
  type Memory = tf.MemoryInfo & { numBytesInGPU: number };
  const before = tf.memory() as Memory;
  const x = tf.tensor([1, 2, 3, 4], [2, 2]);
  assert.deepEqual(Array.from(x.dataSync()), [1, 2, 3, 4]);
  const y = tf.add(x, 1);
  assert.deepEqual(Array.from(await y.data()), [2, 3, 4, 5]);
  assert.ok((tf.memory() as Memory).numBytesInGPU >= before.numBytesInGPU + 32);
  tf.dispose([x, y]);
  const after = tf.memory() as Memory;
  assert.equal(after.numTensors, before.numTensors);
  assert.equal(after.numBytesInGPU, before.numBytesInGPU);
});
