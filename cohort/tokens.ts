/**
 * Tokenisation and phrase matching shared by the label and cue rules. Text is
 * lower-cased, British spellings are folded to American ones, and phrases match
 * whole tokens; a trailing `*` on a phrase word matches any token with that prefix.
 * @module
 */

/** One token of a sentence. */
export interface Token {
  /** Normalised token text (lower case, spelling folded). */
  text: string;
}

/** One word of a compiled phrase. */
export interface PhraseWord {
  /** Normalised word, without the `*`. */
  text: string;
  /** True when the word ended in `*` and matches by prefix. */
  prefix: boolean;
}

/** A phrase compiled for matching, remembering its source text. */
export interface Phrase {
  /** The phrase as written in the rules file. */
  source: string;
  /** Its words. */
  words: PhraseWord[];
}

/** A list of `[british, american]` substring pairs used to fold spellings. */
export type SpellingPairs = ReadonlyArray<readonly [string, string]>;

// Words, and the two punctuation marks that carry meaning for cues ("?" and ";").
const TOKEN_RE = /[a-z0-9]+|[?;]/g;
// Rule phrases may also end a word with "*" (prefix match).
const PHRASE_TOKEN_RE = /[a-z0-9]+\*?|[?;]/g;
// Apostrophes are dropped so "can't" reads as "cant".
const APOSTROPHES = /['\u2019]/g;

function fold(word: string, spelling: SpellingPairs): string {
  let out = word;
  for (const [from, to] of spelling) out = out.replaceAll(from, to);
  return out;
}

/**
 * Splits text into normalised tokens. Hyphens and other punctuation separate
 * words, so "grey-white" gives `gray`, `white`.
 *
 * @example
 * ```ts
 * tokenize("No haemorrhage?", [["haem", "hem"]]).map((t) => t.text);
 * // -> ["no", "hemorrhage", "?"]
 * ```
 */
export function tokenize(text: string, spelling: SpellingPairs): Token[] {
  const lower = text.toLowerCase().replace(APOSTROPHES, "");
  return [...lower.matchAll(TOKEN_RE)].map((m) => ({ text: fold(m[0], spelling) }));
}

/**
 * Compiles a rule phrase such as `"loss of grey white*"`. Returns null when the
 * phrase has no tokens (e.g. only punctuation other than `?` and `;`).
 *
 * @example
 * ```ts
 * compilePhrase("haemorrhag*", [["haem", "hem"]])?.words;
 * // -> [{ text: "hemorrhag", prefix: true }]
 * ```
 */
export function compilePhrase(source: string, spelling: SpellingPairs): Phrase | null {
  const lower = source.toLowerCase().replace(APOSTROPHES, "");
  const words = [...lower.matchAll(PHRASE_TOKEN_RE)].map((m) => {
    const prefix = m[0].endsWith("*");
    return { text: fold(prefix ? m[0].slice(0, -1) : m[0], spelling), prefix };
  });
  return words.length === 0 ? null : { source, words };
}

/**
 * Whether `phrase` matches `tokens` starting at index `at`.
 *
 * @example
 * ```ts
 * const p = compilePhrase("mass effect", [])!;
 * matchesAt(tokenize("no mass effect", []), 1, p); // -> true
 * ```
 */
export function matchesAt(tokens: readonly Token[], at: number, phrase: Phrase): boolean {
  if (at + phrase.words.length > tokens.length) return false;
  return phrase.words.every((w, k) => {
    const t = tokens[at + k]!.text;
    return w.prefix ? t.startsWith(w.text) : t === w.text;
  });
}

/**
 * All token spans `[start, end)` where `phrase` matches.
 *
 * @example
 * ```ts
 * findAll(tokenize("blood and more blood", []), compilePhrase("blood", [])!);
 * // -> [[0, 1], [3, 4]]
 * ```
 */
export function findAll(tokens: readonly Token[], phrase: Phrase): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (let i = 0; i < tokens.length; i++) {
    if (matchesAt(tokens, i, phrase)) spans.push([i, i + phrase.words.length]);
  }
  return spans;
}
