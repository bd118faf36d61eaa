import assert from "node:assert/strict";
import { compileLabelMatcher, extractLabels, type LabelStatus } from "./labels.ts";
import { loadRules } from "./rules.ts";

const rules = await loadRules();
const matcher = compileLabelMatcher(rules);

function status(report: string, id: string): LabelStatus {
  const r = extractLabels(report, matcher).get(id);
  assert.ok(r, `unknown label ${id}`);
  return r.status;
}

const HAEM = "impression.haemorrhage";
const INFARCT = "impression.ischaemic_stroke";

Deno.test("labels: plain mentions are positive, absent ones not_mentioned", () => {
  assert.equal(status("Acute subdural haematoma.", "impression.subdural_haematoma"), "positive");
  assert.equal(status("Acute subdural haematoma.", "finding.fracture"), "not_mentioned");
});

Deno.test("labels: pre-negation cues, including lists", () => {
  const r = "No intracranial haemorrhage, mass effect or midline shift.";
  assert.equal(status(r, HAEM), "negative");
  assert.equal(status(r, "finding.mass_effect"), "negative");
  assert.equal(status(r, "finding.midline_shift"), "negative");
  assert.equal(status("No evidence of infarction.", INFARCT), "negative");
  assert.equal(status("Negative for fracture.", "finding.fracture"), "negative");
  assert.equal(status("Study without hydrocephalus.", "impression.hydrocephalus"), "negative");
  assert.equal(status("There is absence of oedema.", "finding.oedema"), "negative");
});

Deno.test("labels: post-negation cues", () => {
  assert.equal(status("Haemorrhage is not seen.", HAEM), "negative");
  assert.equal(status("Intracranial haemorrhage has been excluded.", HAEM), "negative");
  assert.equal(status("Fracture not identified.", "finding.fracture"), "negative");
  assert.equal(status("Subdural collection ruled out.", "finding.collection"), "negative");
});

Deno.test("labels: post cues reach back only a few tokens", () => {
  const r = "Haemorrhage in the left frontal lobe with surrounding swelling, mass effect is not seen.";
  assert.equal(status(r, HAEM), "positive");
  assert.equal(status(r, "finding.mass_effect"), "negative");
});

Deno.test("labels: uncertainty cues, pre and post, win over the negation inside them", () => {
  assert.equal(status("Possible early infarct.", INFARCT), "uncertain");
  assert.equal(status("CT head ?SAH.", "impression.subarachnoid_haemorrhage"), "uncertain");
  assert.equal(status("Appearances may represent a small contusion.", "impression.contusion"), "uncertain");
  assert.equal(status("Suspicious for metastases.", "impression.metastases"), "uncertain");
  assert.equal(status("Cannot exclude a small haemorrhage.", HAEM), "uncertain");
  assert.equal(status("A small haemorrhage cannot be excluded.", HAEM), "uncertain");
  assert.equal(
    status("Subarachnoid blood can't be ruled out.", "impression.subarachnoid_haemorrhage"),
    "uncertain",
  );
});

Deno.test("labels: scope terminators end a cue's scope", () => {
  const r = "No haemorrhage, however there is a small left frontal contusion.";
  assert.equal(status(r, HAEM), "negative");
  assert.equal(status(r, "impression.contusion"), "positive");
  assert.equal(status("No acute haemorrhage but an old infarct.", INFARCT), "positive");
  assert.equal(status("No fracture although a scalp haematoma is noted.", HAEM), "positive");
  assert.equal(status("No fracture; subdural haematoma.", "impression.subdural_haematoma"), "positive");
  // Post cues do not reach back over a terminator either.
  assert.equal(status("Atrophy is present but fracture is not seen.", "finding.atrophy"), "positive");
});

Deno.test("labels: the nearest cue governs; pseudo-negations are inert", () => {
  const r = "Possible small haemorrhage, no mass effect.";
  assert.equal(status(r, HAEM), "uncertain");
  assert.equal(status(r, "finding.mass_effect"), "negative");
  assert.equal(status("No change in the size of the haematoma.", HAEM), "positive");
});

Deno.test("labels: sentence end stops scope", () => {
  assert.equal(status("No fracture. Haemorrhage in the right frontal lobe.", HAEM), "positive");
});

Deno.test("labels: British and American spellings", () => {
  for (const r of ["No evidence of hemorrhage.", "No evidence of haemorrhage."]) {
    assert.equal(status(r, HAEM), "negative");
  }
  assert.equal(status("Cerebral edema.", "finding.oedema"), "positive");
  assert.equal(status("Ischemic stroke.", INFARCT), "positive");
  assert.equal(status("Tumor in the left temporal lobe.", "impression.tumour"), "positive");
  assert.equal(status("Loss of gray-white matter differentiation.", "finding.infarct_signs"), "positive");
  assert.equal(status("Loss of grey white differentiation.", "finding.infarct_signs"), "positive");
});

Deno.test("labels: per-label exclusions keep 'mass effect' from meaning a mass", () => {
  assert.equal(status("There is mass effect.", "finding.lesion"), "not_mentioned");
  assert.equal(status("There is mass effect.", "finding.mass_effect"), "positive");
  assert.equal(status("Clinical: high blood pressure.", "finding.haemorrhage_signs"), "not_mentioned");
});

Deno.test("labels: strongest status wins across sentences, with its evidence", () => {
  const r = extractLabels("No haemorrhage. Possible haemorrhage in the sulci.", matcher).get(HAEM)!;
  assert.equal(r.status, "uncertain");
  assert.equal(r.sentence, "Possible haemorrhage in the sulci.");
  assert.equal(r.cue, "possible");
});

Deno.test("labels: clinical-details sections are not labelled", () => {
  const r = "Clinical details: fall, ?bleed.\nFindings: no intracranial haemorrhage.";
  assert.equal(status(r, HAEM), "negative");
  assert.equal(status("Findings: ?bleed.", HAEM), "uncertain");
});
