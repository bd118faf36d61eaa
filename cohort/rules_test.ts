import assert from "node:assert/strict";
import { InputError } from "./errors.ts";
import { DEFAULT_RULES_DIR, loadRules, RULE_FILES } from "./rules.ts";

async function copyRules(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "cohort_rules_" });
  for (const name of Object.values(RULE_FILES)) {
    await Deno.copyFile(`${DEFAULT_RULES_DIR}/${name}`, `${dir}/${name}`);
  }
  return dir;
}

async function editJson(path: string, edit: (j: Record<string, unknown>) => void): Promise<void> {
  const j = JSON.parse(await Deno.readTextFile(path));
  edit(j);
  await Deno.writeTextFile(path, JSON.stringify(j));
}

Deno.test("loadRules: shipped rules have 33 labels (14 findings, 19 impressions)", async () => {
  const rules = await loadRules();
  assert.equal(rules.labels.length, 33);
  assert.equal(rules.labels.filter((l) => l.kind === "finding").length, 14);
  assert.equal(rules.labels.filter((l) => l.kind === "impression").length, 19);
  assert.deepEqual(rules.allow, [
    "finding.calcification",
    "finding.atrophy",
    "impression.atrophy",
    "finding.small_vessel_disease",
    "impression.small_vessel_disease",
    "finding.hypodensity",
  ]);
  assert.ok(rules.followup.every((p) => p.regex instanceof RegExp && p.flags === "i"));
});

Deno.test("loadRules: invalid rule files name the file and the field", async () => {
  const dir = await copyRules();
  try {
    await editJson(`${dir}/labels.json`, (j) => {
      (j.labels as Array<Record<string, unknown>>)[2]!.kind = "symptom";
    });
    await assert.rejects(
      () => loadRules(dir),
      (e: unknown) =>
        e instanceof InputError && e.message.startsWith(`${dir}/labels.json: field "labels.2.kind": must be`),
    );
    await Deno.copyFile(`${DEFAULT_RULES_DIR}/labels.json`, `${dir}/labels.json`);

    await editJson(`${dir}/followup.json`, (j) => {
      (j.patterns as unknown[]).push({ id: "bad", pattern: "(unclosed" });
    });
    await assert.rejects(
      () => loadRules(dir),
      /followup\.json: field "patterns\.\d+": pattern is not a valid regular/,
    );
    await Deno.copyFile(`${DEFAULT_RULES_DIR}/followup.json`, `${dir}/followup.json`);

    await editJson(`${dir}/selection.json`, (j) => {
      j.allow = ["finding.calcificaton"];
    });
    await assert.rejects(() => loadRules(dir), /selection\.json: unknown label id "finding\.calcificaton"/);
    await Deno.copyFile(`${DEFAULT_RULES_DIR}/selection.json`, `${dir}/selection.json`);

    await editJson(`${dir}/cues.json`, (j) => {
      (j.negation as Record<string, unknown>).pre = ["no", "..."];
    });
    await assert.rejects(() => loadRules(dir), /cues\.json: field "negation\.pre\.1": phrase has no words/);

    await Deno.writeTextFile(`${dir}/cues.json`, "{ not json");
    await assert.rejects(() => loadRules(dir), /cues\.json: not valid JSON/);

    await Deno.remove(`${dir}/cues.json`);
    await assert.rejects(() => loadRules(dir), new RegExp(`rules file not found: ${dir}/cues\\.json`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadRules: missing rules folder is an InputError naming it", async () => {
  await assert.rejects(() => loadRules("/no/such/rules"), /rules folder not found: \/no\/such\/rules/);
});
