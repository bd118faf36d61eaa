/**
 * Follow-up filter: finds report sentences that refer to earlier imaging or
 * comparisons, using the regular expressions in `followup.json`.
 * @module
 */

import type { FollowupRule } from "./rules.ts";
import { splitSentences } from "./sentences.ts";

/** The first follow-up pattern found in a report. */
export interface FollowupHit {
  /** Id of the pattern that matched. */
  rule: string;
  /** The sentence it matched in. */
  sentence: string;
  /** The matched text. */
  match: string;
}

/**
 * Returns the first sentence (in report order) matching any follow-up pattern,
 * or null when the report reads as a first scan.
 *
 * @example
 * ```ts
 * findFollowup("No change since the previous CT.", rules.followup, rules.abbreviations)?.rule;
 * // -> "change_since"
 * ```
 */
export function findFollowup(
  report: string,
  patterns: readonly Pick<FollowupRule, "id" | "regex">[],
  abbreviations: readonly string[] = [],
): FollowupHit | null {
  for (const sentence of splitSentences(report, abbreviations)) {
    for (const p of patterns) {
      const m = p.regex.exec(sentence.text);
      if (m) return { rule: p.id, sentence: sentence.text, match: m[0] };
    }
  }
  return null;
}
