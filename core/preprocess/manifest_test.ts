import assert from "node:assert/strict";
import { readManifest } from "./manifest.ts";

Deno.test("readManifest: patients from a JSON field or CSV column; a tested patient elsewhere is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const row = (id: string, split: string, patient?: string) => ({
      id,
      split,
      images: [`${id}.nii.gz`],
      ...(patient ? { patient } : {}),
    });
    await Deno.writeTextFile(
      `${dir}/m.json`,
      JSON.stringify({
        channels: ["t1"],
        cases: [row("a", "train", "p1"), row("b", "test", "p2"), row("c", "validation")],
      }),
    );
    const m = await readManifest(`${dir}/m.json`);
    assert.deepEqual(m.cases.map((c) => c.patient), ["p1", "p2", undefined]);
    await Deno.writeTextFile(
      `${dir}/m.csv`,
      "id,split,t1,mask,patient\na,train,a.nii.gz,,p1\nb,labelled,b.nii.gz,b_seg.nii.gz,p1\n",
    );
    const csv = await readManifest(`${dir}/m.csv`, { labelled: true });
    assert.deepEqual(csv.channels, ["t1"], "patient is not a channel");
    assert.deepEqual(csv.cases.map((c) => [c.split, c.patient]), [["train", "p1"], ["labelled", "p1"]]);
    await Deno.writeTextFile(
      `${dir}/bad.csv`,
      "id,split,t1,mask,patient\na,test,a.nii.gz,,p1\nb,labelled,b.nii.gz,b_seg.nii.gz,p1\n",
    );
    await assert.rejects(
      readManifest(`${dir}/bad.csv`, { labelled: true }),
      /bad\.csv: patient 'p1' has test case 'a' and labelled case 'b'/,
    );
    // Without a patient column each case is its own patient: only a repeated id could clash, and ids are unique.
    await Deno.writeTextFile(`${dir}/plain.csv`, "id,split,t1\na,test,a.nii.gz\nb,train,b.nii.gz\n");
    assert.equal((await readManifest(`${dir}/plain.csv`)).cases.length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readManifest: metadata from extra JSON fields and meta: CSV columns; a misspelt file field is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/m.json`,
      JSON.stringify({
        channels: ["t1"],
        cases: [
          { id: "a", split: "train", images: ["a.nii.gz"], age: 52, site: "A" },
          { id: "b", split: "test", images: ["b.nii.gz"] },
        ],
      }),
    );
    const m = await readManifest(`${dir}/m.json`);
    assert.deepEqual(m.cases.map((c) => c.metadata), [{ age: 52, site: "A" }, undefined]);
    await Deno.writeTextFile(
      `${dir}/m.csv`,
      "id,split,t1,meta:age,meta:sex\na,train,a.nii.gz,52,F\nb,test,b.nii.gz,n/a,\n",
    );
    const csv = await readManifest(`${dir}/m.csv`);
    assert.deepEqual(csv.channels, ["t1"], "meta: columns are not channels");
    assert.deepEqual(csv.cases.map((c) => c.metadata), [{ age: 52, sex: "F" }, undefined]);
    await Deno.writeTextFile(
      `${dir}/typo.json`,
      JSON.stringify({
        channels: ["t1"],
        cases: [{ id: "a", split: "test", images: ["a.nii"], maks: "a_seg.nii" }],
      }),
    );
    await assert.rejects(
      readManifest(`${dir}/typo.json`),
      /typo\.json: case 'a': field 'maks' holds a NIfTI path but is not a file field/,
    );
    await Deno.writeTextFile(
      `${dir}/nested.json`,
      JSON.stringify({
        channels: ["t1"],
        cases: [{ id: "a", split: "test", images: ["a.nii"], extra: { x: 1 } }],
      }),
    );
    await assert.rejects(
      readManifest(`${dir}/nested.json`),
      /field 'extra' is metadata \(not a known field\) and must hold a string or a number/,
    );
    await Deno.writeTextFile(`${dir}/clash.csv`, "id,split,t1,meta:mask\na,test,a.nii,x\n");
    await assert.rejects(
      readManifest(`${dir}/clash.csv`),
      /column 'meta:mask' names no metadata key of its own/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
