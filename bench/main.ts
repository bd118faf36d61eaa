/**
 * `deno task bench`: plans a grid (every cell's id covers its configuration, data identity, backend and the
 * code it runs), runs the cells not finished yet in parallel workers, and writes the leaderboards.
 *
 * Output in `<out>/<grid>/`: `grid.json` (the grid as run and its plan), `cells/<cell-id>.json` (a finished
 * cell's result; `.failed.json` a failure), `runs/<cell-id>/` (each cell's run directory), `models/`
 * (shared models), `leaderboard.md`, `leaderboard.csv`, `leaderboard.html`.
 * @module
 */
import { parseConfig } from "../core/mod.ts";
import { parse, UsageError } from "../cli/args.ts";
import { type Grid, gridSchema, slurmTimeSchema } from "./grid.ts";
import { gridOutcome } from "./outcome.ts";
import { datasetKey, planGrid } from "./plan.ts";
import { gridPresets } from "./presets.ts";
import { ResultsStore } from "./results_store.ts";
import { runGrid } from "./run_grid.ts";
import {
  gridStatus,
  runCellEntry,
  Slurm,
  splitExtra,
  statusText,
  submitGrid,
  withSlurmStates,
} from "./slurm/mod.ts";
import { writeLeaderboards } from "./write_leaderboards.ts";

const USAGE =
  `deno task bench [--grid NAME|FILE.json] [--out results] [--jobs N] [--seeds 0,1,2] [--backend B]
                 [--dataset ID] [--data DIR] [--checkpoint-seconds S] [--report] [--status]
                 [--executor local|slurm] [--slurm-partition P] [--slurm-gres gpu:1] [--slurm-time T]
                 [--slurm-extra "OPTIONS"] [--dry-run] [--retry-failed] [--cells ID,...]
  Runs the grid (default: ${Object.keys(gridPresets)[0]}) and writes <out>/<grid>/leaderboard.md.
  Built-in grids: ${Object.keys(gridPresets).join(", ")}. Finished cells are kept: rerunning resumes, and
  a cell reruns when its configuration, data, backend or code changed. --grid DIR (a results folder) takes
  the grid from DIR/grid.json.
  --dataset ID runs the grid's methods on another dataset; --data DIR is where the datasets read files.
  --checkpoint-seconds S: training checkpoints every S seconds (default 180): an interrupted or killed cell
  continues from its last one.
  --report rewrites the leaderboards of <out>/<grid>/ (or of --grid DIR, a results folder) from that
  folder alone: its grid.json and cells/. --status lists each cell: finished, running, queued in Slurm,
  failed (why, and the tail of its Slurm log) or pending.
  --executor slurm submits the unfinished cells as Slurm job arrays (one task per cell; sbatch options
  from --slurm-*, per-method resources from the methods and the grid's "slurm" section) and returns;
  --dry-run prints the scripts instead; --retry-failed or --cells submit only those cells. An array task
  runs: deno task bench --grid DIR --cell ID. See bench/slurm/README.md.`;

const SLURM_FLAGS = [
  "slurm-partition",
  "slurm-gres",
  "slurm-time",
  "slurm-extra",
  "dry-run",
  "retry-failed",
  "cells",
] as const;

