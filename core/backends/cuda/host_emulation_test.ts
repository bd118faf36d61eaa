/**
 * The `cuda` backend's element-wise and data-movement kernels, its bookkeeping and the cpu fallback, run
 * against the cpu backend with the templates compiled for the host (host_emulator.ts). No GPU involved:
 * this checks the generated CUDA C's arithmetic, the geometry computed in TS and reference counting.
 */
import assert from "node:assert/strict";
import { tf } from "../../tf.ts";
import { CudaBackend } from "./backend.ts";
import { compareWithCpu, type RandomInput, type TensorOp } from "./backend_compare.ts";
import { allElementwiseKernels } from "./elementwise_templates.ts";
import { findGpp, HostEmulatedRuntime } from "./host_emulator.ts";
import { allMovementKernels } from "./movement_templates.ts";
import { allPoolKernels } from "./pool_templates.ts";
import { allReduceKernels } from "./reduce_templates.ts";
import { registerCudaKernels } from "./register.ts";
import type { CudaRuntime } from "./runtime.ts";

const NAME = "cuda-host-emulation";
const GPP = findGpp();
if (GPP === undefined) console.log("host_emulation_test: g++ not found on PATH; skipped");

let runtime: HostEmulatedRuntime | undefined;

async function setUp(): Promise<HostEmulatedRuntime> {
  if (runtime === undefined) {
    runtime = await HostEmulatedRuntime.build(GPP!, [
      ...allElementwiseKernels(),
      ...allMovementKernels(),
      ...allReduceKernels(),
      ...allPoolKernels(),
    ]);
    const emulated = runtime;
    tf.registerBackend(NAME, () => new CudaBackend(emulated as unknown as CudaRuntime), 0);
    registerCudaKernels(NAME);
  }
  return runtime;
}

const same = async (op: TensorOp, inputs: RandomInput[], rtol = 2e-6) => {
  await setUp();
  await compareWithCpu(NAME, op, inputs, rtol);
};
const F = (...shape: number[]): RandomInput => ({ shape });
const P = (...shape: number[]): RandomInput => ({ shape, lo: 0.1, hi: 3 });
const I = (...shape: number[]): RandomInput => ({ shape, dtype: "int32", lo: -5, hi: 6 });
const B = (...shape: number[]): RandomInput => ({ shape, dtype: "bool" });

