/**
 * A run's configuration from layers, each over the one before: the defaults (`defaults.ts`: the default
 * bench's settings), a config file (`--config run.json`), then the command line's flags. And the other way:
 * the fully resolved run in the form a config file takes (`--print-config`).
 *
 * A config file is a run specification, every field optional: `dataset`, `datasetConfig`, `dataRoot`,
 * `method`, `preset`, `methodConfig`, `noise`, `noiseConfig`, `seed`, `backend`, `metrics`. A relative
 * `dataRoot` is resolved against the file's folder (a file can sit beside its data); paths inside plugin
 * configs keep their plugin's meaning (e.g. the folder dataset's `manifest` is relative to `dataRoot`).
 * @module
 */
import { dirname, isAbsolute, resolve } from "node:path";
import * as v from "valibot";
import {
  ConfigError,
  getDataset,
  getMethod,
  getMetric,
  getNoise,
  getPreset,
  parseConfig,
} from "../core/mod.ts";
import { specIdentity } from "../runner/identity.ts";
import { canonicalJson, type ResolvedRun, resolveRun, runSpecSchema } from "../runner/spec.ts";
import { specFromFlags, UsageError } from "./args.ts";
import { type RunDefaults, runDefaults } from "./defaults.ts";

/** Schema of a config file: a run specification with every field optional; unknown fields are refused. */
export const configFileSchema = v.partial(runSpecSchema);

/** A config file's content, checked. */
export type ConfigFile = v.InferOutput<typeof configFileSchema>;

type Config = Readonly<Record<string, unknown>>;

/**
 * Reads and checks a config file: its fields, its plugin ids and each plugin config it holds against that
 * plugin's schema, with errors naming the file and the field. A relative `dataRoot` comes back resolved
 * against the file's folder.
 */
export async function readConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new UsageError(`config file ${path}: ${e instanceof Deno.errors.NotFound ? "not found" : e}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`config file ${path}: not valid JSON (${e instanceof Error ? e.message : e})`);
  }
  const file = parseConfig(configFileSchema, json, path);
  const needsOwner = [
    ["datasetConfig", "dataset"],
    ["preset", "method"],
    ["methodConfig", "method"],
    ["noiseConfig", "noise"],
  ] as const;
  for (const [field, owner] of needsOwner) {
    if (file[field] !== undefined && file[owner] === undefined) {
      throw new ConfigError(path, [`${field}: names no ${owner}; add "${owner}" beside it`]);
    }
  }
  // Each issue names the file and the field: "method: unknown method 'x'", "methodConfig.lr: …".
  const checked = <T>(field: string, check: () => T): T => {
    try {
      return check();
    } catch (e) {
      if (e instanceof ConfigError) {
        throw new ConfigError(path, e.issues.map((i) => (i.startsWith(`${field}:`) ? i : `${field}.${i}`)));
      }
      throw new ConfigError(path, [`${field}: ${e instanceof Error ? e.message : e}`]);
    }
  };
  if (file.dataset !== undefined) {
    const def = checked("dataset", () => getDataset(file.dataset!));
    checked("datasetConfig", () => parseConfig(def.schema, file.datasetConfig, def.id));
  }
  if (file.method !== undefined) {
    const def = checked("method", () => getMethod(file.method!));
    const preset = file.preset !== undefined
      ? checked("preset", () => presetConfig(file.preset!, def.id))
      : {};
    checked("methodConfig", () => parseConfig(def.schema, { ...preset, ...file.methodConfig }, def.id));
  }
  if (file.noise !== undefined) {
    const def = checked("noise", () => getNoise(file.noise!));
    checked("noiseConfig", () => parseConfig(def.schema, file.noiseConfig, def.id));
  }
  for (const id of file.metrics ?? []) checked("metrics", () => getMetric(id));
  if (file.dataRoot !== undefined && !isAbsolute(file.dataRoot)) {
    return { ...file, dataRoot: resolve(dirname(path), file.dataRoot) };
  }
  return file;
}

/**
 * The run specification `deno task train` builds from its parsed flags (`values`) and config file: the layers
 * of {@linkcode layeredSpec} over the default bench's settings.
 */
export function commandLineSpec(
  values: Record<string, unknown>,
  file?: ConfigFile,
  note?: (line: string) => void,
): Record<string, unknown> {
  return layeredSpec(runDefaults(), file, specFromFlags(values), note);
}

/**
 * The run specification from the layers: `defaults`, then `file` (when given), then `flags` (the fields the
 * command line gave, `specFromFlags`). A layer's plugin config applies only to the plugin it names: when a
 * flag picks another dataset, method or noise than the file, the file's config of the old one is dropped
 * (`note` says so). A preset on the command line overrides the file's method config; `--set` overrides both.
 */
export function layeredSpec(
  defaults: RunDefaults,
  file: ConfigFile | undefined,
  flags: Config,
  note: (line: string) => void = () => {},
): Record<string, unknown> {
  const f: ConfigFile = file ?? {};
  const dataset = String(flags.dataset ?? f.dataset ?? defaults.dataset);
  const method = String(flags.method ?? f.method ?? defaults.method);
  const noise = (flags.noise ?? f.noise) as string | undefined;
  /** The file's config of `kind` when the file configures the plugin finally chosen, else nothing. */
  const fromFile = (kind: "dataset" | "method" | "noise", chosen: string | undefined, config?: Config) => {
    const named = f[kind];
    if (named === undefined || named === chosen) return config ?? {};
    if (config && Object.keys(config).length) {
      note(
        `--${kind} ${chosen} replaces the config file's ${kind} '${named}': its ${kind}Config is not used`,
      );
    }
    return {};
  };
  const fileMethod = fromFile("method", method, f.methodConfig);
  const filePreset = f.method === undefined || f.method === method ? f.preset : undefined;
  if (f.preset !== undefined && filePreset === undefined) {
    note(`--method ${method} replaces the config file's method '${f.method}': its preset is not used`);
  }
  const methodDefaults = defaults.methodConfig(method);
  // Method layers, lowest first: the bench's, the file's, the command line's.
  const layers: { preset?: string; config: Config }[] = [
    ...(methodDefaults ? [methodDefaults] : []),
    { ...(filePreset !== undefined ? { preset: filePreset } : {}), config: fileMethod },
    {
      ...(flags.preset !== undefined ? { preset: String(flags.preset) } : {}),
      config: (flags.methodConfig ?? {}) as Config,
    },
  ];
  const { preset, methodConfig } = foldMethodLayers(layers, method);
  const dataRoot = flags.dataRoot ?? f.dataRoot;
  return {
    dataset,
    datasetConfig: {
      ...defaults.datasetConfig(dataset),
      ...fromFile("dataset", dataset, f.datasetConfig),
      ...(flags.datasetConfig as Config | undefined),
    },
    ...(dataRoot !== undefined ? { dataRoot } : {}),
    method,
    ...(preset !== undefined ? { preset } : {}),
    methodConfig,
    ...(noise !== undefined
      ? {
        noise,
        noiseConfig: {
          ...defaults.noiseConfig(noise),
          ...fromFile("noise", noise, f.noiseConfig),
          ...(flags.noiseConfig as Config | undefined),
        },
      }
      : {}),
    seed: flags.seed ?? f.seed ?? 0,
    backend: flags.backend ?? f.backend ?? "auto",
    metrics: flags.metrics ?? f.metrics ?? defaults.metrics,
  };
}

