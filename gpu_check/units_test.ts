import assert from "node:assert/strict";
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { selectBackend, tf } from "../core/mod.ts";
import { convergenceBackend } from "./check.ts";
import { collectTests } from "./device_tests.ts";
import { compareValues, recordKernels, replayCall } from "./kernel_record.ts";
import { daeStep, stepInputs } from "./dae_step.ts";
import { DRY_RUN_PLAN, partDeadlines, SHARES } from "./plan.ts";
import { loadReference, saveReference } from "./reference_file.ts";
import { formatFigure, renderTable } from "./report.ts";
import type { Row } from "./rows.ts";
import { meanStepMs } from "./speed.ts";
import { attachTorch, torchRows } from "./torch_reference.ts";
import { injectFault } from "./worker.ts";

Deno.test("kernel replay: every kernel of a computation matches cpu, except the one made wrong", async () => {
  await selectBackend("cpu");
  // A second backend with the cpu backend's kernels, then Sigmoid swapped for Tanh on it.
  if (tf.findBackendFactory("cpu-replica") === null) {
    tf.registerBackend("cpu-replica", () => new MathBackendCPU(), -1);
    for (const k of tf.getKernelsForBackend("cpu")) tf.registerKernel({ ...k, backendName: "cpu-replica" });
    injectFault("cpu-replica", "Sigmoid=Tanh");
  }
  await tf.setBackend("cpu");
  const x = tf.randomNormal([2, 6, 6, 3], 0, 1, "float32", 1);
  const w = tf.randomNormal([3, 3, 3, 4], 0, 1, "float32", 2);
  const { calls } = await recordKernels(async () => {
    const g = tf.grad((f: tf.Tensor) =>
      tf.sum(tf.concat([tf.sigmoid(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, "same")), x], -1))
    )(w);
    await g.data();
    g.dispose();
  });
  tf.dispose([x, w]);
  const names = new Set(calls.map((c) => c.name));
  for (const k of [tf.Conv2D, tf.Sigmoid, tf.Concat, tf.Conv2DBackpropFilter]) {
    assert.ok(names.has(k), `${k} recorded`);
  }
  const concat = calls.find((c) => c.name === tf.Concat)!;
  assert.ok(concat.inputs.array, "Concat takes a list");
  for (const call of calls) {
    const r = await replayCall(call, "cpu-replica", 1e-5);
    if (call.name === "Sigmoid") {
      assert.match(r.failure ?? "", /relative error/, "the swapped kernel is caught");
    } else assert.equal(r.failure, undefined, `${call.name} ${call.label}`);
  }
  await tf.setBackend("cpu");
});

Deno.test("kernel replay: each distinct signature is recorded once", async () => {
  await selectBackend("cpu");
  const { calls } = await recordKernels(() => {
    tf.tidy(() => [tf.relu(tf.ones([3])), tf.relu(tf.ones([3])), tf.relu(tf.ones([4]))]);
    return Promise.resolve();
  });
  assert.equal(calls.filter((c) => c.name === "Relu").length, 2);
});

Deno.test("compareValues: exact ints, relative floats, NaN and infinities", () => {
  assert.equal(compareValues([1, 2], [1, 2], "int32", 0).failure, undefined);
  assert.match(compareValues([1, 3], [1, 2], "int32", 0).failure!, /\[1\] = 3, cpu 2/);
  assert.equal(compareValues([10, 0.001], [10, 0], "float32", 1e-3).failure, undefined); // 1e-4 of the scale
  assert.match(compareValues([10, 0.1], [10, 0], "float32", 1e-3).failure!, /relative error 1\.0e-2/);
  assert.match(compareValues([NaN], [1], "float32", 1).failure!, /NaN, cpu 1/);
  assert.equal(compareValues([NaN, 1], [NaN, 1], "float32", 0).failure, undefined);
  assert.match(compareValues([1], [Infinity], "float32", 1).failure!, /cpu Infinity/);
});

Deno.test("collectTests gathers Deno.test cases in every form and restores Deno.test", async () => {
  const before = Deno.test;
  const tests = await collectTests(() => {
    Deno.test({ name: "a", ignore: true, fn: () => {} });
    Deno.test("b", () => {});
    Deno.test("c", { permissions: "inherit" }, () => {});
    return Promise.resolve();
  });
  assert.deepEqual(tests.map((t) => [t.name, t.ignore]), [["a", true], ["b", false], ["c", false]]);
  assert.equal(Deno.test, before);
});

Deno.test("part deadlines are cumulative shares of the budget", () => {
  const d = partDeadlines(1000, 200);
  assert.equal(d.correctness, Math.round(1000 + 200_000 * SHARES.correctness));
  assert.equal(d.speed, Math.round(1000 + 200_000 * (SHARES.correctness + SHARES.speed)));
  assert.ok(d.convergence <= 1000 + 200_000);
});

Deno.test("step times: the mean after the warm-up, none when no step followed it", () => {
  // Step end times: after 2 warm-up steps, steps 3 and 4 took 150 → 190.
  assert.equal(meanStepMs([100, 150, 170, 190], 2), 20);
  assert.equal(meanStepMs([100, 150, 170, 190], 1), 30);
  assert.equal(meanStepMs([100, 150], 2), undefined);
});

const row = (over: Partial<Row>): Row => ({
  part: "speed",
  check: "c",
  backend: "cuda",
  result: "measured",
  ...over,
});

