/**
 * Splits report text into sentences: at line breaks, and at ".", "!" or "?"
 * followed by white space or the end of text. Known abbreviations ("e.g.") and
 * decimals ("3.5 mm", "12.03.2019") do not split, and a "?" used as a query
 * prefix ("?bleed", "? SAH") stays inside its sentence.
 * @module
 */

/** One sentence and where it starts in the report. */
export interface Sentence {
  /** Sentence text, trimmed. */
  text: string;
  /** Index of its first character in the report. */
  start: number;
}

function endsWithAbbreviation(chunk: string, abbreviations: ReadonlySet<string>): boolean {
  const word = chunk.slice(chunk.search(/\S+$/)).replace(/^[("[]+/, "").toLowerCase();
  return abbreviations.has(word);
}

/**
 * Splits `text` into non-empty sentences.
 *
 * @example
 * ```ts
 * splitSentences("No bleed. ?SAH e.g. small.\nNormal.", ["e.g."]).map((s) => s.text);
 * // -> ["No bleed.", "?SAH e.g. small.", "Normal."]
 * ```
 */
export function splitSentences(text: string, abbreviations: readonly string[] = []): Sentence[] {
  const abbr = new Set(abbreviations.map((a) => a.toLowerCase()));
  const out: Sentence[] = [];
  let start = 0;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.search(/\S/);
    if (lead >= 0) out.push({ text: raw.trim(), start: start + lead });
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n" || c === "\r") {
      push(i);
      start = i + 1;
      continue;
    }
    if (c !== "." && c !== "!" && c !== "?") continue;
    const next = text[i + 1];
    const atBoundary = next === undefined || /\s/.test(next);
    if (!atBoundary) continue;
    if (c === "." && endsWithAbbreviation(text.slice(start, i + 1), abbr)) continue;
    // "? SAH": a query mark before its word, not a sentence end.
    if (c === "?" && (i === start || /\s/.test(text[i - 1] ?? " "))) continue;
    if (c === "?" && /^\s+[a-z]/.test(text.slice(i + 1))) continue;
    push(i + 1);
  }
  push(text.length);
  return out;
}

// "Clinical details: ..." or "FINDINGS:" at the start of a sentence.
const HEADING_RE = /^([a-z][a-z &/-]{0,40}?)\s*:/i;

/**
 * Drops the sentences of the named sections. A section starts at a sentence
 * beginning with `Heading:` and runs until the next heading, so request text
 * such as "Clinical details: fall, ?bleed." is not read as a finding.
 *
 * @example
 * ```ts
 * const s = splitSentences("History: ?bleed. Findings: normal.");
 * dropSections(s, ["history"]).map((x) => x.text); // -> ["Findings: normal."]
 * ```
 */
export function dropSections(sentences: readonly Sentence[], headings: readonly string[]): Sentence[] {
  const ignore = new Set(headings.map((h) => h.toLowerCase()));
  let skipping = false;
  return sentences.filter((s) => {
    const m = HEADING_RE.exec(s.text);
    if (m) skipping = ignore.has(m[1]!.toLowerCase().replace(/\s+/g, " ").trim());
    return !skipping;
  });
}
