import assert from "node:assert/strict";
import { parseConfig } from "../../core/config.ts";
import type { AnySplit, Case, Dataset } from "../../core/dataset.ts";
import { writeNifti } from "../../core/nifti/mod.ts";
import { type BidsConfig, bidsSchema } from "./config.ts";
import { bids3dDataset, bidsDataset } from "./dataset.ts";
import { type TreeScan, writeBidsTree } from "./test_tree.ts";

async function all(ds: Dataset, split: AnySplit): Promise<Case[]> {
  const out: Case[] = [];
  for await (const c of ds.cases(split)) out.push(c);
  return out;
}

const config = (o: Record<string, unknown> = {}, dims: 2 | 3 = 2): BidsConfig =>
  parseConfig(bidsSchema(dims), { suffixes: ["FLAIR", "T1w"], size: 16, ...o }, "bids");

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + x, 0);

/** Six healthy subjects and two with a lesion, two sites. */
const SUBJECTS: TreeScan[] = [
  ...["01", "02", "03", "04", "05", "06"].map((s, i) => ({
    subject: s,
    participant: { age: 30 + 7 * i, sex: i % 2 ? "M" : "F", site: i < 3 ? "A" : "B" },
  })),
  {
    subject: "07",
    lesions: [{ centre: [12, 12, 6], radius: 3 }],
    participant: { age: 71, sex: "F", site: "B" },
  },
  {
    subject: "08",
    lesions: [{ centre: [10, 12, 5], radius: 2 }],
    participant: { age: "n/a", sex: "M", site: "A" },
  },
];