Deno.test("PyTorch figures: parsed from the reference's lines and paired as time ratios", () => {
  const line = (mode: string, ms: number, sps: number) =>
    JSON.stringify({
      anchor: "pytorch-dae2d",
      torch: "2.11",
      device: "NVIDIA H100",
      mode,
      batch: 16,
      size: 128,
      widths: [64, 128, 256, 512],
      train_ms_per_step: ms,
      score_slices_per_s: sps,
    });
  const torch = torchRows(`noise\n${line("tf32", 21.3, 3136)}\n${line("fp32", 33.1, 2000)}\nnot json {\n`);
  assert.equal(torch.length, 4);
  const ours = [
    row({ backend: "cuda", value: 42.6, unit: "ms/step", speedKey: "dae2d-train" }),
    row({ backend: "webgpu", value: 1000, unit: "slices/s", speedKey: "dae2d-score" }),
    row({ backend: "webgpu", value: 5, unit: "GiB" }),
  ];
  const out = attachTorch([...ours, ...torch]);
  assert.deepEqual(out[0]!.torch, { value: 21.3, unit: "ms/step", mode: "tf32" });
  assert.equal(out[0]!.ratio, 2);
  assert.deepEqual(out[1]!.torch, { value: 2000, unit: "slices/s", mode: "fp32" });
  assert.equal(out[1]!.ratio, 2); // half the throughput: twice the time per slice
  assert.equal(out[2]!.ratio, undefined);
});

Deno.test("the table: six columns, figures formatted, a numbered note per detail", () => {
  const { table, notes } = renderTable([
    row({
      value: 21.25,
      unit: "ms/step",
      torch: { value: 21.3, unit: "ms/step", mode: "tf32" },
      ratio: 0.998,
    }),
    row({
      part: "correctness",
      result: "fail",
      check: "a | b",
      value: 0.0123,
      unit: "rel. error",
      detail: "why",
    }),
  ]);
  const lines = table.split("\n");
  assert.match(lines[0]!, /^\| check +\| backend \| result +\| figure +\| PyTorch figure +\| ratio \|$/);
  assert.match(lines[2]!, /\| 21\.3 ms\/step +\| 21\.3 ms\/step \(tf32\) \| 1\.00× \|$/);
  assert.match(lines[3]!, /^\| a \\\| b +\| cuda +\| FAIL \[1\] +\| 1\.2e-2 rel\. error/);
  assert.deepEqual(notes, ["[1] cuda · a | b: why"]);
  assert.equal(formatFigure(3136.4, "slices/s"), "3,136 slices/s");
  assert.equal(formatFigure(0, "rel. error"), "0 rel. error");
});

Deno.test("convergence trains on the fastest backend without a failed correctness row", () => {
  const rows = [
    row({ backend: "cuda", speedKey: "dae2d-train", value: 20 }),
    row({ backend: "webgpu", speedKey: "dae2d-train", value: 40 }),
    row({ backend: "cpu", speedKey: "dae2d-train", value: 30 }),
  ];
  assert.equal(convergenceBackend(rows, ["cuda", "webgpu"]), "cuda");
  const cudaFailed = [...rows, row({ part: "correctness", backend: "cuda", result: "fail" })];
  assert.equal(convergenceBackend(cudaFailed, ["cuda", "webgpu"]), "webgpu");
  assert.equal(convergenceBackend(cudaFailed, ["cpu", "webgpu"]), "cpu");
  assert.equal(convergenceBackend(cudaFailed, ["cuda"]), "cpu");
});

Deno.test("a cpu reference survives its file: inputs, outputs and every kernel call", async () => {
  await selectBackend("cpu");
  const c = DRY_RUN_PLAN.unet.d2;
  const inputs = await stepInputs(c);
  const { result, calls } = await recordKernels(() => daeStep(c, inputs));
  const dir = await Deno.makeTempDir();
  try {
    await saveReference(`${dir}/ref.bin`, { inputs, outputs: result, calls });
    const back = (await loadReference(`${dir}/ref.bin`))!;
    assert.deepEqual(back.inputs, inputs);
    assert.deepEqual(back.outputs, result);
    assert.equal(back.calls.length, calls.length);
    back.calls.forEach((k, i) => {
      const want = calls[i]!;
      assert.equal(k.name, want.name);
      assert.deepEqual(k.inputs, want.inputs, `${k.name} inputs`);
      assert.deepEqual(k.outputs, want.outputs, `${k.name} outputs`);
      assert.deepEqual(JSON.parse(JSON.stringify(k.attrs)), JSON.parse(JSON.stringify(want.attrs)));
    });
    assert.equal(await loadReference(`${dir}/absent.bin`), undefined);
    const bytes = await Deno.readFile(`${dir}/ref.bin`);
    await Deno.writeFile(`${dir}/cut.bin`, bytes.subarray(0, bytes.length - 5));
    await assert.rejects(() => loadReference(`${dir}/cut.bin`), /truncated reference file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the cuda device tests are collected as written (ignored here without an NVIDIA GPU)", async () => {
  const tests = await collectTests(() => import("../core/backends/cuda/cuda_gpu_test.ts"));
  assert.ok(tests.length >= 10, `${tests.length} tests`);
  assert.ok(tests.every((t) => t.name.startsWith("cuda vs cpu: ")));
  assert.ok(tests.some((t) => /conv2d forward and gradients/.test(t.name)));
  let gpu = true;
  try {
    (await import("../core/backends/cuda/mod.ts")).registerCudaBackend();
  } catch {
    gpu = false;
  }
  if (!gpu) assert.ok(tests.every((t) => t.ignore), "without a GPU the file ignores them all");
});
