import assert from "node:assert/strict";
import { tf } from "../../tf.ts";
import { CUDA_KERNELS } from "./register.ts";

Deno.test("every device kernel is a tfjs kernel the cpu backend also has (so unsupported cases can fall back)", () => {
  const cpu = new Set(tf.getKernelsForBackend("cpu").map((k) => k.kernelName));
  const unknown = [...CUDA_KERNELS.keys()].filter((name) => !cpu.has(name));
  assert.deepEqual(unknown, []);
});

Deno.test("the kernels a U-Net/VAE training step needs most have device versions", () => {
  const needed = [
    tf.Conv2D,
    tf.Conv2DBackpropInput,
    tf.Conv2DBackpropFilter,
    tf.Conv3D,
    tf.Conv3DBackpropInputV2,
    tf.Conv3DBackpropFilterV2,
    tf.BatchMatMul,
    tf.Add,
    tf.Sub,
    tf.Multiply,
    tf.RealDiv,
    tf.Maximum,
    tf.Exp,
    tf.Log,
    tf.Sqrt,
    tf.Rsqrt,
    tf.Sigmoid,
    tf.Tanh,
    tf.Abs,
    tf.Square,
    tf.Pow,
    tf.Neg,
    tf.Relu,
    tf.Step,
    tf.LeakyRelu,
    tf.Select,
    tf.Greater,
    tf.Cast,
    tf.Sum,
    tf.Mean,
    tf.Max,
    tf.Min,
    tf.Transpose,
    tf.PadV2,
    tf.MirrorPad,
    tf.Slice,
    tf.Concat,
    tf.GatherV2,
    tf.Reshape,
    tf.Tile,
    tf.Reverse,
    tf.AddN,
  ];
  assert.deepEqual(needed.filter((name) => !CUDA_KERNELS.has(name)), []);
});
