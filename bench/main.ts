/**
 * `deno task bench`: runs a grid of cells (train + score + evaluate), in parallel workers, skipping cells
 * already finished with the same configuration, data and code, then writes the leaderboards.
 *
 * Output in `<out>/<grid>/`: `results.jsonl` (a line per finished cell), `leaderboard.md`,
 * `leaderboard.csv`, `leaderboard.html` (self-contained), `failures.jsonl`, and `runs/<cell-id>/` per cell.
 * @module
 */
import { parseConfig } from "../core/mod.ts";
import { parse, UsageError } from "../cli/args.ts";
import { writeFileAtomic } from "../runner/atomic.ts";
import type { RunResult } from "../runner/run.ts";
import { specIdentity } from "../runner/run.ts";
import { hashJson, resolveRun } from "../runner/spec.ts";
import { codeVersion } from "./code_version.ts";
import { type Cell, expandGrid, type Grid, gridSchema } from "./grid.ts";
import { gridPresets } from "./presets.ts";
import { GridProgress } from "./grid_progress.ts";
import { leaderboardCsv, leaderboardMarkdown, type ResultRow } from "./leaderboard.ts";
import { writeLeaderboardHtml } from "./report/write.ts";
import type { CellRequest, WorkerMessage } from "./worker.ts";

const USAGE =
  `deno task bench [--grid NAME|FILE.json] [--out results] [--jobs N] [--seeds 0,1,2] [--backend B]
                 [--dataset ID] [--data DIR] [--report]
  Runs the grid (default: ${Object.keys(gridPresets)[0]}) and writes <out>/<grid>/leaderboard.md.
  Built-in grids: ${Object.keys(gridPresets).join(", ")}. Finished cells are kept: rerunning resumes.
  --dataset ID runs the grid's methods on another dataset; --data DIR is where the datasets read files.
  --report rewrites the leaderboards from <out>/<grid>/results.jsonl without running anything.`;

