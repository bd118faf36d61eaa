/**
 * Descriptions of config fields and presets for `deno task plugins`, taken from where their authors wrote
 * them: the JSDoc line above each schema field (`/** … *\/ lr: v.optional(…)`) and above each preset. A
 * valibot schema keeps no comments at run time, and its JSON Schema drops `v.check` rules such as "must be
 * odd"; this module reads the plugin's source for the first and the schema's pipes for the second. A field
 * with a `v.description(…)` keeps that.
 * @module
 */
import { fileURLToPath } from "node:url";
import { importClosure, PROJECT_ROOT } from "../runner/code_identity.ts";

/** A documented property found in source: `/** text *\/ key: value`. */
export interface DocumentedProperty {
  /** The property's name. */
  readonly key: string;
  /** The JSDoc text, on one line. */
  readonly text: string;
  /** The names of the documented properties of the same object literal (or interface). */
  readonly siblings: ReadonlySet<string>;
  /** Whether the value is a valibot call (`v.…`): a schema field rather than, say, an interface member. */
  readonly schemaEntry: boolean;
}

/**
 * Every documented property of a TypeScript source, with the properties documented beside it. A small
 * scanner: it skips strings, templates, comments and regular expressions to keep track of braces.
 *
 * @example
 * ```ts
 * import { documentedProperties } from "./schema_docs.ts";
 * const [p] = documentedProperties("const s = v.object({\n  /** Learning rate. *\/\n  lr: v.number(),\n});");
 * console.assert(p!.key === "lr" && p!.text === "Learning rate." && p!.schemaEntry);
 * ```
 */
export function documentedProperties(source: string): DocumentedProperty[] {
  const found: { key: string; text: string; block: number; schemaEntry: boolean }[] = [];
  const blocks: number[] = [0]; // open object literals and bodies, innermost last
  let nextBlock = 1;
  let i = 0;
  let prev = ""; // the last significant character, to tell a regular expression from a division
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    const two = source.slice(i, i + 2);
    if (two === "//") {
      i = lineEnd(source, i);
    } else if (two === "/*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      if (source[i + 2] === "*") {
        const m = /^\s*(?:readonly\s+)?(["']?)([A-Za-z_$][\w$-]*)\1\??\s*:\s*(\S{0,2})/.exec(
          source.slice(stop),
        );
        if (m) {
          found.push({
            key: m[2]!,
            text: jsdocText(source.slice(i + 3, stop - 2)),
            block: blocks.at(-1)!,
            schemaEntry: m[3] === "v.",
          });
        }
      }
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      i = stringEnd(source, i);
      prev = c;
    } else if (c === "/" && (prev === "" || "(,=:[!&|?{};+-*%<>~^".includes(prev))) {
      i = regexEnd(source, i);
      prev = "/";
    } else {
      if (c === "{") blocks.push(nextBlock++);
      else if (c === "}" && blocks.length > 1) blocks.pop();
      if (!/\s/.test(c)) prev = c;
      i++;
    }
  }
  const byBlock = new Map<number, Set<string>>();
  for (const f of found) byBlock.set(f.block, (byBlock.get(f.block) ?? new Set()).add(f.key));
  return found.map((f) => ({
    key: f.key,
    text: f.text,
    siblings: byBlock.get(f.block)!,
    schemaEntry: f.schemaEntry,
  }));
}

/** The JSDoc's text: `*` margins dropped, lines joined, `{@link X}` written as X. */
function jsdocText(body: string): string {
  return body
    .split("\n")
    .map((l) => l.replace(/^\s*\*?\s?/, "").trim())
    .filter((l) => !l.startsWith("@"))
    .join(" ")
    .replace(/\{@link(?:code|plain)?\s+([^}|]+?)(?:\s*\|[^}]*)?\}/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}

function lineEnd(s: string, i: number): number {
  const e = s.indexOf("\n", i);
  return e < 0 ? s.length : e;
}

/** The index after the string or template that starts at `i` (templates' `${…}` may nest). */
function stringEnd(s: string, i: number): number {
  const q = s[i]!;
  let j = i + 1;
  while (j < s.length) {
    const c = s[j]!;
    if (c === "\\") j += 2;
    else if (c === q) return j + 1;
    else if (q === "`" && c === "$" && s[j + 1] === "{") j = expressionEnd(s, j + 2);
    else if (q !== "`" && c === "\n") return j; // unterminated: stop at the line's end
    else j++;
  }
  return j;
}

/** The index after the `}` that closes a template expression opened before `i`. */
function expressionEnd(s: string, i: number): number {
  let depth = 1;
  let j = i;
  while (j < s.length && depth > 0) {
    const c = s[j]!;
    if (c === '"' || c === "'" || c === "`") j = stringEnd(s, j);
    else {
      if (c === "{") depth++;
      else if (c === "}") depth--;
      j++;
    }
  }
  return j;
}

