import assert from "node:assert/strict";
import { registerFastCpuConvKernels, registerFastCpuMatMulKernel } from "../../core/backends/mod.ts";
import { InMemorySamples, parseConfig, Rng, silentProgress, tf } from "../../core/mod.ts";
import { unetSchema } from "./config.ts";
import { maskedBce, maskedSoftDice } from "./losses.ts";
import { SupervisedUnet } from "./supervised_unet.ts";

await tf.setBackend("cpu");
registerFastCpuConvKernels();
registerFastCpuMatMulKernel();

Deno.test("maskedBce equals the textbook formula on foreground voxels and ignores the rest", () => {
  const z = [-30, -1, 0, 2, 40, 5];
  const y = [0, 1, 1, 0, 1, 1];
  const fg = [1, 1, 1, 1, 1, 0];
  const expected = z.slice(0, 5).reduce((s, zi, i) => {
    const p = 1 / (1 + Math.exp(-zi));
    const yi = y[i]!;
    const term = yi ? -Math.log(p) : -Math.log1p(-p);
    return s + (Number.isFinite(term) ? term : Math.abs(zi)); // −log(1 − σ(−30)) ≈ 0, guard large z
  }, 0) / 5;
  const t = (a: number[]) => tf.tensor(a, [1, 6, 1]);
  const got = maskedBce(t(z), t(y), t(fg));
  assert.ok(Math.abs(got.dataSync()[0]! - expected) < 1e-5, `${got.dataSync()[0]} vs ${expected}`);
  assert.ok(Number.isFinite(maskedBce(t([1e4, -1e4, 0, 0, 0, 0]), t(y), t(fg)).dataSync()[0]!));
});

Deno.test("maskedSoftDice: ~0 for a confident correct prediction, ~1 for a wrong one", () => {
  const t = (a: number[]) => tf.tensor(a, [1, 4, 1]);
  const labels = t([1, 1, 0, 0]);
  const fg = t([1, 1, 1, 1]);
  const right = maskedSoftDice(t([20, 20, -20, -20]), labels, fg).dataSync()[0]!;
  const wrong = maskedSoftDice(t([-20, -20, 20, 20]), labels, fg).dataSync()[0]!;
  assert.ok(right < 1e-6, `right: ${right}`);
  assert.ok(wrong > 0.79, `wrong: ${wrong}`); // 1 − 1/(2 + 2 + 1)
});

/** 16×16 disks with a bright square lesion at a random place; the label marks the square. */
function lesionSamples(n: number, seed: number): InMemorySamples {
  const rng = new Rng(seed);
  const S = 16;
  const img = new Float32Array(n * S * S),
    fg = new Float32Array(n * S * S),
    lab = new Float32Array(n * S * S);
  for (let s = 0; s < n; s++) {
    const cx = 5 + Math.floor(rng.uniform(0, 6)), cy = 5 + Math.floor(rng.uniform(0, 6));
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const i = s * S * S + y * S + x;
        fg[i] = Math.hypot(x - 7.5, y - 7.5) < 7.5 ? 1 : 0;
        const lesion = Math.abs(x - cx) <= 1 && Math.abs(y - cy) <= 1 ? 1 : 0;
        lab[i] = lesion * fg[i]!;
        img[i] = fg[i]! * (lesion ? 0.9 : 0.4 + 0.05 * rng.normal());
      }
    }
  }
  return new InMemorySamples([S, S, 1], img, fg, lab);
}

Deno.test("unet: learns to segment bright squares; probabilities are zero outside the foreground", async () => {
  const cfg = parseConfig(unetSchema, { widths: [4, 8], steps: 40, batchSize: 4, lr: 1e-2 }, "unet");
  const labelled = lesionSamples(16, 1);
  const net = new SupervisedUnet(cfg, [16, 16, 1], 0);
  const summary = await net.train(
    { sampleShape: [16, 16, 1], train: labelled, validation: labelled, labelled },
    { backend: "cpu", seed: 0, rng: new Rng(0), progress: silentProgress, checkpoint: async () => {} },
  );
  assert.equal(summary.steps, 40);
  const test = lesionSamples(4, 2).batch([0, 1, 2, 3]);
  const scores = await net.score(test);
  const s = scores.dataSync(), l = test.labels!.dataSync(), f = test.foreground.dataSync();
  let inside = 0, nIn = 0, outside = 0, nOut = 0;
  s.forEach((v, i) => {
    if (f[i] === 0) return assert.equal(v, 0);
    assert.ok(v >= 0 && v <= 1);
    if (l[i]) (inside += v), nIn++;
    else (outside += v), nOut++;
  });
  assert.ok(inside / nIn > 0.5 && outside / nOut < 0.2, `lesion ${inside / nIn}, rest ${outside / nOut}`);
  tf.dispose([scores, test.images, test.foreground, test.labels!]);
  net.dispose();
});

Deno.test("unet: training without labelled samples is a clear error", () => {
  const net = new SupervisedUnet(parseConfig(unetSchema, { widths: [4] }, "unet"), [16, 16, 1], 0);
  const healthy = lesionSamples(2, 0);
  assert.throws(
    () =>
      net.train(
        { sampleShape: [16, 16, 1], train: healthy, validation: healthy },
        { backend: "cpu", seed: 0, rng: new Rng(0), progress: silentProgress, checkpoint: async () => {} },
      ),
    /unet: supervised training needs labelled samples/,
  );
  net.dispose();
});
