/**
 * Planning a grid: every cell resolved and checked, the backend made concrete, each dataset loaded once for
 * its data identity, and each cell given the id that covers everything its result depends on (configs,
 * data, backend, the code it runs, external files). Nothing runs before the whole plan stands.
 * @module
 */
import { ConfigError, selectBackend } from "../core/mod.ts";
import {
  cellId,
  dataIdentity,
  datasetCodeVersion,
  externalFileHashes,
  runCodeVersion,
  type RunIdentity,
} from "../runner/identity.ts";
import { loadDataset } from "../runner/run.ts";
import { canonicalJson, type ResolvedRun, resolveRun } from "../runner/spec.ts";
import { type Cell, expandGrid, type Grid, gridProblems } from "./grid.ts";

/** A cell with its resolved run, identity and id. */
export interface PlannedCell extends Cell {
  /** 16 hex characters: the hash of the experiment and its identity. */
  readonly cellId: string;
  /** Code, data, backend and external-file identity. */
  readonly identity: RunIdentity;
  /** The resolved run (spec with the concrete backend). */
  readonly resolved: ResolvedRun;
  /** "method | noise | dataset | seed N", for people. */
  readonly label: string;
}

/** Options of {@linkcode planGrid}. */
export interface PlanOptions {
  /** Dataset cache folder. */
  readonly cacheDir?: string;
  /**
   * Data identities recorded by an earlier run, by dataset key ({@linkcode datasetKey}): used, and said, when
   * a dataset cannot be loaded here (a report written on a machine without the data).
   */
  readonly recordedData?: Readonly<Record<string, string>>;
  /** Receives one-line notes (e.g. a dataset not verified). */
  readonly log?: (line: string) => void;
}

/** The key of a grid dataset entry: id, config and data folder. */
export function datasetKey(spec: { dataset: string; datasetConfig: unknown; dataRoot?: string }): string {
  return canonicalJson([spec.dataset, spec.datasetConfig, spec.dataRoot ?? null]);
}

/** Plans every cell of `grid`; throws before anything runs if any cell is invalid. */
export async function planGrid(grid: Grid, o: PlanOptions = {}): Promise<PlannedCell[]> {
  const problems = gridProblems(grid);
  if (problems.length) throw new ConfigError(`grid '${grid.name}'`, problems);
  const backend = (await selectBackend(grid.backend)).name;
  // The concrete backend goes into every spec: a cell's record then reruns exactly what ran.
  const cells = expandGrid(grid).map((c) => ({
    ...c,
    spec: { ...c.spec, backend: backend as Grid["backend"] },
  }));
  const resolved = cells.map((c) => resolveRun(c.spec));
  const data = new Map<string, string>();
  const codes = new Map<string, string>();
  const planned: PlannedCell[] = [];
  for (const [i, cell] of cells.entries()) {
    const r = resolved[i]!;
    const key = datasetKey(r.spec);
    if (!data.has(key)) data.set(key, await dataIdentityOf(r, key, o));
    const codeKey = canonicalJson([r.spec.method, r.spec.noise ?? null, r.spec.dataset, r.spec.metrics]);
    if (!codes.has(codeKey)) codes.set(codeKey, (await runCodeVersion(r)).version);
    const identity: RunIdentity = {
      code: codes.get(codeKey)!,
      data: data.get(key)!,
      backend,
      external: await externalFileHashes(r),
    };
    planned.push({
      ...cell,
      resolved: r,
      identity,
      cellId: await cellId(r, identity),
      label: `${cell.methodLabel} | ${cell.noiseLabel} | ${cell.spec.dataset} | seed ${cell.spec.seed}`,
    });
  }
  return planned;
}

async function dataIdentityOf(r: ResolvedRun, key: string, o: PlanOptions): Promise<string> {
  try {
    const dataset = await loadDataset(r, o.cacheDir);
    return await dataIdentity(dataset, (await datasetCodeVersion(r)).version);
  } catch (e) {
    const recorded = o.recordedData?.[key];
    if (recorded === undefined) throw e;
    o.log?.(
      `dataset '${r.spec.dataset}' cannot be loaded here (${e instanceof Error ? e.message : e}); ` +
        `using the data identity recorded in grid.json (${recorded}), not re-verified`,
    );
    return recorded;
  }
}