/** The index after the regular expression literal that starts at `i` (and its flags). */
function regexEnd(s: string, i: number): number {
  let j = i + 1;
  let inClass = false;
  while (j < s.length && s[j] !== "\n") {
    const c = s[j]!;
    if (c === "\\") j += 2;
    else if (c === "[") (inClass = true), j++;
    else if (c === "]") (inClass = false), j++;
    else if (c === "/" && !inClass) {
      j++;
      while (/[a-z]/.test(s[j] ?? "")) j++;
      return j;
    } else j++;
  }
  return j;
}

/** Describes the config fields and presets of the plugins registered from given modules. */
export class SchemaDocs {
  readonly #sources = new Map<
    string,
    Promise<{ local: DocumentedProperty[]; imported: DocumentedProperty[] }>
  >();

  /**
   * A description of each field of `schema` (a valibot object schema of the plugin registered from
   * `registeringModule`): its `v.description`, else the JSDoc above the field in the plugin's folder, else
   * in the code the plugin imports; each followed by the field's `v.check` rules, e.g. "(must be odd)".
   * Fields without either are absent.
   */
  async fields(schema: unknown, registeringModule: string): Promise<Record<string, string>> {
    const entries = objectEntries(schema);
    const keys = new Set(Object.keys(entries));
    const docs = await this.#documented(registeringModule);
    const out: Record<string, string> = {};
    for (const [key, field] of Object.entries(entries)) {
      const text = descriptionOf(field) ?? best(docs.local, key, keys) ?? best(docs.imported, key, keys);
      const rules = checkMessages(field);
      const full = [text, rules.length ? `(${rules.join("; ")})` : undefined].filter(Boolean).join(" ");
      if (full) out[key] = full;
    }
    return out;
  }

  /** The JSDoc above preset `id`'s entry in the folder of the plugin registered from `registeringModule`. */
  async preset(id: string, registeringModule: string): Promise<string | undefined> {
    return best((await this.#documented(registeringModule)).local, id, new Set());
  }

  #documented(registeringModule: string) {
    let docs = this.#sources.get(registeringModule);
    if (!docs) {
      docs = readDocs(new URL(registeringModule));
      this.#sources.set(registeringModule, docs);
    }
    return docs;
  }
}

async function readDocs(entry: URL) {
  const folder = new URL(".", entry).href;
  const files = (await importClosure([entry])).map((f) => new URL(f, PROJECT_ROOT));
  const local: DocumentedProperty[] = [];
  const imported: DocumentedProperty[] = [];
  for (const file of files.sort((a, b) => a.href.localeCompare(b.href))) {
    if (!file.pathname.endsWith(".ts")) continue;
    const props = documentedProperties(await Deno.readTextFile(fileURLToPath(file)));
    (file.href.startsWith(folder) ? local : imported).push(...props);
  }
  return { local, imported };
}

/** The text of the best-matching documented `key`: most siblings among `keys`, schema entries first. */
function best(
  props: readonly DocumentedProperty[],
  key: string,
  keys: ReadonlySet<string>,
): string | undefined {
  let top: DocumentedProperty | undefined;
  let topScore = -1;
  for (const p of props) {
    if (p.key !== key) continue;
    const score = 2 * [...p.siblings].filter((s) => keys.has(s)).length + (p.schemaEntry ? 1 : 0);
    if (score > topScore) (top = p), (topScore = score);
  }
  return top?.text;
}

interface SchemaNode {
  readonly type?: string;
  readonly kind?: string;
  readonly message?: unknown;
  readonly description?: unknown;
  readonly wrapped?: SchemaNode;
  readonly pipe?: readonly SchemaNode[];
  readonly entries?: Record<string, SchemaNode>;
}

/** The entries of an object schema (through optional wrappers). */
function objectEntries(schema: unknown): Record<string, SchemaNode> {
  let s = schema as SchemaNode | undefined;
  while (s && !s.entries && s.wrapped) s = s.wrapped;
  return s?.entries ?? {};
}

/** A field's `v.description`, looking through optional wrappers and pipes. */
function descriptionOf(s: SchemaNode | undefined): string | undefined {
  if (!s) return undefined;
  if (s.type === "description" && typeof s.description === "string") return s.description;
  for (const item of s.pipe ?? []) {
    const d = item === s ? undefined : descriptionOf(item);
    if (d) return d;
  }
  return descriptionOf(s.wrapped);
}

/** The messages of a field's `v.check` rules (which JSON Schema cannot express), without repeats. */
function checkMessages(s: SchemaNode | undefined, out: string[] = []): string[] {
  if (!s) return out;
  if (s.type === "check" && typeof s.message === "string" && !out.includes(s.message)) out.push(s.message);
  for (const item of s.pipe ?? []) if (item !== s) checkMessages(item, out);
  checkMessages(s.wrapped, out);
  return out;
}
