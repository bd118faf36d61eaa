/**
 * The Dataset contract for every registered dataset: generated ones from their defaults, those that read files
 * from the tiny synthetic folders of `dataset_fixtures.ts` (a new file dataset without a fixture is skipped
 * with the reason). Every split has well-formed cases; test cases carry labels; where a dataset has a labelled
 * split, it carries labels with lesions and shares no case (and, where the dataset knows patients, no
 * patient) with test; a dataset that offers its cache files for streaming offers exactly its cases.
 */
import assert from "node:assert/strict";
import "../../plugins/mod.ts";
import { type AnySplit, type Case, type Dataset, listDatasets, parseConfig } from "../../core/mod.ts";
import { DATASET_FIXTURES } from "./dataset_fixtures.ts";

async function all(dataset: Dataset, split: AnySplit): Promise<Case[]> {
  const out: Case[] = [];
  for await (const c of dataset.cases(split)) out.push(c);
  return out;
}

for (const def of listDatasets()) {
  Deno.test(`dataset contract: ${def.id}`, async (t) => {
    const fixture = DATASET_FIXTURES[def.id];
    if (def.source === "files" && !fixture) {
      console.log(
        `  skipped: ${def.id} reads files and tests/contract/dataset_fixtures.ts has no fixture for it`,
      );
      return;
    }
    const root = await Deno.makeTempDir();
    try {
      await fixture?.write(root);
      const config = parseConfig(def.schema, fixture?.config ?? {}, def.id);
      const dataset = await def.load(config, fixture ? { dataRoot: root, cacheDir: `${root}/.cache` } : {});
      assert.equal(dataset.id, def.id);
      assert.match(dataset.preprocessingHash, /^[0-9a-f]{16,}$/);
      const splits: AnySplit[] = [
        "train",
        "validation",
        "test",
        ...(dataset.hasLabelled ? ["labelled" as const] : []),
      ];
      const ids: Partial<Record<AnySplit, string[]>> = {};
      for (const split of splits) {
        await t.step(split, async () => {
          const cases = await all(dataset, split);
          assert.ok(cases.length > 0, `${split} split is empty`);
          const count = dataset.caseCount?.(split);
          if (count !== undefined) {
            assert.equal(
              count,
              cases.length,
              `caseCount("${split}") says ${count}, the split has ${cases.length}`,
            );
          }
          ids[split] = cases.map((c) => c.id);
          for (const c of cases) {
            const [d, h, w, ch] = c.shape;
            assert.equal(ch, dataset.channels.length);
            assert.equal(c.image.length, d * h * w * ch);
            assert.equal(c.foreground.length, d * h * w);
            assert.ok(c.image.every(Number.isFinite), `${c.id}: non-finite voxel`);
            assert.ok(c.foreground.some((v) => v === 1), `${c.id}: empty foreground`);
            if (split === "test" || split === "labelled") {
              assert.ok(c.label, `${c.id}: ${split} case without a label`);
              assert.equal(c.label.length, d * h * w);
            }
          }
          if (split === "labelled") {
            assert.ok(cases.some((c) => c.label!.some((v) => v === 1)), "no labelled case has a lesion");
          }
          if (dataset.stored) {
            const stored: Case[] = [];
            for await (const s of dataset.stored(split)) stored.push(s.case);
            assert.deepEqual(stored.map((c) => c.id), ids[split], "stored cases are the split's cases");
            stored.forEach((c, i) => assert.deepEqual(c.image, cases[i]!.image, `${c.id}: stored image`));
          }
        });
      }
      await t.step("no test case or patient in another split", () => {
        const test = new Set(ids.test);
        for (const split of splits.filter((s) => s !== "test")) {
          const shared = ids[split]!.filter((id) => test.has(id));
          assert.deepEqual(shared, [], `${split} shares cases with test`);
          if (!dataset.patientOf) continue;
          const tested = new Set(ids.test!.map((id) => dataset.patientOf!(id)));
          const both = ids[split]!.filter((id) => tested.has(dataset.patientOf!(id)));
          assert.deepEqual(both, [], `${split} cases of tested patients`);
        }
      });
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}