/**
 * Folds method layers (preset, then config, lowest layer first) into the top-most preset and the config
 * values that differ from it, so that applying that preset and then the values gives the folded config.
 */
function foldMethodLayers(layers: readonly { preset?: string; config: Config }[], method: string) {
  let folded: Record<string, unknown> = {};
  let preset: string | undefined;
  for (const layer of layers) {
    if (layer.preset !== undefined) {
      preset = layer.preset;
      folded = { ...folded, ...presetConfig(layer.preset, method) };
    }
    folded = { ...folded, ...layer.config };
  }
  const base = preset !== undefined ? presetConfig(preset, method) : {};
  const methodConfig = Object.fromEntries(
    Object.entries(folded).filter(([k, value]) =>
      !(k in base && canonicalJson(base[k]) === canonicalJson(value))
    ),
  );
  return { preset, methodConfig };
}

/** The config of preset `id`; an error when it configures another method than `method`. */
function presetConfig(id: string, method: string): Config {
  const preset = getPreset(id);
  if (preset.method !== method) {
    throw new ConfigError("run specification", [
      `preset: '${preset.id}' configures method '${preset.method}', not '${method}'`,
    ]);
  }
  return preset.config;
}

/**
 * The fully resolved run in the form a config file takes: every plugin config complete (presets applied,
 * defaults filled), the data folder absolute. Reading it back gives the same run; this is checked here, so a
 * config that would not round-trip is an error rather than a different run later.
 */
export function printableSpec(r: ResolvedRun): Record<string, unknown> {
  const s = r.spec;
  const printed = {
    dataset: s.dataset,
    datasetConfig: r.dataset.config,
    ...(s.dataRoot !== undefined ? { dataRoot: resolve(s.dataRoot) } : {}),
    method: s.method,
    methodConfig: r.method.config,
    ...(r.noise ? { noise: s.noise, noiseConfig: r.noise.config } : {}),
    seed: s.seed,
    backend: s.backend,
    metrics: s.metrics,
  };
  const again = JSON.parse(JSON.stringify(printed));
  const [before, after] = [specIdentity(r), specIdentity(resolveRun(again))].map(canonicalJson);
  if (before !== after) {
    throw new Error(`the resolved run does not survive a round trip through JSON:\n  ${before}\n  ${after}`);
  }
  return printed;
}

/**
 * JSON with two-space indentation and arrays of numbers, strings or booleans kept on one line.
 *
 * @example
 * ```ts
 * import { formatConfig } from "./run_config.ts";
 * console.assert(formatConfig({ widths: [8, 16] }) === '{\n  "widths": [8, 16]\n}');
 * ```
 */
export function formatConfig(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /\[\n\s*((?:-?[\d.e+-]+|"[^"\n]*"|true|false|null)(?:,\n\s*(?:-?[\d.e+-]+|"[^"\n]*"|true|false|null))*)\n\s*\]/g,
    (_, items: string) => `[${items.split(/,\n\s*/).join(", ")}]`,
  );
}
