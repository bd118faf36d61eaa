/**
 * Loads and validates the editable rule files (labels, cues, follow-up
 * patterns, allow-list, spelling) from a rules folder.
 * @module
 */

import * as v from "valibot";
import { InputError, readTextInput } from "./errors.ts";
import { compilePhrase } from "./tokens.ts";

/** The rules folder shipped with the tool. */
export const DEFAULT_RULES_DIR: string = `${import.meta.dirname}/rules`;

/** File names expected inside a rules folder. */
export const RULE_FILES = {
  labels: "labels.json",
  cues: "cues.json",
  followup: "followup.json",
  selection: "selection.json",
  text: "text.json",
} as const;

const phrase = v.pipe(
  v.string(),
  v.check((s) => compilePhrase(s, []) !== null, "phrase has no words (only letters, digits, ? and ; count)"),
);
const phrases = v.array(phrase);
const nonEmpty = v.pipe(v.string(), v.minLength(1, "must not be empty"));

/** Schema of `labels.json`. */
export const LabelsFileSchema = v.object({
  labels: v.pipe(
    v.array(v.object({
      id: nonEmpty,
      kind: v.picklist(["finding", "impression"], 'must be "finding" or "impression"'),
      name: nonEmpty,
      synonyms: v.pipe(phrases, v.minLength(1, "needs at least one synonym")),
      exclude: v.optional(phrases, []),
    })),
    v.minLength(1, "needs at least one label"),
    v.check((ls) => new Set(ls.map((l) => l.id)).size === ls.length, "label ids must be unique"),
  ),
});

const maxTokens = v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0)));

/** Schema of `cues.json`. */
export const CuesFileSchema = v.object({
  negation: v.object({ pre: phrases, post: phrases }),
  uncertainty: v.object({ pre: phrases, post: phrases }),
  pseudo: phrases,
  terminators: phrases,
  scope: v.optional(v.object({ preMaxTokens: maxTokens, postMaxTokens: maxTokens }), {
    preMaxTokens: null,
    postMaxTokens: null,
  }),
});

function compiles(pattern: string, flags: string): boolean {
  try {
    new RegExp(pattern, flags);
    return true;
  } catch {
    return false;
  }
}

/** Schema of `followup.json`. */
export const FollowupFileSchema = v.object({
  patterns: v.array(v.pipe(
    v.object({
      id: nonEmpty,
      pattern: nonEmpty,
      flags: v.optional(v.pipe(v.string(), v.regex(/^[imsu]*$/, "flags may only use i, m, s, u")), "i"),
    }),
    v.check((p) => compiles(p.pattern, p.flags), "pattern is not a valid regular expression"),
  )),
});

/** Schema of `selection.json`. */
export const SelectionFileSchema = v.object({ allow: v.array(nonEmpty) });

/** Schema of `text.json`. */
export const TextFileSchema = v.object({
  spelling: v.array(v.tuple([nonEmpty, v.string()])),
  abbreviations: v.array(nonEmpty),
  ignoreSections: v.optional(v.array(nonEmpty), []),
});

/** One report label rule (an entry of `labels.json`). */
export interface LabelRule {
  /** Unique id, e.g. `impression.haemorrhage`. */
  id: string;
  /** Radiographic finding or clinical impression. */
  kind: "finding" | "impression";
  /** Human-readable name. */
  name: string;
  /** Phrases that mention the label. */
  synonyms: string[];
  /** Phrases containing a synonym that do not mention the label (e.g. "mass effect" for a mass). */
  exclude: string[];
}

/** Negation/uncertainty cue lists and scope limits (`cues.json`). */
export interface CueRules {
  /** Negation cues before (`pre`) or after (`post`) the words they negate. */
  negation: { pre: string[]; post: string[] };
  /** Uncertainty cues before or after the words they qualify. */
  uncertainty: { pre: string[]; post: string[] };
  /** Phrases that look like cues but are not ("no change"). */
  pseudo: string[];
  /** Words that end a cue's scope ("but", "however"). */
  terminators: string[];
  /** Largest gap in words between cue and mention; null reaches the sentence edge. */
  scope: { preMaxTokens: number | null; postMaxTokens: number | null };
}

/** A follow-up pattern (`followup.json`) with its compiled regular expression. */
export interface FollowupRule {
  /** Pattern id, reported as `followup:<id>`. */
  id: string;
  /** Regular expression source. */
  pattern: string;
  /** Regular expression flags (default "i"). */
  flags: string;
  /** The compiled expression. */
  regex: RegExp;
}

/** Everything read from a rules folder. */
export interface Rules {
  /** Folder the rules came from. */
  dir: string;
  /** The report labels, in file order. */
  labels: LabelRule[];
  /** Cue lists. */
  cues: CueRules;
  /** Follow-up patterns. */
  followup: FollowupRule[];
  /** Label ids that do not stop a report counting as normal. */
  allow: string[];
  /** `[british, american]` spelling pairs. */
  spelling: Array<[string, string]>;
  /** Abbreviations whose final "." does not end a sentence. */
  abbreviations: string[];
  /** Section headings (e.g. "clinical details") whose text is not labelled. */
  ignoreSections: string[];
}

async function readRuleFile<S extends v.GenericSchema>(
  dir: string,
  name: string,
  schema: S,
): Promise<v.InferOutput<S>> {
  const path = `${dir}/${name}`;
  const text = await readTextInput(path, "rules file");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = v.safeParse(schema, raw);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const field = issue.path?.map((p: v.IssuePathItem) => String(p.key)).join(".") || "(top level)";
    throw new InputError(`${path}: field "${field}": ${issue.message}`);
  }
  return parsed.output;
}

/**
 * Checks that every allow-listed id names a label, so a typo cannot silently
 * let abnormal reports through.
 */
export function checkAllowList(allow: readonly string[], labels: readonly LabelRule[], where: string): void {
  const ids = new Set(labels.map((l) => l.id));
  for (const id of allow) {
    if (!ids.has(id)) throw new InputError(`${where}: unknown label id "${id}" in allow-list`);
  }
}

/**
 * Loads all rule files from `dir` (default: the shipped `cohort/rules/`).
 * Every file is validated; errors name the file and the field.
 *
 * @example
 * ```ts
 * const rules = await loadRules();
 * rules.labels.length; // -> 33
 * ```
 */
export async function loadRules(dir: string = DEFAULT_RULES_DIR): Promise<Rules> {
  try {
    if (!(await Deno.stat(dir)).isDirectory) throw new InputError(`rules folder is not a folder: ${dir}`);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new InputError(`rules folder not found: ${dir}`);
    throw err;
  }
  const [labels, cues, followup, selection, text] = await Promise.all([
    readRuleFile(dir, RULE_FILES.labels, LabelsFileSchema),
    readRuleFile(dir, RULE_FILES.cues, CuesFileSchema),
    readRuleFile(dir, RULE_FILES.followup, FollowupFileSchema),
    readRuleFile(dir, RULE_FILES.selection, SelectionFileSchema),
    readRuleFile(dir, RULE_FILES.text, TextFileSchema),
  ]);
  checkAllowList(selection.allow, labels.labels, `${dir}/${RULE_FILES.selection}`);
  return {
    dir,
    labels: labels.labels,
    cues,
    followup: followup.patterns.map((p) => ({ ...p, regex: new RegExp(p.pattern, p.flags) })),
    allow: selection.allow,
    spelling: text.spelling,
    abbreviations: text.abbreviations.map((a) => a.toLowerCase()),
    ignoreSections: text.ignoreSections.map((h) => h.toLowerCase()),
  };
}
