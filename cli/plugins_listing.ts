/**
 * `deno task plugins`: every registered method, noise, dataset, metric and preset, with each config field's
 * default and description and each preset's description and values; `--json` gives the same with JSON
 * Schemas whose properties carry the descriptions.
 * @module
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import * as v from "valibot";
import {
  listDatasets,
  listMethods,
  listMetrics,
  listNoises,
  listPresets,
  type PluginKind,
  pluginSource,
} from "../core/mod.ts";
import { SchemaDocs } from "./schema_docs.ts";

/** One listed plugin. */
export interface PluginEntry {
  /** What it is. */
  readonly kind: PluginKind;
  /** Its registered id. */
  readonly id: string;
  /** One line on what it is (for a preset: its JSDoc, else which method it configures). */
  readonly description: string;
  /** Config fields: default and description, by name (methods, noises, datasets). */
  readonly fields?: Readonly<Record<string, { default?: unknown; required?: true; description?: string }>>;
  /** JSON Schema of the config, each property with its description. */
  readonly configSchema?: Record<string, unknown>;
  /** For a preset: the method it configures and its values. */
  readonly method?: string;
  /** For a preset: its config values. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Further facts (dimensionalities, whether a method uses noise). */
  readonly [fact: string]: unknown;
}

/** Every registered plugin, described. */
export async function pluginEntries(): Promise<PluginEntry[]> {
  const docs = new SchemaDocs();
  const configured = async (kind: "method" | "noise" | "dataset", id: string, schema: unknown) => {
    const descriptions = await docs.fields(schema, pluginSource(kind, id));
    const jsonSchema = toJsonSchema(schema as Parameters<typeof toJsonSchema>[0], { errorMode: "ignore" });
    const properties = (jsonSchema.properties ?? {}) as Record<string, Record<string, unknown>>;
    const fields: Record<string, { default?: unknown; required?: true; description?: string }> = {};
    for (const [key, field] of Object.entries(entriesOf(schema))) {
      const description = descriptions[key];
      if (description !== undefined && properties[key]) properties[key].description = description;
      const optional = ["optional", "exact_optional", "nullish"].includes((field as { type: string }).type);
      const fallback = optional
        ? v.getDefault(field as v.OptionalSchema<v.GenericSchema, unknown>)
        : undefined;
      fields[key] = {
        ...(fallback !== undefined ? { default: fallback } : {}),
        ...(optional ? {} : { required: true as const }),
        ...(description !== undefined ? { description } : {}),
      };
    }
    return { fields, configSchema: jsonSchema as Record<string, unknown> };
  };
  const entries: PluginEntry[] = [];
  for (const m of listMethods()) {
    entries.push({
      kind: "method",
      id: m.id,
      description: m.meta.description,
      dims: m.meta.dims,
      usesNoise: m.meta.usesNoise,
      ...(await configured("method", m.id, m.schema)),
    });
  }
  for (const n of listNoises()) {
    entries.push({
      kind: "noise",
      id: n.id,
      description: n.description,
      ...(await configured("noise", n.id, n.schema)),
    });
  }
  for (const d of listDatasets()) {
    entries.push({
      kind: "dataset",
      id: d.id,
      description: d.description,
      dims: [d.dims],
      ...(await configured("dataset", d.id, d.schema)),
    });
  }
  for (const m of listMetrics()) entries.push({ kind: "metric", id: m.id, description: m.description });
  for (const p of listPresets()) {
    const doc = await docs.preset(p.id, pluginSource("method", p.method));
    entries.push({
      kind: "preset",
      id: p.id,
      description: doc ?? `preset of method '${p.method}'`,
      method: p.method,
      config: p.config,
    });
  }
  return entries;
}

/** The listing as text: a group per kind, config fields under their plugin, lines wrapped at `width`. */
export function formatPluginEntries(entries: readonly PluginEntry[], width = 110): string {
  const lines: string[] = [];
  for (const kind of ["method", "noise", "dataset", "metric", "preset"] as const) {
    const group = entries.filter((e) => e.kind === kind);
    const idWidth = Math.min(22, Math.max(0, ...group.map((e) => e.id.length)));
    lines.push(`${kind}s (${group.length}):`);
    for (const e of group) {
      const head = kind === "preset" ? `(${e.method}) ${e.description}` : e.description;
      lines.push(...wrap(`  ${e.id.padEnd(idWidth)}  `, head, width));
      if (e.config) lines.push(...wrap(" ".repeat(idWidth + 4), compact(e.config), width));
      const fields = Object.entries(e.fields ?? {});
      const keyWidth = Math.max(0, ...fields.map(([k]) => k.length));
      const shown = fields.map((
        [, f],
      ) => (f.required ? "(required)" : "default" in f ? compact(f.default) : "(unset)"));
      const defaultWidth = Math.min(16, Math.max(0, ...shown.map((s) => s.length)));
      for (const [i, [key, f]] of fields.entries()) {
        const prefix = `      ${key.padEnd(keyWidth)}  ${shown[i]!.padEnd(defaultWidth)}  `;
        lines.push(...wrap(prefix, f.description ?? "(no description)", width));
      }
    }
  }
  return lines.join("\n");
}

/** `text` after `prefix`, wrapped at `width` with continuation lines indented like the text. */
function wrap(prefix: string, text: string, width: number): string[] {
  const room = Math.max(30, width - prefix.length);
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > room) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  out.push(line);
  return out.map((l, i) => `${i === 0 ? prefix : " ".repeat(prefix.length)}${l}`.trimEnd());
}

/** JSON on one line with spaces after commas: `[8, 16, 32]`, `{"steps": 200}`. */
function compact(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(/\n\s*/g, " ").replace(/([[{]) /g, "$1").replace(
    / ([\]}])/g,
    "$1",
  );
}

function entriesOf(schema: unknown): Record<string, unknown> {
  return (schema as { entries?: Record<string, unknown> }).entries ?? {};
}
