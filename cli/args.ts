/**
 * Command-line parsing shared by the subcommands: flags into a run specification, `key=value` overrides.
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** Thrown for bad command lines; the CLI prints the message and exits with status 2. */
export class UsageError extends Error {
  /** Builds the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Flags every run-making subcommand accepts. The run's fields have no defaults here: `cli/run_config.ts`
 * layers the flags given over a config file and the defaults.
 */
export const runFlags = {
  dataset: { type: "string" },
  method: { type: "string" },
  noise: { type: "string" },
  preset: { type: "string" },
  seed: { type: "string" },
  backend: { type: "string" },
  data: { type: "string" },
  set: { type: "string", multiple: true },
  "dataset-set": { type: "string", multiple: true },
  "noise-set": { type: "string", multiple: true },
  "runs-dir": { type: "string", default: "runs" },
  metrics: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Flags whose value is a comma-separated list: an empty item (`--metrics ,`, `--seeds 0,,1`) is refused. */
export const LIST_FLAGS: readonly string[] = ["metrics", "seeds"];

/**
 * Parses `args` with `options`, turning node:util's errors into {@linkcode UsageError}s. Words that are not
 * flags are refused (no subcommand takes positional arguments), and so are empty items in
 * {@linkcode LIST_FLAGS}, before anything runs.
 */
export function parse<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const extra = parsed.positionals[0];
  if (extra !== undefined) {
    throw new UsageError(`unexpected argument '${extra}' (this command takes only --flags; see --help)`);
  }
  const values = parsed.values as Record<string, unknown>;
  for (const flag of LIST_FLAGS) {
    if (typeof values[flag] === "string") listItems(values[flag], `--${flag}`);
  }
  return parsed;
}

/** Splits a comma-separated flag value; throws a {@linkcode UsageError} on an empty item. */
export function listItems(value: string, flag: string): string[] {
  const items = value.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) {
    throw new UsageError(`${flag}: empty item in '${value}' (give a comma-separated list such as a,b,c)`);
  }
  return items;
}

/** The largest seed: seeds are 32-bit, so a larger one would silently train the model of seed mod 2^32. */
export const MAX_SEED = 0xffffffff;

/**
 * Turns `key=value` strings into an object; values are read as JSON where they parse (numbers, booleans,
 * arrays), else kept as strings.
 *
 * @example
 * ```ts
 * import { parseOverrides } from "./args.ts";
 * const o = parseOverrides(["steps=10", "widths=[8,16]", "schedule=cosine"], "--set");
 * console.assert(o.steps === 10 && Array.isArray(o.widths) && o.schedule === "cosine");
 * ```
 */
export function parseOverrides(items: readonly string[] | undefined, flag: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items ?? []) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`${flag} expects key=value, got '${item}'`);
    const raw = item.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: keep the string
    }
    out[item.slice(0, eq)] = value;
  }
  return out;
}

/** The fields of a run specification (unvalidated) that parsed run flags give; absent flags give none. */
export function specFromFlags(v: Record<string, unknown>): Record<string, unknown> {
  const seed = /^\d{1,10}$/.test(String(v.seed)) ? Number(v.seed) : NaN;
  if (v.seed !== undefined && !(seed <= MAX_SEED)) {
    throw new UsageError(`--seed must be a whole number from 0 to ${MAX_SEED}, got '${v.seed}'`);
  }
  return {
    datasetConfig: parseOverrides(v["dataset-set"] as string[] | undefined, "--dataset-set"),
    methodConfig: parseOverrides(v.set as string[] | undefined, "--set"),
    noiseConfig: parseOverrides(v["noise-set"] as string[] | undefined, "--noise-set"),
    ...(v.dataset !== undefined ? { dataset: v.dataset } : {}),
    ...(v.method !== undefined ? { method: v.method } : {}),
    ...(v.seed !== undefined ? { seed } : {}),
    ...(v.backend !== undefined ? { backend: v.backend } : {}),
    ...(v.noise !== undefined ? { noise: v.noise } : {}),
    ...(v.preset !== undefined ? { preset: v.preset } : {}),
    ...(v.data !== undefined ? { dataRoot: v.data } : {}),
    ...(v.metrics !== undefined ? { metrics: listItems(String(v.metrics), "--metrics") } : {}),
  };
}
