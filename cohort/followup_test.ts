import assert from "node:assert/strict";
import { findFollowup } from "./followup.ts";
import { loadRules } from "./rules.ts";

const rules = await loadRules();
const hit = (report: string) => findFollowup(report, rules.followup, rules.abbreviations);

Deno.test("followup: comparison and earlier-imaging phrasing is caught, with rule and sentence", () => {
  const cases: Array<[string, string]> = [
    ["No haemorrhage. Compared with the previous CT, appearances are stable.", "compared_with_previous"],
    ["Comparison is made with the study from last year.", "comparison_made"],
    ["COMPARISON: none available.", "comparison_heading"],
    ["No change since yesterday.", "change_since"],
    ["Appearances unchanged from before.", "unchanged_since"],
    ["Interval evacuation of haematoma.", "interval"],
    ["The previous CT showed nothing.", "previous_imaging"],
    ["Prior study unavailable.", "previous_imaging"],
    ["The lesion previously described has gone.", "previously_seen"],
    ["Small calcification again seen.", "again_seen"],
    ["Follow-up of known subdural.", "follow_up"],
    ["Scan of 12/03/2019 reviewed.", "date"],
    ["See report of 2019-03-12.", "iso_date"],
  ];
  for (const [report, rule] of cases) assert.equal(hit(report)?.rule, rule, report);
  assert.equal(
    hit("No haemorrhage. Compared with the previous CT, appearances are stable.")?.sentence,
    "Compared with the previous CT, appearances are stable.",
  );
});

Deno.test("followup: first-scan reports pass", () => {
  for (
    const report of [
      "No intracranial haemorrhage, mass effect or midline shift.",
      "Ventricles and sulci are normal for age. A 3.5 mm calcified focus.",
      "Clinical details: fall, ?bleed. No acute intracranial abnormality.",
    ]
  ) assert.equal(hit(report), null, report);
});