/** Entry point of the bench subcommand. */
export async function benchMain(args: string[]): Promise<void> {
  const { values } = parse(args, {
    grid: { type: "string", default: Object.keys(gridPresets)[0] },
    out: { type: "string", default: "results" },
    jobs: { type: "string" },
    seeds: { type: "string" },
    backend: { type: "string" },
    dataset: { type: "string" },
    data: { type: "string" },
    report: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return console.log(USAGE);
  let grid = await loadGrid(values.grid!);
  if (values.seeds) grid = { ...grid, seeds: values.seeds.split(",").map(Number) };
  if (values.backend) grid = { ...grid, backend: values.backend as Grid["backend"] };
  if (values.dataset) {
    const dataset = { id: values.dataset, config: {}, ...(values.data ? { dataRoot: values.data } : {}) };
    grid = { ...grid, name: `${grid.name}-${values.dataset}`, datasets: [dataset] };
  } else if (values.data) {
    // The grid's own datasets, read from DIR (e.g. the paper grids on a BraTS download).
    grid = { ...grid, datasets: grid.datasets.map((d) => ({ ...d, dataRoot: values.data! })) };
  }
  grid = parseConfig(gridSchema, grid, `grid '${grid.name}'`);
  const jobs = Math.max(
    1,
    Number(
      values.jobs ?? (grid.backend === "cpu" || grid.backend === "auto" ? navigator.hardwareConcurrency : 1),
    ),
  );
  if (!Number.isInteger(jobs)) {
    throw new UsageError(`--jobs must be a positive integer, got '${values.jobs}'`);
  }
  const dir = `${values.out}/${grid.name}`;
  if (values.report) {
    const rows = latestPerSeed(
      (await readResults(`${dir}/results.jsonl`)).filter((r) => r.grid === grid.name),
    );
    if (rows.length === 0) {
      throw new UsageError(`no finished cells of grid '${grid.name}' in ${dir}/results.jsonl`);
    }
    await writeLeaderboards(grid, dir, rows);
    return;
  }
  await runGrid(grid, dir, jobs);
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
  } catch {
    throw new UsageError(`grid file ${nameOrFile} not found`);
  }
  try {
    return parseConfig(gridSchema, JSON.parse(text), nameOrFile);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UsageError(`${nameOrFile}: not valid JSON (${e.message})`);
    throw e;
  }
}

interface PlannedCell extends Cell {
  readonly cellId: string;
}

/** Runs every unfinished cell of `grid` with `jobs` workers, then writes the leaderboards into `dir`. */
export async function runGrid(grid: Grid, dir: string, jobs: number): Promise<ResultRow[]> {
  const code = await codeVersion();
  const planned: PlannedCell[] = [];
  for (const cell of expandGrid(grid)) {
    const resolved = resolveRun(cell.spec); // every cell is validated before any runs
    planned.push({
      ...cell,
      cellId: (await hashJson({ identity: specIdentity(resolved), code })).slice(0, 16),
    });
  }
  await Deno.mkdir(`${dir}/runs`, { recursive: true });
  const resultsPath = `${dir}/results.jsonl`;
  const previous = await readResults(resultsPath);
  const done = new Set(previous.map((r) => r.cellId));
  const todo = planned.filter((c) => !done.has(c.cellId));
  console.error(
    `grid ${grid.name}: ${planned.length} cells, ${planned.length - todo.length} already finished, ` +
      `${todo.length} to run with ${jobs} worker(s) (code ${code})`,
  );
  const progress = new GridProgress(planned.length, planned.length - todo.length);
  const queue = [...todo];
  const runOne = async () => {
    for (let cell = queue.shift(); cell; cell = queue.shift()) {
      const label =
        `${cell.methodLabel} | ${cell.noiseLabel} | ${cell.spec.dataset} | seed ${cell.spec.seed}`;
      progress.start(cell.cellId, label);
      try {
        const result = await runCellInWorker({
          spec: cell.spec,
          runsDir: `${dir}/runs`,
          runId: cell.cellId,
          modelCacheDir: `${dir}/models`,
        }, (m) => {
          if (m.type === "progress") progress.update(cell!.cellId, m.stage, m.done, m.total, m.info);
        });
        const row = toRow(cell, result);
        await Deno.writeTextFile(
          resultsPath,
          JSON.stringify({ ...row, codeVersion: code, grid: grid.name }) + "\n",
          { append: true },
        );
        progress.finish(cell.cellId, `AUPRC ${fmt(row.metrics.auprc)} Dice ${fmt(row.metrics["dice-max"])}`);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        progress.fail(cell.cellId, message);
        await Deno.writeTextFile(
          `${dir}/failures.jsonl`,
          JSON.stringify({ cellId: cell.cellId, label, error: message, at: new Date().toISOString() }) + "\n",
          { append: true },
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, Math.max(1, todo.length)) }, runOne));
  progress.close();
  const ids = new Set(planned.map((c) => c.cellId));
  const rows = (await readResults(resultsPath)).filter((r) => ids.has(r.cellId));
  await writeLeaderboards(grid, dir, rows);
  console.error(`${rows.length}/${planned.length} cells finished`);
  if (rows.length < planned.length) {
    throw new Error(`${planned.length - rows.length} cell(s) failed; see ${dir}/failures.jsonl`);
  }
  return rows;
}

/** The last row written for each dataset, preprocessing, method, noise and seed (reruns after code changes). */
function latestPerSeed<R extends ResultRow>(rows: readonly R[]): R[] {
  const latest = new Map<string, R>();
  for (const r of rows) {
    latest.set(JSON.stringify([r.dataset, r.preprocessingHash, r.methodLabel, r.noiseLabel, r.seed]), r);
  }
  return [...latest.values()];
}

/** Writes leaderboard.md, .csv and .html for `rows` into `dir`, and prints the Markdown. */
async function writeLeaderboards(grid: Grid, dir: string, rows: readonly ResultRow[]): Promise<void> {
  const md = leaderboardMarkdown(`Leaderboard: ${grid.name}`, grid.description, rows, grid.metrics);
  await writeFileAtomic(`${dir}/leaderboard.md`, md);
  await writeFileAtomic(`${dir}/leaderboard.csv`, leaderboardCsv(rows, grid.metrics));
  const html = await writeLeaderboardHtml(dir, grid, rows);
  console.log(md);
  console.error(`leaderboard: ${dir}/leaderboard.md, ${dir}/leaderboard.csv, ${html}`);
}

function fmt(v: number | undefined): string {
  return v === undefined ? "?" : v.toFixed(3);
}

function toRow(cell: PlannedCell, r: RunResult): ResultRow {
  return {
    cellId: cell.cellId,
    dataset: cell.spec.dataset,
    method: cell.spec.method,
    methodLabel: cell.methodLabel,
    noise: cell.spec.noise ?? null,
    noiseLabel: cell.noiseLabel,
    seed: cell.spec.seed,
    metrics: Object.fromEntries(Object.entries(r.metrics).map(([k, m]) => [k, m.value])),
    preprocessingHash: r.preprocessingHash,
    backend: r.backend,
    trainSeconds: r.training.seconds,
    samplesPerSecond: r.scoring.samplesPerSecond,
    peakRssMiB: r.peakRssMiB,
    ...(r.prCurve ? { prCurve: r.prCurve } : {}),
    ...(r.perCaseAp ? { perCaseAp: r.perCaseAp } : {}),
    versions: r.versions,
  };
}

/** Reads `results.jsonl`, skipping a torn last line left by a killed run. */
async function readResults(path: string): Promise<(ResultRow & { grid?: string })[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const rows: (ResultRow & { grid?: string })[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line));
    } catch {
      console.error(`${path}: ignoring an incomplete line (a run killed while writing it)`);
    }
  }
  return rows;
}

function runCellInWorker(request: CellRequest, onMessage: (m: WorkerMessage) => void): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
      const m = event.data;
      if (m.type === "done") {
        worker.terminate();
        resolve(m.result as RunResult);
      } else if (m.type === "error") {
        worker.terminate();
        reject(new Error(m.message));
      } else onMessage(m);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      worker.terminate();
      reject(new Error(e.message));
    };
    worker.postMessage(request);
  });
}