async function withTree(scans: readonly TreeScan[], fn: (root: string) => Promise<void>, o = {}) {
  const root = await Deno.makeTempDir({ prefix: "bids_" });
  try {
    await writeBidsTree(root, scans, o);
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("bids: channels by suffix, masks from derivatives, participants.tsv as metadata, seeded split, cache", async () => {
  await withTree(SUBJECTS, async (root) => {
    const opts = { dataRoot: root, cacheDir: `${root}/.cache` };
    const ds = await bidsDataset.load(config(), opts);
    assert.deepEqual(ds.channels, ["FLAIR", "T1w"]);
    const [train, validation, test] = await Promise.all(
      ["train", "validation", "test"].map((s) => all(ds, s as AnySplit)),
    );
    const ids = (cs: Case[]) => cs.map((c) => c.id);
    // Lesion subjects are tested; the six healthy ones split 0.7 / 0.1 / rest: 4, 1, 1.
    assert.deepEqual([train!.length, validation!.length], [4, 1]);
    assert.ok(ids(test!).includes("sub-07") && ids(test!).includes("sub-08") && test!.length === 3);
    assert.equal(new Set([...ids(train!), ...ids(validation!), ...ids(test!)]).size, 8);
    const c07 = test!.find((c) => c.id === "sub-07")!;
    assert.deepEqual(c07.metadata, { age: 71, sex: "F", site: "B" });
    assert.deepEqual(
      test!.find((c) => c.id === "sub-08")!.metadata,
      { sex: "M", site: "A" },
      "n/a is left out",
    );
    assert.ok(sum(c07.label!) > 0, "the lesion mask is the label");
    const healthy = test!.find((c) => !["sub-07", "sub-08"].includes(c.id))!;
    assert.equal(sum(healthy.label!), 0, "a scan without mask is a healthy test case");
    // FLAIR (channel 0) is bright in the lesion, T1w (channel 1) dark: channels follow `suffixes`.
    const inLesion = [...c07.label!.keys()].filter((i) => c07.label![i] === 1);
    const mean = (ch: number) => inLesion.reduce((s, i) => s + c07.image[2 * i + ch]!, 0) / inLesion.length;
    assert.ok(mean(0) > 0.9 && mean(1) < 0.7, `FLAIR ${mean(0)}, T1w ${mean(1)} in the lesion`);
    assert.equal(ds.patientOf!("sub-07"), "sub-07");
    // From the cache: the same cases with their metadata; participants.tsv is part of the key.
    const again = await bidsDataset.load(config(), opts);
    assert.equal(again.preprocessingHash, ds.preprocessingHash);
    assert.deepEqual((await all(again, "test")).find((c) => c.id === "sub-07")!.metadata, c07.metadata);
    await Deno.writeTextFile(
      `${root}/participants.tsv`,
      (await Deno.readTextFile(`${root}/participants.tsv`)).replace("sub-07\t71", "sub-07\t72"),
    );
    const edited = await bidsDataset.load(config(), opts);
    assert.notEqual(
      edited.preprocessingHash,
      ds.preprocessingHash,
      "an edited participants.tsv is other data",
    );
    assert.equal((await all(edited, "test")).find((c) => c.id === "sub-07")!.metadata!.age, 72);
  });
});

Deno.test("bids: sessions are cases of one patient, with their sessions.tsv rows; a split file per scan", async () => {
  const scans: TreeScan[] = ["a", "b", "c"].flatMap((s, i) =>
    ["1", "2"].map((ses) => ({
      subject: s,
      session: ses,
      ...(s === "c" ? { lesions: [{ centre: [12, 12, 6] as const, radius: 2 }] } : {}),
      participant: { age: 40 + i },
    }))
  );
  await withTree(scans, async (root) => {
    for (const s of ["a", "b", "c"]) {
      await Deno.writeTextFile(
        `${root}/sub-${s}/sub-${s}_sessions.tsv`,
        "session_id\tscanner\nses-1\tPrisma\nses-2\tSkyra\n",
      );
    }
    const rows = ["participant_id\tsession_id\tsplit", "sub-a\tses-1\ttrain", "sub-a\tses-2\ttrain"];
    rows.push("sub-b\tses-1\tvalidation", "sub-b\tses-2\tnone", "sub-c\tses-1\ttest", "sub-c\tses-2\ttest");
    await Deno.writeTextFile(`${root}/splits.tsv`, rows.join("\n") + "\n");
    const ds = await bidsDataset.load(config({ splitFile: "splits.tsv" }), { dataRoot: root });
    assert.deepEqual((await all(ds, "train")).map((c) => c.id), ["sub-a_ses-1", "sub-a_ses-2"]);
    assert.deepEqual(
      (await all(ds, "validation")).map((c) => c.id),
      ["sub-b_ses-1"],
      "'none' leaves a scan out",
    );
    const test = await all(ds, "test");
    assert.deepEqual(test.map((c) => c.metadata), [
      { session: "1", age: 42, scanner: "Prisma" },
      { session: "2", age: 42, scanner: "Skyra" },
    ]);
    assert.equal(ds.patientOf!("sub-c_ses-2"), "sub-c");
    // A tested subject with a training session is refused.
    await Deno.writeTextFile(
      `${root}/splits.tsv`,
      rows.join("\n").replace("sub-c\tses-2\ttest", "sub-c\tses-2\ttrain"),
    );
    await assert.rejects(
      bidsDataset.load(config({ splitFile: "splits.tsv" }), { dataRoot: root }),
      /splits\.tsv: sub-c has test scan sub-c_ses-1 and train scan sub-c_ses-2/,
    );
    // Only session 1: one case per subject (the table's rows of other sessions are not used).
    const one = await bidsDataset.load(config({ sessions: ["1"], splitFile: "splits.tsv" }), {
      dataRoot: root,
    });
    assert.deepEqual((await all(one, "test")).map((c) => c.id), ["sub-c_ses-1"]);
    assert.deepEqual((await all(one, "train")).map((c) => c.id), ["sub-a_ses-1"]);
  });
});

Deno.test("bids: the split from a participants.tsv column; 'none' skips a subject before its files are read", async () => {
  const scans: TreeScan[] = [
    { subject: "h1", participant: { group: "train" } },
    { subject: "h2", participant: { group: "validation" } },
    { subject: "p1", lesions: [{ centre: [12, 12, 6], radius: 2 }], participant: { group: "test" } },
    { subject: "x", participant: { group: "none" } },
  ];
  await withTree(scans, async (root) => {
    await Deno.remove(`${root}/sub-x/anat/sub-x_T1w.nii.gz`); // incomplete, but left out
    const ds = await bidsDataset.load(config({ splitColumn: "group" }), { dataRoot: root });
    assert.deepEqual((await all(ds, "test")).map((c) => [c.id, c.metadata]), [["sub-p1", undefined]]);
    assert.deepEqual((await all(ds, "train")).map((c) => c.id), ["sub-h1"]);
    await assert.rejects(all(ds, "labelled"), /no scan has split 'labelled'/);
  });
});

Deno.test("bids: clear errors for a folder that is not BIDS, a missing modality, a mask on another grid, a subject without participants row", async () => {
  await withTree(SUBJECTS, async (root) => {
    const load = (o: Record<string, unknown> = {}) => bidsDataset.load(config(o), { dataRoot: root });
    await Deno.rename(`${root}/dataset_description.json`, `${root}/description.json`);
    await assert.rejects(load(), /not a BIDS dataset \(.*dataset_description\.json: file not found/);
    await Deno.rename(`${root}/description.json`, `${root}/dataset_description.json`);

    await assert.rejects(
      load({ suffixes: ["FLAIR", "T2w"] }),
      /sub-01: no T2w image in .*sub-01\/anat \(every scan needs each of FLAIR, T2w/,
    );
    const participants = await Deno.readTextFile(`${root}/participants.tsv`);
    await Deno.writeTextFile(`${root}/participants.tsv`, participants.replace(/^sub-05\t.*\n/m, ""));
    await assert.rejects(load(), /participants\.tsv: no row for sub-05 \(BIDS lists every subject there/);
    await Deno.writeTextFile(`${root}/participants.tsv`, participants);

    // The lesion mask of sub-07 moved by 4 mm: refused, naming both files.
    const mask = `${root}/derivatives/manual/sub-07/anat/sub-07_desc-lesion_mask.nii.gz`;
    const shifted = [[2, 0, 0, 4], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]];
    await writeNifti(mask, new Float32Array(24 * 24 * 12), [24, 24, 12], {
      affine: shifted,
      datatype: "uint8",
    });
    const ds = await load();
    await assert.rejects(
      all(ds, "test"),
      /sub-07: .*sub-07_desc-lesion_mask\.nii\.gz: voxel grid differs from .*sub-07_FLAIR\.nii\.gz: origin/,
    );

    // Two T1w runs: ambiguous until `entities` picks one.
    await Deno.copyFile(
      `${root}/sub-01/anat/sub-01_T1w.nii.gz`,
      `${root}/sub-01/anat/sub-01_run-2_T1w.nii.gz`,
    );
    await assert.rejects(
      load(),
      /2 files are the T1w image of sub-01 \(sub-01_T1w\.nii\.gz, sub-01_run-2_T1w/,
    );
    await assert.rejects(
      load({ entities: { run: "2" } }),
      /sub-01: no FLAIR image in .* with run-2 \(every scan needs each/,
    );
    await Deno.remove(`${root}/sub-01/anat/sub-01_run-2_T1w.nii.gz`);

    await Deno.writeTextFile(`${root}/s.tsv`, "participant_id\tsplit\nsub-01\ttrain\nsub-99\ttest\n");
    await assert.rejects(load({ splitFile: "s.tsv" }), /s\.tsv: sub-99 has no folder/);
    await Deno.writeTextFile(`${root}/s.tsv`, "participant_id\tsplit\nsub-01\ttraining\n");
    await assert.rejects(
      load({ splitFile: "s.tsv" }),
      /s\.tsv: line 2: split 'training' is not a split \(use train,/,
    );
    await Deno.writeTextFile(`${root}/s.tsv`, "participant_id\tsplit\nsub-01\ttrain\n");
    await assert.rejects(
      load({ splitFile: "s.tsv" }),
      /s\.tsv: no row for sub-02 \(every scan needs a split/,
    );
    await assert.rejects(load({ splitColumn: "group" }), /participants\.tsv: no column 'group'/);

    // A second pipeline with a mask for the same scan: which one is meant must be said.
    const other = `${root}/derivatives/auto/sub-08/anat`;
    await Deno.mkdir(other, { recursive: true });
    await Deno.copyFile(mask, `${other}/sub-08_desc-lesion_mask.nii.gz`);
    await assert.rejects(
      load(),
      /sub-08 has a desc-lesion mask in 2 pipelines .*choose one with the config's 'maskPipeline'/,
    );
    assert.ok((await load({ maskPipeline: "manual" })).preprocessingHash);
  });
});

Deno.test("bids3d: isotropic volumes; a training scan whose mask marks voxels is refused", async () => {
  await withTree(SUBJECTS, async (root) => {
    const ds = await bids3dDataset.load(config({ size: 8 }, 3), { dataRoot: root });
    assert.equal(ds.dims, 3);
    const test = await all(ds, "test");
    const c07 = test.find((c) => c.id === "sub-07")!;
    assert.deepEqual(c07.shape, [8, 8, 8, 2]);
    assert.ok(sum(c07.label!) > 0);
    await Deno.writeTextFile(
      `${root}/s.tsv`,
      [
        "participant_id\tsplit",
        ...SUBJECTS.map((s) => `sub-${s.subject}\t${s.subject === "07" ? "train" : "test"}`),
      ]
        .join("\n"),
    );
    const bad = await bids3dDataset.load(config({ size: 8, splitFile: "s.tsv" }, 3), { dataRoot: root });
    await assert.rejects(all(bad, "train"), /sub-07: split 'train' must be healthy but its lesion mask/);
  });
});
