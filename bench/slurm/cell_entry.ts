/**
 * `deno task bench --grid <results folder> --cell <id>`: runs one planned cell of a grid folder — what a
 * Slurm array task executes, on any node with the checkout and the data. The cell is planned again from the
 * folder's `grid.json` with this checkout's code and data; a cell whose id no longer matches (code, data or
 * backend changed since the grid was planned) is refused with what changed. It then runs exactly as in a
 * local bench (same worker, same run directory, same result row), under the cell's lock.
 * @module
 */
import { parseConfig } from "../../core/mod.ts";
import { canonicalJson, resolveRun } from "../../runner/spec.ts";
import { expandGrid, type Grid, gridSchema, methodLabel } from "../grid.ts";
import { GridProgress } from "../grid_progress.ts";
import { planGrid, type PlannedCell } from "../plan.ts";
import { ResultsStore } from "../results_store.ts";
import { BenchInterrupted, runCell } from "../run_grid.ts";
import type { OrchestratorMessage } from "../worker.ts";

/** A cell as `grid.json` records it. */
interface RecordedCell {
  readonly cellId: string;
  readonly label: string;
  readonly spec: Record<string, unknown>;
  readonly identity: Record<string, unknown>;
}

/** Runs cell `cellId` of the grid folder `dir`; throws when it cannot run, fails or is interrupted. */
export async function runCellEntry(dir: string, cellId: string): Promise<void> {
  const store = new ResultsStore(dir);
  const record = await store.readGrid() as { grid: unknown; cells?: RecordedCell[] } | undefined;
  if (!record) throw new Error(`${dir}/grid.json not found: submit the grid first (--executor slurm)`);
  const recorded = record.cells?.find((c) => c.cellId === cellId);
  if (!recorded) throw new Error(`cell ${cellId} is not in ${dir}/grid.json`);
  const grid = parseConfig(gridSchema, record.grid, `${dir}/grid.json`);
  const cell = await planCell(grid, recorded, dir);
  const task = Deno.env.get("SLURM_ARRAY_JOB_ID")
    ? `, Slurm task ${Deno.env.get("SLURM_ARRAY_JOB_ID")}_${Deno.env.get("SLURM_ARRAY_TASK_ID")}`
    : "";
  console.error(`cell ${cellId}: ${cell.label} on ${Deno.hostname()}${task}`);
  if (await store.hasResult(cellId)) return console.error(`already finished: ${dir}/cells/${cellId}.json`);
  const workers = new Set<Worker>();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) Deno.exit(130);
    interrupted = true;
    console.error("interrupting: the cell checkpoints and stops (resubmit it to continue)");
    for (const w of workers) w.postMessage({ type: "abort" } satisfies OrchestratorMessage);
  };
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  const started = new Date().toISOString();
  const progress = new GridProgress(1, 0);
  try {
    const lock = await store.lock(cellId);
    if ("heldBy" in lock) {
      const { pid, host, started } = lock.heldBy;
      throw new Error(
        `cell ${cellId} is being run by process ${pid} on ${host} (since ${started}; lock ` +
          `${dir}/cells/${cellId}.lock): not run twice`,
      );
    }
    try {
      if (!interrupted) await runCell(cell, store, dir, progress, workers);
    } finally {
      await lock.release();
    }
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    progress.close();
  }
  if (await store.hasResult(cellId)) return console.error(`finished: ${dir}/cells/${cellId}.json`);
  const failure = (await store.failures()).get(cellId);
  if (failure && failure.at >= started) {
    throw new Error(`cell ${cellId} failed (${dir}/cells/${cellId}.failed.json): ${failure.error}`);
  }
  throw new BenchInterrupted(`cell ${cellId} interrupted; its run directory resumes when it is run again`);
}

/**
 * Plans the recorded cell alone (its method, noise, dataset and seed; cell ids do not depend on the rest
 * of the grid) on the backend it was planned for, and checks that its id is unchanged.
 */
async function planCell(grid: Grid, recorded: RecordedCell, dir: string): Promise<PlannedCell> {
  const backend = String(recorded.spec.backend) as Grid["backend"];
  const target = canonicalJson(recorded.spec);
  const cell = expandGrid(grid).find((c) =>
    canonicalJson(resolveRun({ ...c.spec, backend }).spec) === target
  );
  if (!cell) throw new Error(`${dir}/grid.json: cell ${recorded.cellId} is not a cell of its grid`);
  const d = grid.datasets.find((d) =>
    d.id === cell.spec.dataset && canonicalJson(d.config) === canonicalJson(cell.spec.datasetConfig) &&
    d.dataRoot === cell.spec.dataRoot
  )!;
  const one: Grid = {
    ...grid,
    backend,
    datasets: [d],
    methods: grid.methods.filter((m) => methodLabel(m) === cell.methodLabel),
    noises: grid.noises.filter((n) => (n.label ?? n.id) === cell.noiseLabel),
    seeds: [cell.spec.seed],
  };
  const [planned] = await planGrid(one, { log: (l) => console.error(l) });
  if (planned?.cellId === recorded.cellId) return planned;
  const now = planned?.identity as unknown as Record<string, unknown> | undefined;
  const changed = Object.keys(recorded.identity).filter((k) =>
    canonicalJson(recorded.identity[k]) !== canonicalJson(now?.[k])
  ).map((k) => `${k} ${canonicalJson(recorded.identity[k])} → ${canonicalJson(now?.[k])}`);
  throw new Error(
    `cell ${recorded.cellId} (${recorded.label}) was planned with other code, data or backend than this ` +
      `checkout has (${changed.join("; ") || "configuration"}): it would not give the result planned. ` +
      `Submit the grid again from this checkout (deno task bench --grid ${dir} --executor slurm ...)`,
  );
}
