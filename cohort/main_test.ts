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

Deno.test("main: end-to-end run writes manifest, audit and exclusions atomically", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cohort_e2e_" });
  try {
    const out = `${dir}/nested/manifest.json`;
    const r = await run("--reports", `${TESTDATA}/reports.csv`, "--out", out, "--images-column", "ct_path");
    assert.equal(r.code, 0, r.stderr);

    const manifest = JSON.parse(await Deno.readTextFile(out));
    assert.equal(manifest.version, 1);
    assert.deepEqual(manifest.cases.map((c: { id: string }) => c.id), ["s01", "s02", "s03", "s10", "s12"]);
    assert.deepEqual(manifest.cases[0], {
      id: "s01",
      patient: "p01",
      split: "train",
      images: ["ct/s01.nii.gz"],
    });
    // s12 has an empty image cell.
    assert.deepEqual(manifest.cases[4].images, []);

    const audit = await Deno.readTextFile(`${out}.audit.md`);
    assert.ok(audit.includes("| All reports | 14 | 13 |  |"));
    assert.match(audit, /\| Normal by report labels \| 8 \| 7 \| 6 \|/);
    assert.match(audit, /\| Not a follow-up scan \| 5 \| 5 \| 3 \|/);
    assert.ok(r.stdout.includes("| Not a follow-up scan | 5 | 5 | 3 |"), "audit printed to stdout");

    const ex = parseCsv(await Deno.readTextFile(`${out}.exclusions.csv`), "exclusions.csv");
    assert.deepEqual(ex[0]!.fields, ["scan_id", "patient_id", "step", "rule", "sentence", "labels"]);
    assert.equal(ex.length, 1 + 9);
    const s08 = ex.find((rec) => rec.fields[0] === "s08")!.fields;
    assert.deepEqual(s08.slice(2, 5), [
      "followup",
      "followup:compared_with_previous",
      "Compared with the previous CT of 12/03/2019, no new abnormality.",
    ]);

    const left = [...Deno.readDirSync(`${dir}/nested`)].map((e) => e.name).sort();
    assert.deepEqual(left, ["manifest.json", "manifest.json.audit.md", "manifest.json.exclusions.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main: JSONL input without images gives empty image lists", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cohort_e2e_" });
  try {
    const out = `${dir}/m.json`;
    const r = await run("--reports", `${TESTDATA}/reports.jsonl`, "--out", out);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(out)), {
      version: 1,
      cases: [{ id: "j1", patient: "q1", split: "train", images: [] }],
    });
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
    const ids = JSON.parse(await Deno.readTextFile(out)).cases.map((c: { id: string }) => c.id);
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
