/**
 * The `prepareScan` contract for every registered dataset that has one: a test case's own files, given as a
 * scan, become that very case (same shape, foreground, spacing and affine; the same image wherever the
 * dataset added no synthetic lesion), with no label. So predict applies the preprocessing the model was
 * trained with, by the dataset's own code, and no second implementation can drift. The data are the contract
 * fixtures (`dataset_fixtures.ts`); `SCAN_FILES` says where a fixture's test case keeps its channel files.
 */
import assert from "node:assert/strict";
import "../../plugins/mod.ts";
import { type Case, listDatasets, parseConfig } from "../../core/mod.ts";
import { readNifti } from "../../core/nifti/mod.ts";
import { DATASET_FIXTURES } from "./dataset_fixtures.ts";

/** A fixture case's channel files, in the dataset's channel order. */
const bidsFiles = (root: string, id: string) =>
  ["FLAIR", "T1w"].map((s) => `${root}/${id}/anat/${id}_${s}.nii.gz`);
const SCAN_FILES: Readonly<Record<string, (root: string, id: string) => string[]>> = {
  bids: bidsFiles,
  bids3d: bidsFiles,
  brats: (root, id) => ["flair", "t1", "t1ce", "t2"].map((m) => `${root}/${id}/${id}_${m}.nii.gz`),
  folder: (root, id) => ["t1", "t2"].map((ch) => `${root}/${id}_${ch}.nii.gz`),
  folder3d: (root, id) => ["t1", "t2"].map((ch) => `${root}/${id}_${ch}.nii.gz`),
  headct: (root, id) => [`${root}/${id}.nii.gz`],
};

for (const def of listDatasets()) {
  Deno.test(`prepareScan contract: ${def.id}`, async () => {
    if (!def.prepareScan) {
      assert.ok(
        def.source === "generated" || def.id.startsWith("realbrain"),
        `dataset '${def.id}' reads scans from files but has no prepareScan: predict cannot use its models`,
      );
      return;
    }
    const fixture = DATASET_FIXTURES[def.id], files = SCAN_FILES[def.id];
    assert.ok(fixture && files, `add dataset '${def.id}' to dataset_fixtures.ts and to SCAN_FILES here`);
    const root = await Deno.makeTempDir();
    try {
      await fixture.write(root);
      const config = parseConfig(def.schema, fixture.config, def.id);
      const dataset = await def.load(config, { dataRoot: root });
      const cases: Case[] = [];
      for await (const c of dataset.cases("test")) cases.push(c);
      assert.ok(cases.length > 0);
      for (const c of cases) {
        const channels = await Promise.all(files(root, c.id).map((f) => readNifti(f)));
        const scan: Case = await def.prepareScan!(config, { id: c.id, channels });
        assert.equal(scan.id, c.id);
        assert.deepEqual(scan.shape, c.shape, `${c.id}: shape`);
        assert.equal(scan.label, undefined, `${c.id}: a new scan has no label`);
        assert.deepEqual(scan.foreground, c.foreground, `${c.id}: foreground`);
        assert.deepEqual(scan.spacing, c.spacing, `${c.id}: spacing`);
        assert.ok(scan.affine, `${c.id}: a prepared scan carries its affine`);
        assert.deepEqual(scan.affine, c.affine, `${c.id}: affine`);
        const ch = c.shape[3];
        let compared = 0;
        for (let i = 0; i < c.image.length; i++) {
          if (c.label![Math.floor(i / ch)]) continue; // synthetic lesions change the dataset's test image there
          compared++;
          if (scan.image[i] !== c.image[i]) assert.fail(`${c.id}: image differs at value ${i}`);
        }
        assert.ok(compared > c.image.length / 2, `${c.id}: only ${compared} values compared`);
      }
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}
