import assert from "node:assert/strict";
import { dropSections, splitSentences } from "./sentences.ts";

const texts = (s: string, abbr: string[] = []) => splitSentences(s, abbr).map((x) => x.text);

Deno.test("splitSentences: full stops, newlines, decimals and dotted dates", () => {
  assert.deepEqual(texts("No bleed. A 3.5 mm focus, seen 12.03.2019.\nNormal ventricles"), [
    "No bleed.",
    "A 3.5 mm focus, seen 12.03.2019.",
    "Normal ventricles",
  ]);
});

Deno.test("splitSentences: abbreviations do not end a sentence", () => {
  assert.deepEqual(texts("Changes e.g. atrophy are noted. Next.", ["e.g."]), [
    "Changes e.g. atrophy are noted.",
    "Next.",
  ]);
  assert.deepEqual(texts("Changes e.g. atrophy are noted.", []), ["Changes e.g.", "atrophy are noted."]);
});

Deno.test("splitSentences: a query '?' stays with its word; a closing '?' ends the sentence", () => {
  assert.deepEqual(texts("CT head ?bleed. Fall ? SAH. Haemorrhage? No."), [
    "CT head ?bleed.",
    "Fall ? SAH.",
    "Haemorrhage?",
    "No.",
  ]);
  assert.deepEqual(texts("bleed? query infarct."), ["bleed? query infarct."]);
});

Deno.test("splitSentences: start offsets point into the report", () => {
  const report = "  One.\n\nTwo!";
  for (const s of splitSentences(report)) {
    assert.equal(report.slice(s.start, s.start + s.text.length), s.text);
  }
});

Deno.test("dropSections: ignored sections run until the next heading", () => {
  const s = splitSentences("CLINICAL DETAILS:\nFall. ?bleed.\nFINDINGS: Small bleed.\nHistory: stroke.");
  assert.deepEqual(dropSections(s, ["clinical details", "history"]).map((x) => x.text), [
    "FINDINGS: Small bleed.",
  ]);
  assert.equal(dropSections(s, []).length, s.length);
});
