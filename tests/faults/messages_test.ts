/**
 * Fault injection: poor messages on the data path and the command line. Quoted CSV cells, empty splits named
 * with their dataset, garbled manifests named with their file, extra words and empty lists on the command line.
 */
import assert from "node:assert/strict";
import * as v from "valibot";
import { parse, runFlags, UsageError } from "../../cli/args.ts";
import { parseConfig } from "../../core/config.ts";
import type { DatasetDefinition } from "../../core/dataset.ts";
import { bratsDataset, patientFiles } from "../../plugins/brats/dataset.ts";
import { folderDataset } from "../../plugins/folder/dataset.ts";
import { readManifest } from "../../core/preprocess/manifest.ts";
import { realbrainDataset } from "../../plugins/realbrain/dataset.ts";
import { assertRefused, ball, collect, lesion, SHAPE, withTempDir, writeVolume } from "./_util.ts";

Deno.test("CSV manifests: quoted cells (commas, doubled quotes, CRLF, BOM) are parsed as RFC 4180 says", async () => {
  await withTempDir(async (dir) => {
    const csv = '\uFEFF"id","split","t1","mask"\r\n' +
      'a,train,"scans/a, first.nii.gz",\r\n' +
      'b,test,"scans/b ""v2"".nii.gz","masks/b,seg.nii.gz"\r\n';
    await Deno.writeTextFile(`${dir}/m.csv`, csv);
    const m = await readManifest(`${dir}/m.csv`);
    assert.deepEqual(m.channels, ["t1"]);
    assert.deepEqual(m.cases.map((c) => c.images[0]), [
      `${dir}/scans/a, first.nii.gz`,
      `${dir}/scans/b "v2".nii.gz`,
    ]);
    assert.equal(m.cases[1]!.mask, `${dir}/masks/b,seg.nii.gz`);
    assert.equal(m.cases[0]!.mask, undefined, "an empty cell is no mask");
    // Broken quoting and ragged rows are named with the file and line.
    await Deno.writeTextFile(`${dir}/bad.csv`, 'id,split,t1\na,train,"open.nii\n');
    await assertRefused(() => readManifest(`${dir}/bad.csv`), `${dir}/bad.csv`, /line 2.*quote/);
    await Deno.writeTextFile(`${dir}/ragged.csv`, "id,split,t1\na,train,a.nii,extra\n");
    await assertRefused(() => readManifest(`${dir}/ragged.csv`), `${dir}/ragged.csv`, /line 2 has 4 cells/);
    // Truncated or garbled JSON manifests are named with the file.
    await Deno.writeTextFile(`${dir}/cut.json`, '{"channels": ["t1"], "cases": [{"id": "a", "spl');
    await assertRefused(() => readManifest(`${dir}/cut.json`), `${dir}/cut.json`, /not valid JSON/);
    await Deno.writeTextFile(`${dir}/null.json`, "null");
    await assertRefused(() => readManifest(`${dir}/null.json`), `${dir}/null.json`, /invalid|manifest/);
  });
});

Deno.test("an empty split is refused when read, naming the dataset, the split and the reason", async () => {
  await withTempDir(async (dir) => {
    for (const id of ["a", "b"]) await writeVolume(`${dir}/${id}.nii.gz`, ball(), SHAPE);
    await writeVolume(`${dir}/b_mask.nii.gz`, lesion(), SHAPE);
    await Deno.writeTextFile(
      `${dir}/m.csv`,
      "id,split,t1,mask\na,train,a.nii.gz,\nb,test,b.nii.gz,b_mask.nii.gz\n",
    );
    const def = folderDataset as DatasetDefinition<unknown>;
    const folder = await def.load(
      v.parse(def.schema as v.GenericSchema, { manifest: `${dir}/m.csv`, size: 8 }),
      {},
    );
    assert.equal((await collect(folder.cases("test"))).length, 1, "the splits that have cases are usable");
    await assertRefused(
      () => collect(folder.cases("validation")),
      `${dir}/m.csv`,
      /dataset 'folder': split 'validation' is empty/,
    );
    for (const id of ["BraTS2021_00000", "BraTS2021_00001"]) {
      await Deno.mkdir(`${dir}/brats/${id}`, { recursive: true });
      const f = patientFiles(`${dir}/brats`, id);
      for (const m of ["flair", "t1", "t1ce", "t2", "seg"]) await writeVolume(f[m]!, ball(), SHAPE);
    }
    const brats = await bratsDataset.load(v.parse(bratsDataset.schema, { size: 8 }), {
      dataRoot: `${dir}/brats`,
    });
    await assertRefused(
      () => collect(brats.cases("validation")),
      "brats",
      /split 'validation' is empty.*2 patient.*validationFraction 0\.05/,
    );
    await assertRefused(
      () => parseConfig(realbrainDataset.schema, { validationCases: 0 }, "dataset 'realbrain'"),
      "validationCases",
      /realbrain[\s\S]*validationCases: must be at least 1/,
    );
  });
});

Deno.test("extra words on the command line and empty lists are refused", async () => {
  assert.throws(() => parse(["--noise", "coarse", "extra"], runFlags), (e: Error) => {
    assert.ok(e instanceof UsageError, e.message);
    assert.match(e.message, /unexpected argument 'extra'/i);
    return true;
  });
  for (const list of [",", "auprc,,auroc", " ", "auprc,"]) {
    assert.throws(
      () => parse(["--metrics", list], { metrics: { type: "string" } }),
      /--metrics.*empty/,
      `--metrics '${list}'`,
    );
  }
  // Through the CLI: `eval --metrics ,` fails before it reads the run or touches eval.json.
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/run.json`, JSON.stringify({ status: "complete", spec: {} }));
    await Deno.writeTextFile(`${dir}/eval.json`, '{"metrics":{"auprc":{"value":0.5}}}');
    const main = new URL("../../cli/main.ts", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-check", main, "eval", "--run", dir, "--metrics", ","],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 2, stderr);
    assert.match(stderr, /--metrics/);
    assert.equal(await Deno.readTextFile(`${dir}/eval.json`), '{"metrics":{"auprc":{"value":0.5}}}');
  });
});
