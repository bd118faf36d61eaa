/**
 * Sweeps in grids: a method's (or noise type's) config field given a list of values it would not accept as
 * one value expands into one entry — one leaderboard row — per value, e.g. `"lr": [1e-3, 1e-4]` or
 * `"widths": [[8, 16, 32], [16, 32, 64]]` (a list of lists, since one list is a valid `widths`). Several swept
 * fields give their cartesian product. Each row's label names its values: `DAE (lr=0.001)`.
 * @module
 */
import * as v from "valibot";
import type { Schema } from "../core/mod.ts";

/** A grid entry with a config and an optional label. */
export interface ConfigEntry {
  readonly id: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly label?: string | undefined;
}

/** The schema of one config field, where the plugin's schema is an object schema that has it. */
function fieldSchema(schema: Schema<unknown>, key: string): v.GenericSchema | undefined {
  const entries = (schema as { entries?: Record<string, v.GenericSchema> }).entries;
  return entries?.[key];
}

/** The values a field sweeps over, or undefined when its value is a single (valid) value. */
export function sweptValues(schema: Schema<unknown>, key: string, value: unknown): unknown[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const field = fieldSchema(schema, key);
  if (!field) return undefined; // unknown field: left to the config check, which names it
  if (v.safeParse(field, value).success) return undefined;
  return value.every((x) => v.safeParse(field, x).success) ? value : undefined;
}

function formatValue(x: unknown): string {
  return typeof x === "string" ? x : JSON.stringify(x);
}

/**
 * Expands `entry` over its swept fields; `baseLabel` is the label without sweep values. An entry without
 * sweeps comes back as it is.
 */
export function expandSweeps<E extends ConfigEntry>(
  entry: E,
  schema: Schema<unknown>,
  baseLabel: string,
): E[] {
  const swept = Object.entries(entry.config).flatMap(([key, value]) => {
    const values = sweptValues(schema, key, value);
    return values ? [{ key, values }] : [];
  });
  if (swept.length === 0) return [entry];
  let combos: Record<string, unknown>[] = [{}];
  for (const { key, values } of swept) {
    combos = combos.flatMap((c) => values.map((x) => ({ ...c, [key]: x })));
  }
  return combos.map((combo) => ({
    ...entry,
    config: { ...entry.config, ...combo },
    label: `${baseLabel} (${Object.entries(combo).map(([k, x]) => `${k}=${formatValue(x)}`).join(", ")})`,
  }));
}
