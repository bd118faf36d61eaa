import assert from "node:assert/strict";
import { readReports } from "./reports.ts";
import { loadRules } from "./rules.ts";
import { selectCohort } from "./select.ts";

const rules = await loadRules();
const rows = await readReports(`${import.meta.dirname}/testdata/reports.csv`);

Deno.test("selectCohort: audit counts of the test corpus", () => {
  const result = selectCohort(rows, rules);
  assert.deepEqual(result.audit, [
    { step: "All reports", scans: 14, patients: 13 },
    { step: "Normal by report labels", scans: 8, patients: 7 },
    { step: "Not a follow-up scan", scans: 5, patients: 5 },
  ]);
  assert.deepEqual(result.selected.map((r) => r.scanId), ["s01", "s02", "s03", "s10", "s12"]);
});

Deno.test("selectCohort: each exclusion carries its step, rule and sentence", () => {
  const byId = new Map(selectCohort(rows, rules).exclusions.map((e) => [e.scanId, e]));
  assert.deepEqual([...byId.keys()], ["s04", "s05", "s06", "s07", "s08", "s09", "s11", "s13", "s14"]);
  assert.deepEqual(byId.get("s04"), {
    scanId: "s04",
    patientId: "p04",
    step: "labels",
    rule: "finding.midline_shift=positive",
    sentence: "Acute subdural haematoma over the left convexity with 4 mm midline shift.",
    labels: [
      "finding.midline_shift=positive",
      "finding.haemorrhage_signs=positive",
      "impression.haemorrhage=positive",
      "impression.subdural_haematoma=positive",
    ],
  });
  assert.equal(byId.get("s05")!.rule, "finding.infarct_signs=uncertain");
  assert.equal(byId.get("s06")!.rule, "finding.haemorrhage_signs=uncertain");
  assert.ok(byId.get("s06")!.labels.includes("impression.subarachnoid_haemorrhage=uncertain"));
  assert.deepEqual(byId.get("s07")!.labels, ["impression.contusion=positive"]);
  assert.deepEqual(
    [byId.get("s08")!.step, byId.get("s08")!.rule, byId.get("s08")!.sentence],
    [
      "followup",
      "followup:compared_with_previous",
      "Compared with the previous CT of 12/03/2019, no new abnormality.",
    ],
  );
  assert.equal(byId.get("s09")!.rule, "followup:change_since");
  assert.equal(byId.get("s11")!.rule, "followup:interval");
});

Deno.test("selectCohort: allow-listed findings keep a report normal; an empty allow-list drops it", () => {
  const s03 = rows.filter((r) => r.scanId === "s03");
  assert.equal(selectCohort(s03, rules).selected.length, 1);
  const strict = selectCohort(s03, rules, []);
  assert.equal(strict.selected.length, 0);
  assert.deepEqual(strict.exclusions[0]!.labels, [
    "finding.hypodensity=positive",
    "finding.atrophy=positive",
    "finding.small_vessel_disease=positive",
    "impression.atrophy=positive",
    "impression.small_vessel_disease=positive",
    "finding.calcification=positive",
  ]);
});

Deno.test("selectCohort: label counts over all reports", () => {
  const counts = new Map(selectCohort(rows, rules).labelCounts.map((c) => [c.id, c]));
  const haem = counts.get("impression.haemorrhage")!;
  // Negated in s01 s02 s05 s07 s08 s09 s10 s12 s14; positive in s04; uncertain in s06.
  assert.deepEqual(haem.counts, { positive: 1, uncertain: 1, negative: 9, not_mentioned: 3 });
  assert.equal(counts.get("finding.calcification")!.allowed, true);
  assert.equal(haem.allowed, false);
});
