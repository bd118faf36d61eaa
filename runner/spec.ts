/**
 * A run's specification (dataset × method × noise × seed × backend) and its resolution against the registry:
 * every name and config value is checked here, before anything is written.
 * @module
 */
import * as v from "valibot";
import {
  BACKEND_CHOICES,
  ConfigError,
  type DatasetDefinition,
  getDataset,
  getMethod,
  getMetric,
  getNoise,
  getPreset,
  type MethodDefinition,
  type NoiseDefinition,
  parseConfig,
} from "../core/mod.ts";

const configObject = v.optional(v.record(v.string(), v.unknown()), {});

/**
 * The metrics every run computes unless told otherwise: the paper's pixel-level AUPRC and Dice-max, Dice at
 * a threshold chosen on healthy validation data, pixel AUROC, and case-level detection (defined where the
 * test split has healthy and abnormal cases).
 */
export const DEFAULT_METRICS = [
  "auprc",
  "dice-max",
  "dice-fpr1",
  "auroc",
  "case-auroc",
  "case-auprc",
] as const;

/** A seed: an integer in [0, 2^32), the range the generator distinguishes (larger seeds would alias). */
export const seedSchema = v.pipe(
  v.number(),
  v.integer("must be an integer"),
  v.minValue(0, "must be ≥ 0"),
  v.maxValue(2 ** 32 - 1, "must be < 2^32 (4294967296): larger seeds give the same model as seed mod 2^32"),
);

/** Schema of a run specification (CLI flags and bench grids both produce one). */
export const runSpecSchema = v.strictObject({
  /** Dataset id, e.g. "phantom2d". */
  dataset: v.pipe(v.string(), v.minLength(1)),
  /** Dataset config overrides. */
  datasetConfig: configObject,
  /** Folder of the dataset's source files, for datasets read from disk. */
  dataRoot: v.optional(v.string()),
  /** Method id, e.g. "dae". */
  method: v.pipe(v.string(), v.minLength(1)),
  /** A registered preset of the method, applied before `methodConfig`. */
  preset: v.optional(v.string()),
  /** Method config overrides. */
  methodConfig: configObject,
  /** Noise id for methods that use noise. */
  noise: v.optional(v.string()),
  /** Noise config overrides. */
  noiseConfig: configObject,
  /** Seed of the model initialisation, batches and noise: an integer in [0, 2^32) (the generator's range). */
  seed: v.optional(seedSchema, 0),
  /** tfjs backend. */
  backend: v.optional(v.picklist(BACKEND_CHOICES), "auto"),
  /** Metric ids to compute on the test split. */
  metrics: v.optional(v.array(v.string()), [...DEFAULT_METRICS]),
});

/** A run specification. */
export type RunSpec = v.InferOutput<typeof runSpecSchema>;

/** A specification with every plugin found and every config parsed. */
export interface ResolvedRun {
  /** The specification as given (defaults filled). */
  readonly spec: RunSpec;
  /** The dataset's definition and parsed config. */
  readonly dataset: { readonly def: DatasetDefinition<unknown>; readonly config: unknown };
  /** The method's definition and parsed config (preset, then overrides). */
  readonly method: { readonly def: MethodDefinition<unknown>; readonly config: unknown };
  /** The noise's definition and parsed config, for methods that use noise. */
  readonly noise?: { readonly def: NoiseDefinition<unknown>; readonly config: unknown };
}

/** Checks a specification against the registry; throws a clear error on the first problem. */
export function resolveRun(input: unknown): ResolvedRun {
  const spec = parseConfig(runSpecSchema, input, "run specification");
  const dataset = getDataset(spec.dataset);
  const method = getMethod(spec.method);
  if (!method.meta.dims.includes(dataset.dims)) {
    throw new ConfigError(`method '${method.id}'`, [
      `dims: works on ${method.meta.dims.join("D/")}D data, but dataset '${dataset.id}' is ${dataset.dims}D`,
    ]);
  }
  let methodInput: Record<string, unknown> = {};
  if (spec.preset) {
    const preset = getPreset(spec.preset);
    if (preset.method !== method.id) {
      throw new ConfigError("run specification", [
        `preset: '${preset.id}' configures method '${preset.method}', not '${method.id}'`,
      ]);
    }
    methodInput = { ...preset.config };
  }
  methodInput = { ...methodInput, ...spec.methodConfig };
  for (const id of spec.metrics) getMetric(id);
  let noise: ResolvedRun["noise"];
  if (method.meta.usesNoise) {
    if (!spec.noise) {
      throw new ConfigError("run specification", [
        `noise: method '${method.id}' trains with noise; choose one`,
      ]);
    }
    const def = getNoise(spec.noise);
    noise = { def, config: parseConfig(def.schema, spec.noiseConfig, `noise '${def.id}'`) };
  } else if (spec.noise) {
    throw new ConfigError("run specification", [`noise: method '${method.id}' does not use a noise source`]);
  }
  return {
    spec,
    dataset: {
      def: dataset,
      config: parseConfig(dataset.schema, spec.datasetConfig, `dataset '${dataset.id}'`),
    },
    method: { def: method, config: parseConfig(method.schema, methodInput, `method '${method.id}'`) },
    ...(noise ? { noise } : {}),
  };
}

/** A stable SHA-256 (hex) of a JSON value with sorted keys. */
export async function hashJson(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(value));
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** JSON with object keys sorted, so equal values always serialise the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
