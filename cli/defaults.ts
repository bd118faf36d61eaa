/**
 * What `deno task train` assumes where neither the command line nor a config file says: the default bench's
 * settings for every dataset, method and noise that bench uses, so that `deno task train --method dae
 * --noise coarse` trains exactly one of its cells (same data size, preset and noise settings). They are read
 * from the grid itself, so a change of the bench's budget changes them too.
 * @module
 */
import { gridPresets } from "../bench/presets.ts";
import { expandedEntries, type Grid } from "../bench/grid.ts";

/** A method's defaults: a preset and config overrides. */
export interface MethodDefaults {
  /** Preset applied first. */
  readonly preset?: string;
  /** Config values on top of the preset. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** Defaults for a run, by plugin id; ids the grid does not use get none (the plugin's own defaults). */
export interface RunDefaults {
  /** The grid they come from. */
  readonly grid: string;
  /** Dataset id when none is given. */
  readonly dataset: string;
  /** Method id when none is given. */
  readonly method: string;
  /** Metrics when none are given. */
  readonly metrics: readonly string[];
  /** The grid's config of dataset `id`. */
  datasetConfig(id: string): Readonly<Record<string, unknown>> | undefined;
  /** The grid's preset and config of method `id`. */
  methodConfig(id: string): MethodDefaults | undefined;
  /** The grid's config of noise `id`. */
  noiseConfig(id: string): Readonly<Record<string, unknown>> | undefined;
}

/**
 * The defaults of grid `grid`: the first entry wins where the grid lists an id twice, and the first value
 * where it sweeps a field. Needs the plugins registered (sweeps are told apart by their schemas).
 *
 * @example
 * ```ts
 * import "../plugins/mod.ts";
 * import { runDefaults } from "./defaults.ts";
 * const d = runDefaults();
 * console.assert(d.grid === "phantom-noise" && d.datasetConfig(d.dataset) !== undefined);
 * ```
 */
export function runDefaults(grid: Grid = defaultGrid()): RunDefaults {
  const first = <T extends { id: string }>(list: readonly T[], id: string) => list.find((e) => e.id === id);
  const { methods, noises } = expandedEntries(grid);
  return {
    grid: grid.name,
    dataset: grid.datasets[0]!.id,
    method: methods[0]!.id,
    metrics: grid.metrics,
    datasetConfig: (id) => first(grid.datasets, id)?.config,
    methodConfig: (id) => {
      const m = first(methods, id);
      return m && { ...(m.preset !== undefined ? { preset: m.preset } : {}), config: m.config };
    },
    noiseConfig: (id) => first(noises, id)?.config,
  };
}

/** The grid `deno task bench` runs without `--grid`: the first built-in one (as in `bench/main.ts`). */
export function defaultGrid(): Grid {
  return Object.values(gridPresets)[0]!;
}
