/**
 * The Dataset contract for every registered dataset that can be built without files; datasets that need a
 * data folder are checked by their own tests on synthetic files and skipped here with the reason.
 */
import assert from "node:assert/strict";
import "../../plugins/mod.ts";
import { type Case, listDatasets, parseConfig, type Split } from "../../core/mod.ts";

for (const def of listDatasets()) {
  Deno.test(`dataset contract: ${def.id}`, async (t) => {
    if (def.source === "files") {
      console.log(`  skipped: ${def.id} needs source files; its own tests build synthetic ones`);
      return;
    }
    const dataset = await def.load(parseConfig(def.schema, {}, def.id), {});
    assert.equal(dataset.id, def.id);
    assert.match(dataset.preprocessingHash, /^[0-9a-f]{16,}$/);
    for (const split of ["train", "validation", "test"] as Split[]) {
      await t.step(split, async () => {
        let n = 0;
        for await (const c of dataset.cases(split) as AsyncIterable<Case>) {
          n++;
          const [d, h, w, ch] = c.shape;
          assert.equal(ch, dataset.channels.length);
          assert.equal(c.image.length, d * h * w * ch);
          assert.equal(c.foreground.length, d * h * w);
          assert.ok(c.image.every(Number.isFinite), `${c.id}: non-finite voxel`);
          assert.ok(c.foreground.some((v) => v === 1), `${c.id}: empty foreground`);
          if (split === "test") {
            assert.ok(c.label, `${c.id}: test case without a label`);
            assert.equal(c.label.length, d * h * w);
          }
        }
        assert.ok(n > 0, `${split} split is empty`);
        const count = dataset.caseCount?.(split);
        if (count !== undefined) {
          assert.equal(count, n, `caseCount("${split}") says ${count}, the split has ${n}`);
        }
      });
    }
  });
}
