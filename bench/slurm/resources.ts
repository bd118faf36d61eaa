/**
 * What each cell asks of a Slurm node: its method's `MethodMeta.resources` (default: a GPU, the cluster's
 * default memory), overridden by the grid's `slurm.resources` entries for the method's id, then for its row
 * label, and the command line's partition, GPU request and time limit. Cells with equal requests form one
 * resource class: one job array.
 * @module
 */
import { getMethod } from "../../core/mod.ts";
import { type Grid, methodLabel } from "../grid.ts";
import type { PlannedCell } from "../plan.ts";

/** A cell's request. */
export interface CellResources {
  /** Whether it gets the GPU request. */
  readonly gpu: boolean;
  /** Host memory, GiB, or undefined for the cluster's default. */
  readonly memoryGiB?: number;
  /** CPU cores, or undefined for one. */
  readonly cpus?: number;
  /** Time limit, over the command line's. */
  readonly time?: string;
  /** Partition, over the command line's. */
  readonly partition?: string;
}

/** The command line's requests for every cell. */
export interface ClusterOptions {
  /** `--slurm-partition`. */
  readonly partition?: string;
  /** `--slurm-gres`, for cells that use a GPU (e.g. "gpu:1"). */
  readonly gres?: string;
  /** `--slurm-time`. */
  readonly time?: string;
  /** `--slurm-extra`, split into sbatch options. */
  readonly extra?: readonly string[];
}

/** Entries of the grid's `slurm.resources` that name no method of the grid (each a readable problem). */
export function resourceProblems(grid: Grid): string[] {
  const names = new Set(grid.methods.flatMap((m) => [methodLabel(m), m.id]));
  return Object.keys(grid.slurm?.resources ?? {}).filter((k) => !names.has(k)).map((k) =>
    `slurm.resources: '${k}' is neither a method row label nor a method id of the grid ` +
    `(${[...names].map((n) => `'${n}'`).join(", ")})`
  );
}

/** The request of `cell` in `grid`: the method's, then the grid's entries for its id and its row label. */
export function cellResources(cell: PlannedCell, grid: Grid): CellResources {
  const own = getMethod(cell.spec.method).meta.resources ?? {};
  const overrides = grid.slurm?.resources ?? {};
  return { gpu: true, ...own, ...overrides[cell.spec.method], ...overrides[cell.methodLabel] };
}

/** A short name of a request, also its class key: "gpu", "cpu-8G", "gpu-32G-4c-2-00:00:00-p_long". */
export function className(r: CellResources): string {
  return [
    r.gpu ? "gpu" : "cpu",
    ...(r.memoryGiB !== undefined ? [`${r.memoryGiB}G`] : []),
    ...(r.cpus !== undefined ? [`${r.cpus}c`] : []),
    ...(r.time !== undefined ? [r.time] : []),
    ...(r.partition !== undefined ? [`p_${r.partition}`] : []),
  ].join("-").replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** The sbatch options of a request: partition, GPU, time limit, memory, cores. */
export function sbatchOptions(r: CellResources, o: ClusterOptions): string[] {
  const partition = r.partition ?? o.partition;
  const time = r.time ?? o.time;
  return [
    ...(partition ? [`--partition=${partition}`] : []),
    ...(r.gpu && o.gres ? [`--gres=${o.gres}`] : []),
    ...(time ? [`--time=${time}`] : []),
    ...(r.memoryGiB !== undefined ? [`--mem=${Math.ceil(r.memoryGiB * 1024)}M`] : []),
    ...(r.cpus !== undefined ? [`--cpus-per-task=${r.cpus}`] : []),
  ];
}
