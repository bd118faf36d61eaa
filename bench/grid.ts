/**
 * Bench grids: datasets × methods × noise types (for methods that use noise) × seeds, from presets or a
 * JSON file, expanded into run specifications.
 * @module
 */
import * as v from "valibot";
import { BACKEND_CHOICES, getMethod, getNoise } from "../core/mod.ts";
import { canonicalJson, DEFAULT_METRICS, type RunSpec, seedSchema } from "../runner/spec.ts";
import { parseStratum } from "./strata.ts";
import { expandSweeps } from "./sweeps.ts";

const config = v.optional(v.record(v.string(), v.unknown()), {});

/** A Slurm time limit: "minutes", "minutes:seconds", "hours:minutes:seconds", "days-hours[:minutes[:seconds]]". */
export const slurmTimeSchema = v.pipe(
  v.string(),
  v.regex(/^(\d+|\d+:\d+|\d+:\d+:\d+|\d+-\d+(:\d+){0,2})$/, "a Slurm time limit, e.g. 90, 12:00:00 or 1-12"),
);

/** What one cell asks of a Slurm node, over its method's `MethodMeta.resources`. */
export const cellResourcesSchema = v.strictObject({
  /** Whether the cell gets the GPU request (`--slurm-gres`). */
  gpu: v.optional(v.boolean()),
  /** Host memory, GiB (`--mem`). */
  memoryGiB: v.optional(v.pipe(v.number(), v.gtValue(0))),
  /** CPU cores (`--cpus-per-task`). */
  cpus: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  /** Time limit (`--time`), over `--slurm-time`. */
  time: v.optional(slurmTimeSchema),
  /** Partition (`--partition`), over `--slurm-partition`. */
  partition: v.optional(v.pipe(v.string(), v.minLength(1))),
});

/** Schema of a grid file. */
export const gridSchema = v.strictObject({
  /** Grid name: results go to `<out>/<name>/`. */
  name: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]*$/, "use lower-case letters, digits and dashes")),
  /** What the grid shows, printed atop the leaderboard. */
  description: v.optional(v.string(), ""),
  /** Datasets with their configs. */
  datasets: v.pipe(
    v.array(v.strictObject({ id: v.string(), config, dataRoot: v.optional(v.string()) })),
    v.minLength(1),
  ),
  /** Methods with presets and config overrides; `label` names the row (default: the id or preset). */
  methods: v.pipe(
    v.array(
      v.strictObject({
        id: v.string(),
        preset: v.optional(v.string()),
        config,
        label: v.optional(v.string()),
      }),
    ),
    v.minLength(1),
  ),
  /** Noise types crossed with every method that uses noise. */
  noises: v.optional(v.array(v.strictObject({ id: v.string(), config, label: v.optional(v.string()) })), []),
  /** Seeds, each once, in [0, 2^32). */
  seeds: v.optional(
    v.pipe(
      v.array(seedSchema),
      v.minLength(1),
      v.check(
        (seeds) => new Set(seeds).size === seeds.length,
        "a seed is listed twice (it would count twice)",
      ),
    ),
    [0, 1, 2],
  ),
  /** Metrics per cell; the first two are the leaderboard's headline columns. */
  metrics: v.optional(v.pipe(v.array(v.string()), v.minLength(1)), [...DEFAULT_METRICS]),
  /**
   * Rows to compare every other row with (paired per-case test), by their labels; default: the best row of
   * each table. E.g. `[{ "method": "DAE", "noise": "Gaussian σ=0.2" }]`.
   */
  compare: v.optional(
    v.array(v.strictObject({ method: v.string(), noise: v.optional(v.string(), "-") })),
    [],
  ),
  /**
   * Strata the leaderboards break each table down by (bench/strata.ts): a case metadata key ("site"), or
   * a key with numeric bins ("age:<40,40-65,>65", "lesionVolume:<1ml,1-10ml,>10ml"). Reporting only: the
   * strata change no cell.
   */
  strata: v.optional(
    v.pipe(
      v.array(
        v.pipe(
          v.string(),
          v.rawCheck(({ dataset, addIssue }) => {
            if (!dataset.typed) return;
            try {
              parseStratum(dataset.value);
            } catch (e) {
              addIssue({ message: (e as Error).message });
            }
          }),
        ),
      ),
      v.check((s) => new Set(s).size === s.length, "a stratum is listed twice"),
    ),
    [],
  ),
  /** Backend for every cell. */
  backend: v.optional(v.picklist(BACKEND_CHOICES), "auto"),
  /** For `--executor slurm`: resources by method row label or method id (see bench/slurm/README.md). */
  slurm: v.optional(v.strictObject({ resources: v.optional(v.record(v.string(), cellResourcesSchema), {}) })),
});

