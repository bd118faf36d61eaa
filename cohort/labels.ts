/**
 * Extracts the report labels: each label is positive, negative, uncertain or
 * not mentioned, from synonym matches and the negation/uncertainty cues that
 * govern them.
 * @module
 */

import { compileCues, type CueTable, findCues, governingCue } from "./cues.ts";
import type { LabelRule, Rules } from "./rules.ts";
import { dropSections, splitSentences } from "./sentences.ts";
import { compilePhrase, findAll, type Phrase, type SpellingPairs, tokenize } from "./tokens.ts";

/** Status of one label in one report. */
export type LabelStatus = "positive" | "negative" | "uncertain" | "not_mentioned";

/** A label's status with the evidence for it. */
export interface LabelResult {
  /** The status. */
  status: LabelStatus;
  /** The sentence that set the status (absent when not mentioned). */
  sentence?: string;
  /** Index of that sentence in the report. */
  sentenceIndex?: number;
  /** The synonym that matched. */
  synonym?: string;
  /** The cue that made it negative or uncertain. */
  cue?: string;
}

/** A label rule with its phrases compiled. */
export interface CompiledLabel {
  /** The rule as loaded. */
  rule: LabelRule;
  /** Compiled synonyms. */
  synonyms: Phrase[];
  /** Compiled exclusion phrases. */
  exclude: Phrase[];
}

/** Labels and cues compiled once and reused for every report. */
export interface LabelMatcher {
  /** Compiled labels, in rules order. */
  labels: CompiledLabel[];
  /** Compiled cues. */
  cues: CueTable;
  /** Spelling pairs used for tokens. */
  spelling: SpellingPairs;
  /** Abbreviations for sentence splitting. */
  abbreviations: string[];
  /** Section headings whose sentences are not labelled. */
  ignoreSections: string[];
}

const RANK: Record<LabelStatus, number> = { not_mentioned: 0, negative: 1, uncertain: 2, positive: 3 };

function compileAll(list: readonly string[], spelling: SpellingPairs): Phrase[] {
  return list.map((s) => compilePhrase(s, spelling)).filter((p): p is Phrase => p !== null);
}

/**
 * Compiles the label and cue rules.
 *
 * @example
 * ```ts
 * const matcher = compileLabelMatcher(await loadRules());
 * ```
 */
export function compileLabelMatcher(
  rules: Pick<Rules, "labels" | "cues" | "spelling" | "abbreviations" | "ignoreSections">,
): LabelMatcher {
  return {
    labels: rules.labels.map((rule) => ({
      rule,
      synonyms: compileAll(rule.synonyms, rules.spelling),
      exclude: compileAll(rule.exclude, rules.spelling),
    })),
    cues: compileCues(rules.cues, rules.spelling),
    spelling: rules.spelling,
    abbreviations: rules.abbreviations,
    ignoreSections: rules.ignoreSections,
  };
}

/**
 * Labels one report (sentences of ignored sections, such as the clinical
 * details, are skipped). A label mentioned several times takes the strongest
 * status (positive > uncertain > negative), so one affirmed mention is never
 * hidden by a negated one elsewhere.
 *
 * @example
 * ```ts
 * const labels = extractLabels("Haemorrhage is not seen.", matcher);
 * labels.get("impression.haemorrhage")?.status; // -> "negative"
 * ```
 */
export function extractLabels(report: string, matcher: LabelMatcher): Map<string, LabelResult> {
  const results = new Map<string, LabelResult>(
    matcher.labels.map((l) => [l.rule.id, { status: "not_mentioned" }]),
  );
  const sentences = dropSections(splitSentences(report, matcher.abbreviations), matcher.ignoreSections);
  sentences.forEach((sentence, sentenceIndex) => {
    const tokens = tokenize(sentence.text, matcher.spelling);
    const cues = findCues(tokens, matcher.cues);
    const words = new Set(tokens.map((t) => t.text));
    for (const label of matcher.labels) {
      const excluded = label.exclude.flatMap((p) => findAll(tokens, p));
      for (const synonym of label.synonyms) {
        const first = synonym.words[0]!;
        if (!first.prefix && !words.has(first.text)) continue;
        for (const [start, end] of findAll(tokens, synonym)) {
          if (excluded.some(([s, e]) => s <= start && end <= e)) continue;
          const cue = governingCue(cues, start, end, matcher.cues);
          const status: LabelStatus = cue ? cue.effect : "positive";
          const current = results.get(label.rule.id)!;
          if (RANK[status] <= RANK[current.status]) continue;
          const result: LabelResult = {
            status,
            sentence: sentence.text,
            sentenceIndex,
            synonym: synonym.source,
          };
          if (cue) result.cue = cue.source;
          results.set(label.rule.id, result);
        }
      }
    }
  });
  return results;
}