Deno.test({
  name: "host-emulated cuda kernels match cpu",
  ignore: GPP === undefined,
  async fn(t) {
    await t.step("unary ops", async () => {
      const ops: [string, TensorOp, RandomInput][] = [
        ["abs", (x) => tf.abs(x!), F(5, 7)],
        ["exp", (x) => tf.exp(x!), F(5, 7)],
        ["log", (x) => tf.log(x!), P(5, 7)],
        ["sqrt", (x) => tf.sqrt(x!), P(5, 7)],
        ["rsqrt", (x) => tf.rsqrt(x!), P(5, 7)],
        ["sigmoid", (x) => tf.sigmoid(x!), F(5, 7)],
        ["tanh", (x) => tf.tanh(x!), F(5, 7)],
        ["softplus", (x) => tf.softplus(tf.mul(x!, 10)), F(5, 7)],
        ["round", (x) => tf.round(tf.mul(x!, 2)), F(5, 7)],
        ["relu6", (x) => tf.relu6(tf.mul(x!, 4)), F(5, 7)],
        ["selu", (x) => tf.selu(x!), F(5, 7)],
        ["leakyRelu", (x) => tf.leakyRelu(x!, 0.3), F(5, 7)],
        ["step", (x) => tf.step(x!, 0.25), F(5, 7)],
        ["clipByValue", (x) => tf.clipByValue(x!, -0.5, 0.7), F(5, 7)],
        ["isNaN", (x) => tf.isNaN(tf.log(x!)), F(5, 7)],
        ["sign int", (x) => tf.sign(x!), I(5, 7)],
        ["exp of int (cpu fallback)", (x) => tf.exp(x!), I(5, 7)],
      ];
      for (const [name, op, input] of ops) {
        await same(op, [input]).catch((e) => assert.fail(`${name}: ${e.message}`));
      }
    });

    await t.step("binary ops broadcasting over up to 5-D", async () => {
      const shapes: [number[], number[]][] = [[[3, 4], [3, 4]], [[2, 3, 4], []], [[], [4, 5]], [[
        2,
        1,
        4,
        1,
        6,
      ], [
        3,
        1,
        5,
        1,
      ]], [[6, 1], [1, 7]]];
      const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
        ["add", tf.add],
        ["sub", tf.sub],
        ["mul", tf.mul],
        ["div", tf.div],
        ["maximum", tf.maximum],
        ["squaredDifference", tf.squaredDifference],
        ["greater", tf.greater],
        ["equal", tf.equal],
      ];
      for (const [name, op] of ops) {
        for (const [sa, sb] of shapes) {
          await same((a, b) => op(a!, b!), [F(...sa), F(...sb)]).catch((e) =>
            assert.fail(`${name} ${sa} ${sb}: ${e.message}`)
          );
        }
      }
      await same((a, b) => [tf.add(a!, b!), tf.minimum(a!, b!), tf.mod(a!, tf.add(tf.abs(b!), 1))], [
        I(4, 1, 3),
        I(5, 1),
      ]);
      await same((a, b) => tf.pow(a!, b!), [P(4, 5), F(5)], 1e-5);
      await same((a, b) => tf.logicalAnd(a!, b!), [B(3, 4), B(4)]);
    });

    await t.step("select, cast, fill, addN", async () => {
      await same((c, a, b) => tf.where(c!, a!, b!), [B(4), F(2, 3, 4), F(1, 4)]);
      await same((c, a, b) => tf.where(c!, a!, b!), [B(3, 4), I(3, 4), I(3, 4)]);
      await same((x) => [tf.cast(x!, "int32"), tf.cast(x!, "bool")], [F(5, 6)]);
      await same((x) => [tf.cast(x!, "float32"), tf.cast(x!, "int32")], [B(5, 6)]);
      await same(() => [tf.fill([3, 4], 2.5), tf.zeros([2, 2], "int32"), tf.ones([3], "bool")], []);
      await same((a, b, c) => tf.addN([a!, b!, c!]), [F(3, 4), F(3, 4), F(3, 4)]);
    });

    await t.step("data movement", async () => {
      await same((x) => tf.transpose(x!, [4, 0, 3, 1, 2]), [F(2, 3, 4, 5, 6)]).catch((e) =>
        assert.fail(`(x) => tf.transpose(x!, [4, 0, 3, 1, 2]), [F(2, 3, 4, 5, 6)]: ${e.message}`)
      );
      await same((x) => tf.transpose(x!), [I(7, 9)]).catch((e) =>
        assert.fail(`(x) => tf.transpose(x!), [I(7, 9)]);: ${e.message}`)
      );
      await same((x) => tf.slice(x!, [1, 0, 2], [2, -1, 3]), [F(4, 5, 6)]).catch((e) =>
        assert.fail(`(x) => tf.slice(x!, [1, 0, 2], [2, -1, 3]), [F(4, 5, 6)]);: ${e.message}`)
      );
      await same((x) => tf.stridedSlice(x!, [0, 1, 5], [4, 5, 0], [2, 1, -2]), [F(4, 5, 6)]).catch((e) =>
        assert.fail(`(x) => tf.stridedSlice(x!, [0, 1, 5], [4, 5, 0], [2, 1, -2]): ${e.message}`)
      );
      await same((x) => tf.stridedSlice(x!, [1], [3], [1], 0, 0, 0, 0, 1), [F(4, 5)]).catch((e) =>
        assert.fail(`(x) => tf.stridedSlice(x!, [1], [3], [1], 0, 0, 0, 0, 1), [F: ${e.message}`)
      );
      await same((x) => tf.reverse(x!, [0, 2]), [F(3, 4, 5)]).catch((e) =>
        assert.fail(`(x) => tf.reverse(x!, [0, 2]), [F(3, 4, 5)]);: ${e.message}`)
      );
      await same((x) => tf.tile(x!, [2, 1, 3]), [F(2, 3, 4)]).catch((e) =>
        assert.fail(`(x) => tf.tile(x!, [2, 1, 3]), [F(2, 3, 4)]);: ${e.message}`)
      );
      await same((x) => tf.pad(x!, [[1, 2], [0, 0], [3, 1]], 0.5), [F(3, 4, 5)]).catch((e) =>
        assert.fail(`(x) => tf.pad(x!, [[1, 2], [0, 0], [3, 1]], 0.5), [F(3, 4, 5: ${e.message}`)
      );
      await same((x) => tf.mirrorPad(x!, [[0, 0], [2, 1], [1, 2], [0, 0]], "reflect"), [F(2, 5, 6, 3)]).catch(
        (e) => assert.fail(`(x) => tf.mirrorPad(x!, [[0, 0], [2, 1], [1, 2], [0, 0]], 'r: ${e.message}`),
      );
      await same((x) => tf.mirrorPad(x!, [[1, 1], [2, 1], [0, 2]], "symmetric"), [F(3, 4, 5)]).catch((e) =>
        assert.fail(`(x) => tf.mirrorPad(x!, [[1, 1], [2, 1], [0, 2]], 'symmetric: ${e.message}`)
      );
      await same((a, b, c) => tf.concat([a!, b!, c!], 1), [F(2, 3, 4), F(2, 1, 4), F(2, 5, 4)]).catch((e) =>
        assert.fail(`(a, b, c) => tf.concat([a!, b!, c!], 1), [F(2, 3, 4), F(2, 1: ${e.message}`)
      );
      await same((x) => tf.split(x!, [1, 3, 2], 2), [F(2, 3, 6, 2)]).catch((e) =>
        assert.fail(`(x) => tf.split(x!, [1, 3, 2], 2), [F(2, 3, 6, 2)]);: ${e.message}`)
      );
      await same((x) => tf.gather(x!, tf.tensor1d([3, 0, 0, 2], "int32"), 1), [F(2, 4, 5)]).catch((e) =>
        assert.fail(`(x) => tf.gather(x!, tf.tensor1d([3, 0, 0, 2], 'int32'), 1),: ${e.message}`)
      );
      await same((x) => tf.reshape(tf.squeeze(tf.expandDims(x!, 1)), [6, -1]), [F(3, 4, 5)]).catch((e) =>
        assert.fail(`(x) => tf.reshape(tf.squeeze(tf.expandDims(x!, 1)), [6, -1]): ${e.message}`)
      );
    });

    await t.step("reductions over any axes, keepDims, split rows", async () => {
      for (const axis of [undefined, 0, -1, [1, 2], [0, 2, 4]]) {
        await same((x) => [tf.sum(x!, axis), tf.mean(x!, axis, true), tf.max(x!, axis), tf.min(x!, axis)], [
          F(2, 3, 2, 4, 3),
        ], 1e-5)
          .catch((e) => assert.fail(`axis ${axis}: ${e.message}`));
      }
      await same((x) => tf.prod(x!, 1), [{ shape: [4, 6], lo: 0.5, hi: 1.5 }], 1e-5);
      await same((x) => [tf.sum(x!, 1), tf.max(x!, 0), tf.min(x!)], [I(7, 9)]);
      await same((x) => [tf.all(x!, 1), tf.any(x!, 0)], [B(5, 6)]);
      await same((x) => [tf.argMax(x!, 1), tf.argMin(x!, 0)], [F(3, 300)]);
      // One output row of 40000 elements: split across blocks, then combined.
      await same((x) => [tf.sum(x!), tf.mean(x!), tf.max(x!)], [F(40000)], 1e-4);
      await same((x) => tf.moments(x!, [0, 1]).variance, [F(6, 7, 3)], 1e-5);
    });

    await t.step("average pooling 2-D and 3-D with gradients", async () => {
      const pool2: [number, number, "valid" | "same"][] = [[2, 2, "valid"], [3, 2, "same"], [3, 1, "same"]];
      for (const [size, stride, pad] of pool2) {
        const op: TensorOp = (x) => [
          tf.avgPool(x! as tf.Tensor4D, size, stride, pad),
          tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.avgPool(a as tf.Tensor4D, size, stride, pad))))(x!),
        ];
        await same(op, [F(2, 7, 8, 3)], 1e-5).catch((e) =>
          assert.fail(`avgPool ${size} ${stride} ${pad}: ${e.message}`)
        );
      }
      const op3: TensorOp = (x) => [
        tf.avgPool3d(x! as tf.Tensor5D, 2, 2, "same"),
        tf.grad((a: tf.Tensor) => tf.sum(tf.square(tf.avgPool3d(a as tf.Tensor5D, 2, 2, "valid"))))(x!),
      ];
      await same(op3, [F(1, 5, 6, 4, 2)], 1e-5);
    });

    await t.step("kernels without a device version run on cpu", async () => {
      await same((x) => tf.softmax(x!), [F(4, 10)]);
      await same((a, b) => tf.stack([a!, b!], 1), [F(3, 4), F(3, 4)]);
    });

    await t.step("gradients through emulated kernels", async () => {
      const loss = (x: tf.Tensor) =>
        tf.mul(tf.sigmoid(tf.mirrorPad(x, [[1, 1], [2, 0]], "reflect")), tf.scalar(3));
      await same((x) => tf.grad(loss)(x!), [F(4, 5)]);
    });

    await t.step("reads, reference counts and memory", async () => {
      assert.ok(await tf.setBackend(NAME));
      const backend = tf.backend() as CudaBackend;
      const ids = backend.numDataIds();
      const x = tf.tensor([1, 2, 3, 4], [2, 2]);
      const r = tf.reshape(x, [4]);
      assert.equal(backend.numDataIds(), ids + 1, "reshape shares the data");
      assert.deepEqual(Array.from(r.dataSync()), [1, 2, 3, 4]);
      x.dispose();
      assert.deepEqual(Array.from(await r.data()), [1, 2, 3, 4], "data alive while the reshape holds it");
      const inUse = (tf.memory() as tf.MemoryInfo & { numBytesInGPU: number }).numBytesInGPU;
      r.dispose();
      assert.equal(backend.numDataIds(), ids);
      assert.equal((tf.memory() as tf.MemoryInfo & { numBytesInGPU: number }).numBytesInGPU, inUse - 512);
      assert.throws(() => tf.tensor(["a"]).add(1), /string/);
    });
  },
});
