/**
 * The plugin registry: methods, noise sources, datasets and metrics register themselves by id when their
 * module is imported (`plugins/mod.ts` imports them all).
 *
 * @example
 * ```ts
 * import { getMethod, listMethods } from "./registry.ts";
 * for (const m of listMethods()) console.log(m.id, getMethod(m.id).meta.description);
 * ```
 * @module
 */
import type { DatasetDefinition } from "./dataset.ts";
import type { MethodDefinition } from "./method.ts";
import type { MetricDefinition } from "./metric.ts";
import type { NoiseDefinition } from "./noise.ts";

/** The kinds of plugin the registry holds. */
export type PluginKind = "method" | "noise" | "dataset" | "metric" | "preset";

/** A named configuration of a method (config data, not code), e.g. "dae-paper-2d". */
export interface Preset {
  /** Unique id. */
  readonly id: string;
  /** The method it configures. */
  readonly method: string;
  /** Config values overriding the method's defaults. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** Thrown for an id nobody registered; the message lists the ids that exist. */
export class UnknownPluginError extends Error {
  /** Builds the error for `kind` and the unknown `id`. */
  constructor(kind: PluginKind, id: string, known: readonly string[]) {
    super(`unknown ${kind} '${id}'; registered ${kind}s: ${known.join(", ") || "(none)"}`);
    this.name = "UnknownPluginError";
  }
}

/**
 * The module that called a register function: the first stack frame outside this file. A plugin's code
 * identity starts there (bench cells hash that module's import closure), so a registration needs no extra
 * field and cannot name the wrong folder.
 */
function callerModule(): string {
  const frames = new Error().stack?.split("\n") ?? [];
  for (const frame of frames) {
    const m = frame.match(/(file:\/\/[^\s)]+?):\d+:\d+\)?\s*$/);
    if (m && m[1] !== import.meta.url) return m[1]!;
  }
  throw new Error("registry: cannot tell which module registers this plugin (no file:// stack frame)");
}

class Registry<T extends { readonly id: string }> {
  readonly #items = new Map<string, T>();
  readonly #sources = new Map<string, string>();
  constructor(readonly kind: PluginKind) {}

  add(item: T, source: string): void {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(item.id)) {
      throw new Error(`${this.kind} id '${item.id}' must be lower-case letters, digits and dashes`);
    }
    if (this.#items.has(item.id)) throw new Error(`${this.kind} '${item.id}' is already registered`);
    this.#items.set(item.id, item);
    this.#sources.set(item.id, source);
  }

  source(id: string): string {
    this.get(id);
    return this.#sources.get(id)!;
  }

  get(id: string): T {
    const item = this.#items.get(id);
    if (!item) throw new UnknownPluginError(this.kind, id, [...this.#items.keys()]);
    return item;
  }

  list(): T[] {
    return [...this.#items.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
}

const methods = new Registry<MethodDefinition<unknown>>("method");
const noises = new Registry<NoiseDefinition<unknown>>("noise");
const datasets = new Registry<DatasetDefinition<unknown>>("dataset");
const metrics = new Registry<MetricDefinition>("metric");
const presets = new Registry<Preset>("preset");

/** Registers a method; throws on a duplicate or malformed id. */
export function registerMethod<C>(def: MethodDefinition<C>): void {
  methods.add(def as MethodDefinition<unknown>, callerModule());
}
/** Registers a noise type; throws on a duplicate or malformed id. */
export function registerNoise<C>(def: NoiseDefinition<C>): void {
  noises.add(def as NoiseDefinition<unknown>, callerModule());
}
/** Registers a dataset; throws on a duplicate or malformed id. */
export function registerDataset<C>(def: DatasetDefinition<C>): void {
  datasets.add(def as DatasetDefinition<unknown>, callerModule());
}
/** Registers a metric; throws on a duplicate or malformed id. */
export function registerMetric(def: MetricDefinition): void {
  metrics.add(def, callerModule());
}

/** Registers a method preset; throws on a duplicate or malformed id. */
export function registerPreset(preset: Preset): void {
  presets.add(preset, callerModule());
}

/** The method registered as `id`, or an {@linkcode UnknownPluginError}. */
export function getMethod(id: string): MethodDefinition<unknown> {
  return methods.get(id);
}
/** The noise type registered as `id`, or an {@linkcode UnknownPluginError}. */
export function getNoise(id: string): NoiseDefinition<unknown> {
  return noises.get(id);
}
/** The dataset registered as `id`, or an {@linkcode UnknownPluginError}. */
export function getDataset(id: string): DatasetDefinition<unknown> {
  return datasets.get(id);
}
/** The metric registered as `id`, or an {@linkcode UnknownPluginError}. */
export function getMetric(id: string): MetricDefinition {
  return metrics.get(id);
}

/** The preset registered as `id`, or an {@linkcode UnknownPluginError}. */
export function getPreset(id: string): Preset {
  return presets.get(id);
}

/** All registered presets, sorted by id. */
export function listPresets(): Preset[] {
  return presets.list();
}

/** All registered methods, sorted by id. */
export function listMethods(): MethodDefinition<unknown>[] {
  return methods.list();
}
/** All registered noise types, sorted by id. */
export function listNoises(): NoiseDefinition<unknown>[] {
  return noises.list();
}
/** All registered datasets, sorted by id. */
export function listDatasets(): DatasetDefinition<unknown>[] {
  return datasets.list();
}
/** All registered metrics, sorted by id. */
export function listMetrics(): MetricDefinition[] {
  return metrics.list();
}

/**
 * The module (file URL) that registered plugin `id` of `kind`: where its code identity starts.
 *
 * @example
 * ```ts
 * import { pluginSource, registerMetric } from "./registry.ts";
 * registerMetric({ id: "example-source", label: "x", description: "x", higherIsBetter: true, create: () => {
 *   throw new Error("unused");
 * } });
 * console.assert(pluginSource("metric", "example-source") === import.meta.url);
 * ```
 */
export function pluginSource(kind: Exclude<PluginKind, "preset">, id: string): string {
  const registry = { method: methods, noise: noises, dataset: datasets, metric: metrics }[kind];
  return registry.source(id);
}
