import assert from "node:assert/strict";
import "../plugins/mod.ts";
import { type Batch, getDataset, type MethodInstance, parseConfig, tf } from "../core/mod.ts";
import { checkedScores, evaluate } from "./evaluate.ts";

const fg = Uint8Array.from([1, 1, 0, 1]);

Deno.test("score maps: shape, dtype, finiteness and zero outside the foreground are checked, the plugin named", async () => {
  const ok = await checkedScores(tf.tensor([[[0.5, 1], [0, 2]]]), [1, 2, 2], fg, "m", "c0");
  assert.deepEqual([...ok], [0.5, 1, 0, 2]);
  const cases: [tf.Tensor, RegExp][] = [
    [
      tf.zeros([1, 2, 2, 1]),
      /method 'm' \(case c0\) returned a score map of shape \[1,2,2,1\]; expected \[1,2,2\]/,
    ],
    [tf.zeros([1, 1, 2]), /shape \[1,1,2\]; expected \[1,2,2\]/],
    [tf.tensor([[[0, 0], [0, 0]]], undefined, "int32"), /returned a int32 score map/],
    [tf.tensor([[[0, NaN], [0, 0]]]), /non-finite score \(NaN\) at voxel 1/],
    [tf.tensor([[[0, 0], [Infinity, 0]]]), /non-finite score \(Infinity\)/],
    [
      tf.tensor([[[0, 0], [0.25, 0]]]),
      /non-zero scores at 1 voxel\(s\) outside the foreground \(first: voxel 2/,
    ],
  ];
  for (const [map, message] of cases) {
    await assert.rejects(() => checkedScores(map, [1, 2, 2], fg, "m", "c0"), message);
  }
});

/** A method whose score maps come from `make` (one per batch). */
function fake(make: (b: Batch) => tf.Tensor): MethodInstance {
  return {
    train: () => Promise.resolve({ steps: 0 }),
    score: (b) => Promise.resolve(make(b)),
    save: () => Promise.resolve({ tensors: {} }),
    load: () => {},
    dispose: () => {},
  };
}

Deno.test("evaluate: a half-resolution or channelled map fails the run naming the plugin; a good one evaluates", async () => {
  const def = getDataset("phantom2d");
  const config = { size: 32, trainSubjects: 1, validationSubjects: 1, testSubjects: 2, slicesPerSubject: 3 };
  const dataset = await def.load(parseConfig(def.schema, config, "phantom2d"), {});
  const half = fake((b) => tf.zeros([b.images.shape[0]!, 16, 16]));
  await assert.rejects(
    () => evaluate(half, dataset, ["auprc"], { methodId: "half" }),
    /method 'half' \(case [^)]+\) returned a score map of shape \[3,16,16\]; expected \[3,32,32\]/,
  );
  const channels = fake((b) => tf.zeros([...b.images.shape]));
  await assert.rejects(
    () => evaluate(channels, dataset, ["auprc"], { methodId: "chan" }),
    /method 'chan' .* shape \[3,32,32,4\]; expected \[3,32,32\]/,
  );
  // FLAIR inside the foreground: a valid map.
  const good = fake((b) =>
    tf.tidy(() => tf.squeeze(tf.mul(tf.slice(b.images, [0, 0, 0, 0], [-1, -1, -1, 1]), b.foreground), [3]))
  );
  const out = await evaluate(good, dataset, ["auprc"], { methodId: "good" });
  assert.ok(out.metrics.auprc!.value > 0 && out.metrics.auprc!.value <= 1);
  assert.equal(out.scoring.cases, 2);
});

Deno.test("evaluate: per-case results are binarised at dice-fpr1's threshold and sum to its pooled Dice", async () => {
  const def = getDataset("phantom2d");
  const config = { size: 32, trainSubjects: 1, validationSubjects: 2, testSubjects: 3, slicesPerSubject: 4 };
  const dataset = await def.load(parseConfig(def.schema, config, "phantom2d"), {});
  const flair = fake((b) =>
    tf.tidy(() => tf.squeeze(tf.mul(tf.slice(b.images, [0, 0, 0, 0], [-1, -1, -1, 1]), b.foreground), [3]))
  );
  const out = await evaluate(flair, dataset, ["dice-fpr1", "auprc"], { methodId: "flair", perCase: true });
  const pc = out.perCase!;
  assert.equal(pc.thresholdMetric, "dice-fpr1");
  assert.equal(pc.threshold, out.metrics["dice-fpr1"]!.extra!.threshold);
  const cases = Object.values(pc.cases);
  assert.equal(cases.length, 3);
  const sum = (k: "tp" | "fp" | "fn") => cases.reduce((s, c) => s + c[k], 0);
  assert.equal((2 * sum("tp")) / (2 * sum("tp") + sum("fp") + sum("fn")), out.metrics["dice-fpr1"]!.value);
  for (const [id, c] of Object.entries(pc.cases)) {
    assert.equal(c.ap, out.perCaseAp[id]);
    assert.ok(typeof c.metadata?.lesionCount === "number", "the generator's facts are recorded per case");
    assert.equal(c.lesionVoxels, c.tp + c.fn);
    assert.ok(c.lesionVoxels > 0 && c.lesions.length > 0, `${id} has lesions`);
    assert.equal(c.lesions.reduce((s, l) => s + l.voxels, 0), c.lesionVoxels, "lesions partition the mask");
    if (c.tp === 0) assert.ok(c.lesions.every((l) => !l.found), "a lesion found without a true positive");
    assert.ok(c.lesions.some((l) => l.found) === c.tp > 0);
    assert.ok(c.fpForeground <= c.fp && c.foreground > 0 && Number.isFinite(c.score));
    assert.ok(Math.abs(c.lesionMl! - c.lesions.reduce((s, l) => s + l.ml!, 0)) < 1e-9);
  }
  // Without dice-fpr1 among the metrics, the runner's own instance gives the same threshold.
  const alone = await evaluate(flair, dataset, ["auprc"], { methodId: "flair", perCase: true });
  assert.equal(alone.perCase!.threshold, pc.threshold);
  assert.deepEqual(alone.perCase!.cases, pc.cases);
  assert.equal((await evaluate(flair, dataset, ["auprc"], { methodId: "flair" })).perCase, undefined);
});
