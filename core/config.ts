/**
 * Validating configuration with valibot, with errors that name the field.
 * @module
 */
import * as v from "valibot";

/** A valibot schema whose output is `T`. */
export type Schema<T> = v.GenericSchema<unknown, T>;

/** Thrown when a config or manifest fails validation; `issues` lists "field: problem" lines. */
export class ConfigError extends Error {
  /** One "path: message" line per problem. */
  readonly issues: string[];
  /** Builds the error; `where` names the thing validated (a plugin id or a file path). */
  constructor(where: string, issues: string[]) {
    super(`invalid config for ${where}:\n  ${issues.join("\n  ")}`);
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/**
 * Parses `input` with `schema`, throwing a {@linkcode ConfigError} that names each bad field. Every number in
 * `input` must be finite, whatever the schema says: JSON has no Infinity or NaN, so a value like `1e999` would
 * be stored as `null` and the config could never be read back.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { parseConfig } from "./config.ts";
 * const schema = v.object({ lr: v.optional(v.pipe(v.number(), v.minValue(0)), 1e-3) });
 * const cfg = parseConfig(schema, {}, "demo");
 * console.assert(cfg.lr === 1e-3);
 * ```
 */
export function parseConfig<T>(schema: Schema<T>, input: unknown, where: string): T {
  const nonFinite = nonFinitePaths(input ?? {});
  if (nonFinite.length > 0) {
    throw new ConfigError(
      where,
      nonFinite.map(([field, x]) => `${field}: must be a finite number (got ${x})`),
    );
  }
  const result = v.safeParse(schema, input ?? {});
  if (result.success) return result.output;
  const known = "entries" in schema ? Object.keys((schema as { entries: object }).entries) : [];
  throw new ConfigError(
    where,
    result.issues.map((issue) => {
      const field = v.getDotPath(issue) ?? "(root)";
      // strictObject reports an unknown key as "Expected never"; say what it means.
      if (issue.expected === "never") {
        return `${field}: unknown field${known.length ? ` (known fields: ${known.join(", ")})` : ""}`;
      }
      // A required key that is absent reads "Invalid key: Expected "x" but received undefined".
      if (issue.message.startsWith("Invalid key") && issue.received === "undefined") {
        return `${field}: missing (it is required)`;
      }
      return `${field}: ${issue.message}`;
    }),
  );
}

/** Dot paths and values of the non-finite numbers inside plain objects and arrays. */
function nonFinitePaths(value: unknown, path = "", out: [string, number][] = []): [string, number][] {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) out.push([path || "(root)", value]);
  } else if (Array.isArray(value)) {
    value.forEach((x, i) => nonFinitePaths(x, path ? `${path}.${i}` : `${i}`, out));
  } else if (
    value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype
  ) {
    for (const [k, x] of Object.entries(value)) nonFinitePaths(x, path ? `${path}.${k}` : k, out);
  }
  return out;
}
