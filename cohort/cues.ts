/**
 * Finds negation, uncertainty, pseudo and terminator cues in a tokenised
 * sentence and decides, NegEx-style, which cue governs a mention.
 * @module
 */

import type { CueRules } from "./rules.ts";
import { compilePhrase, matchesAt, type Phrase, type SpellingPairs, type Token } from "./tokens.ts";

/** What a cue does to a mention in its scope. */
export type CueEffect = "negative" | "uncertain";

/** A cue found in a sentence, spanning tokens `[start, end)`. */
export interface FoundCue {
  /** First token index. */
  start: number;
  /** One past the last token index. */
  end: number;
  /** The cue phrase as written in the rules. */
  source: string;
  /** Effect on mentions after the cue (pre-cue), if any. */
  pre: CueEffect | null;
  /** Effect on mentions before the cue (post-cue), if any. */
  post: CueEffect | null;
  /** True for a scope terminator ("but", "however", ...). */
  terminator: boolean;
}

/** What a cue phrase is listed as. */
export type CueRole = "negPre" | "negPost" | "uncPre" | "uncPost" | "pseudo" | "terminator";

/** One compiled cue phrase and its role. */
export interface CueEntry {
  /** The phrase. */
  phrase: Phrase;
  /** Its role. */
  role: CueRole;
}

/** Cue phrases compiled for matching. */
export interface CueTable {
  /** Cue phrases whose first word is exact, keyed by that word (the scan looks up only these). */
  byFirstWord: Map<string, CueEntry[]>;
  /** Cue phrases whose first word is a prefix pattern, tried at every position. */
  prefixed: CueEntry[];
  /** Maximum tokens between a pre-cue and its mention (null: up to sentence end). */
  preMaxTokens: number | null;
  /** Maximum tokens between a mention and its post-cue (null: back to sentence start). */
  postMaxTokens: number | null;
}

/**
 * Compiles the cue lists of a rules file.
 *
 * @example
 * ```ts
 * const table = compileCues(rules.cues, rules.spelling);
 * ```
 */
export function compileCues(cues: CueRules, spelling: SpellingPairs): CueTable {
  const byFirstWord = new Map<string, CueEntry[]>();
  const prefixed: CueEntry[] = [];
  const add = (list: readonly string[], role: CueRole) => {
    for (const s of list) {
      const phrase = compilePhrase(s, spelling);
      if (!phrase) continue;
      const first = phrase.words[0]!;
      if (first.prefix) {
        prefixed.push({ phrase, role });
      } else {
        const bucket = byFirstWord.get(first.text) ?? [];
        bucket.push({ phrase, role });
        byFirstWord.set(first.text, bucket);
      }
    }
  };
  add(cues.negation.pre, "negPre");
  add(cues.negation.post, "negPost");
  add(cues.uncertainty.pre, "uncPre");
  add(cues.uncertainty.post, "uncPost");
  add(cues.pseudo, "pseudo");
  add(cues.terminators, "terminator");
  return {
    byFirstWord,
    prefixed,
    preMaxTokens: cues.scope.preMaxTokens,
    postMaxTokens: cues.scope.postMaxTokens,
  };
}

/**
 * Scans a sentence left to right, taking the longest cue phrase at each
 * position, so "cannot be excluded" (uncertain) wins over "excluded" (negative)
 * and "no change" (pseudo, inert) wins over "no". Pseudo cues are consumed but
 * not returned.
 */
export function findCues(tokens: readonly Token[], table: CueTable): FoundCue[] {
  const found: FoundCue[] = [];
  let i = 0;
  while (i < tokens.length) {
    let best = 0;
    let roles = new Set<CueRole>();
    let source = "";
    const candidates = [...(table.byFirstWord.get(tokens[i]!.text) ?? []), ...table.prefixed];
    for (const { phrase, role } of candidates) {
      const len = phrase.words.length;
      if (len < best || !matchesAt(tokens, i, phrase)) continue;
      if (len > best) {
        best = len;
        roles = new Set();
        source = phrase.source;
      }
      roles.add(role);
    }
    if (best === 0) {
      i++;
      continue;
    }
    if (!roles.has("pseudo")) {
      // A phrase listed under both effects counts as uncertain: the safer reading for a healthy cohort.
      const effect = (unc: CueRole, neg: CueRole): CueEffect | null =>
        roles.has(unc) ? "uncertain" : roles.has(neg) ? "negative" : null;
      const terminator = roles.has("terminator");
      found.push({
        start: i,
        end: i + best,
        source,
        pre: terminator ? null : effect("uncPre", "negPre"),
        post: terminator ? null : effect("uncPost", "negPost"),
        terminator,
      });
    }
    i += best;
  }
  return found;
}

/** The cue that governs a mention, if any. */
export interface GoverningCue {
  /** Effect on the mention. */
  effect: CueEffect;
  /** The cue phrase. */
  source: string;
}

/**
 * Picks the cue governing the mention at tokens `[start, end)`: the nearest
 * pre-cue before it or post-cue after it whose scope reaches the mention without
 * crossing a terminator. Ties go to "uncertain".
 */
export function governingCue(
  cues: readonly FoundCue[],
  start: number,
  end: number,
  table: Pick<CueTable, "preMaxTokens" | "postMaxTokens">,
): GoverningCue | null {
  let best: { distance: number; cue: GoverningCue } | null = null;
  const consider = (distance: number, effect: CueEffect, source: string) => {
    if (
      best === null || distance < best.distance ||
      (distance === best.distance && effect === "uncertain" && best.cue.effect !== "uncertain")
    ) best = { distance, cue: { effect, source } };
  };
  const blocked = (from: number, to: number) =>
    cues.some((c) => c.terminator && c.start >= from && c.end <= to);
  for (const cue of cues) {
    if (cue.pre && cue.end <= start) {
      const distance = start - cue.end;
      const inReach = table.preMaxTokens === null || distance <= table.preMaxTokens;
      if (inReach && !blocked(cue.end, start)) consider(distance, cue.pre, cue.source);
    }
    if (cue.post && cue.start >= end) {
      const distance = cue.start - end;
      const inReach = table.postMaxTokens === null || distance <= table.postMaxTokens;
      if (inReach && !blocked(end, cue.start)) consider(distance, cue.post, cue.source);
    }
  }
  return best === null ? null : (best as { cue: GoverningCue }).cue;
}