/** Entry point of the bench subcommand. */
export async function benchMain(args: string[]): Promise<void> {
  args = extraAsOneValue(args);
  const { values } = parse(args, {
    grid: { type: "string", default: Object.keys(gridPresets)[0] },
    out: { type: "string", default: "results" },
    jobs: { type: "string" },
    "checkpoint-seconds": { type: "string" },
    seeds: { type: "string" },
    backend: { type: "string" },
    dataset: { type: "string" },
    data: { type: "string" },
    report: { type: "boolean" },
    status: { type: "boolean" },
    executor: { type: "string", default: "local" },
    "slurm-partition": { type: "string" },
    "slurm-gres": { type: "string" },
    "slurm-time": { type: "string" },
    "slurm-extra": { type: "string" },
    "dry-run": { type: "boolean" },
    "retry-failed": { type: "boolean" },
    cells: { type: "string" },
    cell: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return console.log(USAGE);
  if (values.executor !== "local" && values.executor !== "slurm") {
    throw new UsageError(`--executor must be local or slurm, got '${values.executor}'`);
  }
  const slurmFlags = SLURM_FLAGS.filter((k) => values[k] !== undefined);
  if (values.executor !== "slurm" && slurmFlags.length) {
    throw new UsageError(`--${slurmFlags[0]} needs --executor slurm`);
  }
  // --grid may name the results folder itself: a reviewer needs nothing but that folder.
  const folder = await Deno.stat(values.grid!).then((s) => s.isDirectory, () => false)
    ? values.grid!.replace(/\/$/, "")
    : undefined;
  const mode = (["cell", "report", "status"] as const).find((k) => values[k] !== undefined);
  if (mode || folder) {
    const changed = (["seeds", "backend", "dataset", "data", "jobs"] as const).filter((k) => values[k]);
    if (changed.length) {
      throw new UsageError(
        `${mode ? `--${mode}` : "--grid DIR"} takes the grid from ${folder ?? "<out>/<grid>"}/grid.json; ` +
          `${changed.map((k) => `--${k}`).join(", ")} cannot change it`,
      );
    }
  }
  if (values.cell !== undefined) {
    if (!folder) throw new UsageError(`--cell needs --grid DIR, the grid's results folder`);
    return await runCellEntry(folder, values.cell);
  }
  if (values.report || values.status) {
    return await report(folder ?? `${values.out}/${(await loadGrid(values.grid!)).name}`, !!values.status);
  }
  let grid = folder ? await recordedGrid(folder) : await loadGrid(values.grid!);
  if (values.seeds) grid = { ...grid, seeds: parseSeeds(values.seeds) };
  if (values.backend) grid = { ...grid, backend: values.backend as Grid["backend"] };
  if (values.dataset) {
    const dataset = { id: values.dataset, config: {}, ...(values.data ? { dataRoot: values.data } : {}) };
    grid = { ...grid, name: `${grid.name}-${values.dataset}`, datasets: [dataset] };
  } else if (values.data) {
    // The grid's own datasets, read from DIR (e.g. the paper grids on a BraTS download).
    grid = { ...grid, datasets: grid.datasets.map((d) => ({ ...d, dataRoot: values.data! })) };
  }
  grid = parseConfig(gridSchema, grid, `grid '${grid.name}'`);
  const jobs = values.jobs === undefined
    ? (grid.backend === "cpu" || grid.backend === "auto" ? navigator.hardwareConcurrency : 1)
    : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new UsageError(`--jobs must be a positive integer, got '${values.jobs}'`);
  }
  const plan = await planGrid(grid, { log: (l) => console.error(l) });
  const dir = folder ?? `${values.out}/${grid.name}`;
  if (values.executor === "slurm") {
    if (values["slurm-time"] !== undefined) {
      parseConfig(slurmTimeSchema, values["slurm-time"], "--slurm-time");
    }
    const cells = values.cells?.split(",").map((c) => c.trim()).filter(Boolean);
    await submitGrid(grid, plan, {
      dir,
      ...(values["slurm-partition"] ? { partition: values["slurm-partition"] } : {}),
      ...(values["slurm-gres"] ? { gres: values["slurm-gres"] } : {}),
      ...(values["slurm-time"] ? { time: values["slurm-time"] } : {}),
      ...(values["slurm-extra"] ? { extra: splitExtra(values["slurm-extra"]) } : {}),
      ...(cells ? { cells } : {}),
      dryRun: !!values["dry-run"],
      retryFailed: !!values["retry-failed"],
    });
    return;
  }
  const every = values["checkpoint-seconds"];
  const checkpointSeconds = every === undefined ? undefined : Number(every);
  if (checkpointSeconds !== undefined && !(checkpointSeconds >= 0)) {
    throw new UsageError(`--checkpoint-seconds must be a number ≥ 0, got '${every}'`);
  }
  await runGrid(grid, plan, { jobs, dir, ...(checkpointSeconds !== undefined ? { checkpointSeconds } : {}) });
}

/** `--slurm-extra "--account=x"`: the word after the flag is its value even though it starts with "-". */
function extraAsOneValue(args: string[]): string[] {
  const i = args.indexOf("--slurm-extra");
  if (i < 0 || i + 1 >= args.length) return args;
  return [...args.slice(0, i), `--slurm-extra=${args[i + 1]}`, ...extraAsOneValue(args.slice(i + 2))];
}

/** `--seeds 0,1,2`: integers, each once; anything else is a usage error naming the item. */
export function parseSeeds(text: string): number[] {
  const seeds = text.split(",").map((s, i) => {
    const t = s.trim();
    if (!/^\d+$/.test(t)) {
      throw new UsageError(`--seeds: item ${i + 1} ('${s}') is not a non-negative integer`);
    }
    const n = Number(t);
    if (n >= 2 ** 32) throw new UsageError(`--seeds: ${t} is not below 2^32 (4294967296)`);
    return n;
  });
  const twice = seeds.find((s, i) => seeds.indexOf(s) < i);
  if (twice !== undefined) throw new UsageError(`--seeds: ${twice} is listed twice (it would count twice)`);
  return seeds;
}

/** The grid as `dir/grid.json` recorded it. */
async function recordedGrid(dir: string): Promise<Grid> {
  const record = await new ResultsStore(dir).readGrid() as { grid?: unknown } | undefined;
  if (!record) throw new UsageError(`${dir}/grid.json not found: --grid DIR names a grid's results folder`);
  return parseConfig(gridSchema, record.grid, `${dir}/grid.json`);
}

/**
 * Rewrites the leaderboards of the grid folder `dir` from its `grid.json` and `cells/` (or, with
 * `statusOnly`, lists the state of each cell): the plan is recomputed with the code of this checkout, so
 * results of other code or data show as stale. Cells submitted to Slurm take their state from the queue.
 */
async function report(dir: string, statusOnly = false): Promise<void> {
  const store = new ResultsStore(dir);
  const record = await store.readGrid() as
    | { grid: unknown; cells?: { spec: Record<string, unknown>; identity: { data: string } }[] }
    | undefined;
  if (!record) {
    const legacy = await Deno.stat(`${dir}/results.jsonl`).then(() => true, () => false);
    throw new UsageError(
      `${dir}/grid.json not found: run the grid first (deno task bench)` +
        (legacy
          ? `; ${dir}/results.jsonl was written by an older version whose rows cannot be verified`
          : ""),
    );
  }
  const grid = parseConfig(gridSchema, record.grid, `${dir}/grid.json`);
  const recordedData: Record<string, string> = {};
  for (const c of record.cells ?? []) {
    recordedData[datasetKey(c.spec as Parameters<typeof datasetKey>[0])] = c.identity.data;
  }
  const plan = await planGrid(grid, { recordedData, log: (l) => console.error(l) });
  const warn = (l: string) => console.error(`warning: ${l}`);
  const status = await gridStatus(plan, store, new Slurm(), warn);
  if (statusOnly) return console.log(await statusText(status, dir));
  let outcome = await gridOutcome(plan, store, warn);
  if (status.submissions) outcome = withSlurmStates(outcome, status);
  if (outcome.rows.length === 0 && outcome.stale.length === 0) {
    throw new UsageError(
      `no finished cells of grid '${grid.name}' in ${dir}/cells/ (deno task bench --grid ${dir} --status)`,
    );
  }
  await writeLeaderboards(grid, dir, outcome);
  if (status.submissions) console.error(await statusText(status, dir));
}

async function loadGrid(nameOrFile: string): Promise<Grid> {
  const preset = gridPresets[nameOrFile];
  if (preset) return preset;
  if (!nameOrFile.endsWith(".json")) {
    throw new UsageError(
      `unknown grid '${nameOrFile}'; built-in grids: ${Object.keys(gridPresets).join(", ")}, or a .json file`,
    );
  }
  let text: string;
  try {
    text = await Deno.readTextFile(nameOrFile);
  } catch (e) {
    throw new UsageError(`grid file ${nameOrFile}: ${e instanceof Deno.errors.NotFound ? "not found" : e}`);
  }
  try {
    return parseConfig(gridSchema, JSON.parse(text), nameOrFile);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UsageError(`${nameOrFile}: not valid JSON (${e.message})`);
    throw e;
  }
}
