import assert from "node:assert/strict";
import { parseConfig } from "../../core/config.ts";
import type { AnySplit, Case, Dataset } from "../../core/dataset.ts";
import { getDataset } from "../../core/registry.ts";
import { phantom2dDataset, phantom2dHash } from "./mod.ts";

const load = (input: Record<string, unknown>): Promise<Dataset> =>
  phantom2dDataset.load(parseConfig(phantom2dDataset.schema, input, "phantom2d"), {});

const SMALL = { size: 32, slicesPerSubject: 3, trainSubjects: 3, validationSubjects: 2, testSubjects: 2 };

async function collect(ds: Dataset, split: AnySplit): Promise<Case[]> {
  const out: Case[] = [];
  for await (const c of ds.cases(split)) out.push(c);
  return out;
}

Deno.test("importing mod.ts registers phantom2d", () => {
  const def = getDataset("phantom2d");
  assert.equal(def, phantom2dDataset);
  assert.equal(def.dims, 2);
});

Deno.test("a loaded dataset describes itself and yields each split's cases in order", async () => {
  const ds = await load(SMALL);
  assert.equal(ds.id, "phantom2d");
  assert.equal(ds.dims, 2);
  assert.deepEqual(ds.channels, ["flair", "t1", "t1ce", "t2"]);
  assert.match(ds.preprocessingHash, /^[0-9a-f]{64}$/);
  assert.deepEqual(ds.preprocessing, parseConfig(phantom2dDataset.schema, SMALL, "phantom2d"));
  const train = await collect(ds, "train");
  assert.deepEqual(train.map((c) => c.id), ["train-000", "train-001", "train-002"]);
  assert.deepEqual((await collect(ds, "validation")).map((c) => c.id), ["validation-000", "validation-001"]);
  const test = await collect(ds, "test");
  assert.deepEqual(test.map((c) => c.label !== undefined), [true, true]);
  assert.deepEqual(test[0]!.shape, [3, 32, 32, 4]);
});

Deno.test("the labelled split holds other subjects than the test split, with lesions and masks", async () => {
  const ds = await load({ ...SMALL, labelledSubjects: 3 });
  assert.equal(ds.hasLabelled, true);
  const labelled = await collect(ds, "labelled");
  assert.deepEqual(labelled.map((c) => c.id), ["labelled-000", "labelled-001", "labelled-002"]);
  for (const c of labelled) {
    const [d, h, w] = c.shape;
    assert.ok(c.label, `${c.id} has no label`);
    assert.equal(c.label.length, d * h * w);
    assert.ok(c.label.some((v) => v === 1), `${c.id} has no lesion voxel`);
    assert.ok(c.label.every((v, i) => v === 0 || c.foreground[i] === 1), `${c.id}: label outside the brain`);
  }
  // Disjoint from test: no labelled slice equals any test slice (each subject has its own random stream).
  const test = await collect(ds, "test");
  const n = 32 * 32 * 4;
  const key = (c: Case, s: number) => c.image.subarray(s * n, (s + 1) * n).join();
  const testSlices = new Set(test.flatMap((c) => [0, 1, 2].map((s) => key(c, s))));
  for (const c of labelled) {
    for (const s of [0, 1, 2]) assert.ok(!testSlices.has(key(c, s)), `${c.id} repeats a test slice`);
  }
  // The healthy splits stay healthy.
  for (const split of ["train", "validation"] as const) {
    for (const c of await collect(ds, split)) assert.equal(c.label, undefined, `${c.id} has a label`);
  }
});

Deno.test("iterating twice, or loading twice, gives bit-identical cases", async () => {
  const a = await load(SMALL);
  const b = await load({ ...SMALL });
  assert.equal(a.preprocessingHash, b.preprocessingHash);
  const first = await collect(a, "test");
  assert.deepEqual(await collect(a, "test"), first);
  assert.deepEqual(await collect(b, "test"), first);
});

Deno.test("the hash covers every parameter and the generator's code version, and ignores key order", async () => {
  const base = parseConfig(phantom2dDataset.schema, {}, "phantom2d");
  const hash = await phantom2dHash(base);
  const reordered = Object.fromEntries(Object.entries(base).reverse()) as typeof base;
  assert.equal(await phantom2dHash(reordered), hash);
  const changes: Record<string, unknown> = {
    seed: 1,
    size: 48,
    noiseStd: 0.03,
    skullStrip: false,
    axialRange: [-0.3, 0.4],
    lesionSize: [0.05, 0.3],
    labelledSubjects: 5,
  };
  const seen = new Set([hash]);
  for (const [key, value] of Object.entries(changes)) {
    const changed = await phantom2dHash(parseConfig(phantom2dDataset.schema, { [key]: value }, "phantom2d"));
    assert.ok(!seen.has(changed), `changing ${key} must change the hash`);
    seen.add(changed);
  }
  assert.notEqual(await phantom2dHash(base, "generator-a"), await phantom2dHash(base, "generator-b"));
});
