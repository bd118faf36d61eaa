import assert from "node:assert/strict";
import { parseCsv } from "./csv.ts";
import { DEFAULT_RULES_DIR, RULE_FILES } from "./rules.ts";

const MAIN = `${import.meta.dirname}/main.ts`;
const TESTDATA = `${import.meta.dirname}/testdata`;

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    // The repository root, where deno.json maps "valibot".
    cwd: `${import.meta.dirname}/..`,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A copy of the test reports in `dir` with an image file for every scan but s03 (and s12, which names none). */
async function reportsWithImages(dir: string): Promise<string> {
  await Deno.copyFile(`${TESTDATA}/reports.csv`, `${dir}/reports.csv`);
  await Deno.mkdir(`${dir}/ct`);
  for (let i = 1; i <= 14; i++) {
    const id = `s${String(i).padStart(2, "0")}`;
    if (id !== "s03") await Deno.writeTextFile(`${dir}/ct/${id}.nii.gz`, "");
  }
  return `${dir}/reports.csv`;
}

Deno.test("main: end-to-end run writes a folder-dataset manifest, the audit, exclusions and selection atomically", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cohort_e2e_" });
  try {
    const reports = await reportsWithImages(dir);
    const out = `${dir}/nested/manifest.json`;
    const r = await run(
      "--reports",
      reports,
      "--out",
      out,
      "--images-column",
      "ct_path",
      "--validation",
      "0.3",
    );
    assert.equal(r.code, 0, r.stderr);

    // Outside the manifest's folder, image paths are absolute; one of the three patients validates.
    const manifest = JSON.parse(await Deno.readTextFile(out));
    assert.deepEqual(Object.keys(manifest), ["channels", "cases"]);
    assert.deepEqual(manifest.channels, ["ct"]);
    assert.deepEqual(manifest.cases.map((c: { id: string }) => c.id), ["s01", "s02", "s10"]);
    assert.deepEqual(manifest.cases[0].images, [`${dir}/ct/s01.nii.gz`]);
    const splits = manifest.cases.map((c: { split: string }) => c.split);
    assert.deepEqual(splits.filter((x: string) => x === "validation").length, 1);
    assert.deepEqual(splits.filter((x: string) => x === "train").length, 2);

    const audit = await Deno.readTextFile(`${out}.audit.md`);
    assert.ok(audit.includes("| All reports | 14 | 13 |  |"));
    assert.match(audit, /\| Normal by report labels \| 8 \| 7 \| 6 \|/);
    assert.match(audit, /\| Not a follow-up scan \| 5 \| 5 \| 3 \|/);
    assert.match(audit, /\| Has an image file \| 3 \| 3 \| 2 \|/);
    assert.ok(r.stdout.includes("| Has an image file | 3 | 3 | 2 |"), "audit printed to stdout");

    const ex = parseCsv(await Deno.readTextFile(`${out}.exclusions.csv`), "exclusions.csv");
    assert.deepEqual(ex[0]!.fields, ["scan_id", "patient_id", "step", "rule", "sentence", "labels"]);
    assert.equal(ex.length, 1 + 11);
    const s08 = ex.find((rec) => rec.fields[0] === "s08")!.fields;
    assert.deepEqual(s08.slice(2, 5), [
      "followup",
      "followup:compared_with_previous",
      "Compared with the previous CT of 12/03/2019, no new abnormality.",
    ]);
    const s03 = ex.find((rec) => rec.fields[0] === "s03")!.fields;
    assert.deepEqual(s03.slice(2, 5), ["image", "image:missing", `${dir}/ct/s03.nii.gz`]);
    assert.deepEqual(ex.find((rec) => rec.fields[0] === "s12")!.fields.slice(2, 4), ["image", "image:none"]);
    // Exclusions stay in input order.
    assert.deepEqual(ex.slice(1).map((rec) => rec.fields[0]), [
      "s03",
      "s04",
      "s05",
      "s06",
      "s07",
      "s08",
      "s09",
      "s11",
      "s12",
      "s13",
      "s14",
    ]);

    const selected = parseCsv(await Deno.readTextFile(`${out}.selected.csv`), "selected.csv");
    assert.deepEqual(selected.map((rec) => rec.fields.slice(0, 2)), [
      ["scan_id", "patient_id"],
      ["s01", "p01"],
      ["s02", "p02"],
      ["s03", "p03"],
      ["s10", "p10"],
      ["s12", "p11"],
    ]);
    assert.deepEqual(selected[3]!.fields.slice(2), ["-", ""]);

    const left = [...Deno.readDirSync(`${dir}/nested`)].map((e) => e.name).sort();
    assert.deepEqual(left, [
      "manifest.json",
      "manifest.json.audit.md",
      "manifest.json.exclusions.csv",
      "manifest.json.selected.csv",
    ]);

    // Beside the images, paths are relative to the manifest's folder; --channel names the channel.
    const beside = `${dir}/manifest.json`;
    const again = await run(
      "--reports",
      reports,
      "--out",
      beside,
      "--images-column",
      "ct_path",
      "--channel",
      "head_ct",
    );
    assert.equal(again.code, 0, again.stderr);
    const m2 = JSON.parse(await Deno.readTextFile(beside));
    assert.deepEqual([m2.channels, m2.cases[0].images], [["head_ct"], ["ct/s01.nii.gz"]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main: without an image column, the selection but no manifest", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cohort_e2e_" });
  try {
    const out = `${dir}/m.json`;
    const r = await run("--reports", `${TESTDATA}/reports.jsonl`, "--out", out);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no dataset manifest: the reports name no images \(--images-column\)/);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "m.json.audit.md",
      "m.json.exclusions.csv",
      "m.json.selected.csv",
    ]);
    assert.equal(
      await Deno.readTextFile(`${out}.selected.csv`),
      "scan_id,patient_id,split,image\r\nj1,q1,-,\r\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main: --rules folder and --allow override change the selection", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cohort_e2e_" });
  try {
    const rulesDir = `${dir}/rules`;
    await Deno.mkdir(rulesDir);
    for (const name of Object.values(RULE_FILES)) {
      await Deno.copyFile(`${DEFAULT_RULES_DIR}/${name}`, `${rulesDir}/${name}`);
    }
    // Drop the "interval" follow-up pattern: s11 then counts as a first scan.
    const followup = JSON.parse(await Deno.readTextFile(`${rulesDir}/followup.json`));
    followup.patterns = followup.patterns.filter((p: { id: string }) => p.id !== "interval");
    await Deno.writeTextFile(`${rulesDir}/followup.json`, JSON.stringify(followup));

    const out = `${dir}/m.json`;
    const r = await run(
      "--reports",
      `${TESTDATA}/reports.csv`,
      "--out",
      out,
      "--rules",
      rulesDir,
      "--allow",
      "",
    );
    assert.equal(r.code, 0, r.stderr);
    const ids = parseCsv(await Deno.readTextFile(`${out}.selected.csv`), "selected.csv").slice(1)
      .map((rec) => rec.fields[0]);
    // s03 (atrophy, small vessel disease, calcification) is no longer allowed; s11 is no longer follow-up.
    assert.deepEqual(ids, ["s01", "s02", "s10", "s11", "s12"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main: --help, unknown flags, missing files and malformed rows", async () => {
  const help = await run("--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--reports FILE/);
  assert.match(help.stdout, /--images-column NAME/);

  const unknown = await run("--reports", "r.csv", "--out", "m.json", "--bogus");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--bogus/);

  const missingFlag = await run("--reports", "r.csv");
  assert.equal(missingFlag.code, 2);
  assert.match(missingFlag.stderr, /missing --out/);

  const dir = await Deno.makeTempDir({ prefix: "cohort_e2e_" });
  try {
    const missing = await run("--reports", `${dir}/nope.csv`, "--out", `${dir}/m.json`);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, new RegExp(`reports file not found: ${dir}/nope\\.csv`));

    const noRules = await run(
      "--reports",
      `${TESTDATA}/reports.csv`,
      "--out",
      `${dir}/m.json`,
      "--rules",
      `${dir}/r`,
    );
    assert.equal(noRules.code, 2);
    assert.match(noRules.stderr, new RegExp(`rules folder not found: ${dir}/r`));

    const badAllow = await run(
      "--reports",
      `${TESTDATA}/reports.csv`,
      "--out",
      `${dir}/m.json`,
      "--allow",
      "atrophy",
    );
    assert.equal(badAllow.code, 2);
    assert.match(badAllow.stderr, /--allow: unknown label id "atrophy"/);

    const badSplit = await run(
      "--reports",
      `${TESTDATA}/reports.csv`,
      "--out",
      `${dir}/m.json`,
      "--validation",
      "1",
    );
    assert.equal(badSplit.code, 2);
    assert.match(badSplit.stderr, /--validation must be a fraction in \[0, 1\), got '1'/);

    // The test corpus names image files that do not exist here: nothing to put in a dataset.
    const noImages = await run(
      "--reports",
      `${TESTDATA}/reports.csv`,
      "--out",
      `${dir}/m.json`,
      "--images-column",
      "ct_path",
    );
    assert.equal(noImages.code, 2);
    assert.match(noImages.stderr, /none of the 5 selected scans has an image file/);

    const malformed = await run("--reports", `${TESTDATA}/malformed_row.csv`, "--out", `${dir}/m.json`);
    assert.equal(malformed.code, 2);
    assert.match(
      malformed.stderr,
      /malformed_row\.csv: row 3 \(line 5\), field "patient_id": must not be empty/,
    );
    // Nothing is written when the input is bad.
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