/** A bench grid. */
export type Grid = v.InferOutput<typeof gridSchema>;

/** A method entry's row label: its label, else its preset, else its id. */
export function methodLabel(m: Grid["methods"][number]): string {
  return m.label ?? m.preset ?? m.id;
}

/** A noise entry's row label: its label, else its id. */
export function noiseLabel(n: Grid["noises"][number]): string {
  return n.label ?? n.id;
}

/** The grid's method and noise entries with sweeps expanded (one entry, one row label, per value). */
export function expandedEntries(grid: Grid): { methods: Grid["methods"]; noises: Grid["noises"] } {
  return {
    methods: grid.methods.flatMap((m) => expandSweeps(m, getMethod(m.id).schema, methodLabel(m))),
    noises: grid.noises.flatMap((n) => expandSweeps(n, getNoise(n.id).schema, noiseLabel(n))),
  };
}

/**
 * Problems that would merge or double-count leaderboard rows: two method entries (or two noise entries)
 * with the same row label, and a dataset listed twice. Empty when the grid is sound.
 */
export function gridProblems(grid: Grid): string[] {
  const problems: string[] = [];
  const twice = (what: string, labels: string[]) => {
    const seen = new Set<string>();
    for (const l of labels) {
      if (seen.has(l)) {
        problems.push(`${what}: two entries share the row label '${l}'; give each a distinct "label"`);
      }
      seen.add(l);
    }
  };
  const { methods, noises } = expandedEntries(grid);
  twice("methods", methods.map(methodLabel));
  twice("noises", noises.map(noiseLabel));
  const rows = new Set(expandGrid(grid).map((c) => `${c.methodLabel}\u0000${c.noiseLabel}`));
  for (const ref of grid.compare) {
    if (!rows.has(`${ref.method}\u0000${ref.noise}`)) {
      problems.push(
        `compare: no row is labelled method '${ref.method}', noise '${ref.noise}' (row labels: ` +
          `${[...rows].map((r) => r.replace("\u0000", " · ")).join("; ")})`,
      );
    }
  }
  const datasets = grid.datasets.map((d) => canonicalJson(d));
  datasets.forEach((d, i) => {
    if (datasets.indexOf(d) < i) {
      problems.push(`datasets: '${grid.datasets[i]!.id}' is listed twice with one config`);
    }
  });
  return problems;
}

/** One cell of a grid: a run specification and the labels of its leaderboard row. */
export interface Cell {
  /** The run specification. */
  readonly spec: RunSpec;
  /** Method label (e.g. "dae"). */
  readonly methodLabel: string;
  /** Noise label, or "-" for methods without noise. */
  readonly noiseLabel: string;
}

/** Expands a grid into cells (method-major, then noise, dataset, seed). */
export function expandGrid(grid: Grid): Cell[] {
  const cells: Cell[] = [];
  const expanded = expandedEntries(grid);
  for (const m of expanded.methods) {
    const usesNoise = getMethod(m.id).meta.usesNoise;
    const noises = usesNoise ? expanded.noises : [undefined];
    if (usesNoise && noises.length === 0) {
      throw new Error(`grid '${grid.name}': method '${m.id}' needs noise types`);
    }
    for (const n of noises) {
      for (const d of grid.datasets) {
        for (const seed of grid.seeds) {
          cells.push({
            spec: {
              dataset: d.id,
              datasetConfig: d.config,
              ...(d.dataRoot !== undefined ? { dataRoot: d.dataRoot } : {}),
              method: m.id,
              ...(m.preset ? { preset: m.preset } : {}),
              methodConfig: m.config,
              ...(n ? { noise: n.id } : {}),
              noiseConfig: n?.config ?? {},
              seed,
              backend: grid.backend,
              metrics: grid.metrics,
            },
            methodLabel: methodLabel(m),
            noiseLabel: n ? noiseLabel(n) : "-",
          });
        }
      }
    }
  }
  return cells;
}
