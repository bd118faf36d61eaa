/**
 * Writes `leaderboard.html` beside the bench's other outputs: gathers the cells' example pictures and draws
 * the grid's noise types, then builds the page.
 * @module
 */
import { writeFileAtomic } from "../../runner/atomic.ts";
import { loadDataset, versions } from "../../runner/run.ts";
import { resolveRun } from "../../runner/spec.ts";
import { expandGrid, type Grid } from "../grid.ts";
import type { ResultRow } from "../leaderboard.ts";
import { readTrainLog, type TrainLogRecord } from "../../runner/train_log.ts";
import { leaderboardHtml, type NoiseSample } from "./html.ts";
import { drawNoiseSamples, pngDataUri } from "./noise_samples.ts";
import { type CellAccounting, leaderboardTables } from "./tables.ts";

/** Example pictures (`runs/<cell-id>/examples.png`) of each row's lowest seed, as data: URIs. */
async function readExamples(dir: string, rows: readonly ResultRow[], metricIds: readonly string[]) {
  const examples: Record<string, string> = {};
  for (const table of leaderboardTables(rows, metricIds)) {
    for (const row of table.rows) {
      if (row.runs.length === 0) continue;
      const id = row.runs[0]!.cellId;
      try {
        examples[id] = pngDataUri(await Deno.readFile(`${dir}/runs/${id}/examples.png`));
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
  }
  return examples;
}

/** Every finished cell's `train_log.csv` (cells without one are left out). */
async function readTrainLogs(dir: string, rows: readonly ResultRow[]) {
  const logs: Record<string, TrainLogRecord[]> = {};
  for (const r of rows) {
    try {
      const log = await readTrainLog(`${dir}/runs/${r.cellId}/train_log.csv`);
      if (log.length) logs[r.cellId] = log;
    } catch (e) {
      console.error(`warning: ${e instanceof Error ? e.message : e}; no loss curve for this cell`);
    }
  }
  return logs;
}

/** Noise pictures on the middle slice of the first dataset's first validation (healthy) case. */
async function noisePictures(grid: Grid): Promise<{ samples: NoiseSample[]; note: string }> {
  if (grid.noises.length === 0) return { samples: [], note: "" };
  const cell = expandGrid(grid)[0]!;
  const dataset = await loadDataset(resolveRun(cell.spec));
  for await (const c of dataset.cases("validation")) {
    const samples = await drawNoiseSamples(grid.noises, c, dataset.dims);
    return {
      samples,
      note: `Each noise type with the grid's config, drawn (seed 0) on the middle slice of ${dataset.id} ` +
        `validation case '${c.id}' (first channel). Noise: black…white = −0.6…0.6; noisy: noise added ` +
        `inside the foreground, as in DAE training.`,
    };
  }
  return { samples: [], note: `No noise pictures: ${dataset.id} has no validation case.` };
}

/** Builds and writes `<dir>/leaderboard.html`; returns its path. */
export async function writeLeaderboardHtml(
  dir: string,
  grid: Grid,
  rows: readonly ResultRow[],
  accounting?: CellAccounting,
): Promise<string> {
  let noise: { samples: NoiseSample[]; note: string };
  try {
    noise = await noisePictures(grid);
  } catch (e) {
    // A picture must not cost the leaderboard: say why it is missing instead.
    noise = {
      samples: [],
      note: `Noise pictures unavailable: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  const html = leaderboardHtml({
    title: `Leaderboard: ${grid.name}`,
    grid: grid.name,
    description: grid.description,
    rows,
    ...(accounting ? { accounting } : {}),
    compare: grid.compare,
    metricIds: grid.metrics,
    examples: await readExamples(dir, rows, grid.metrics),
    trainLogs: await readTrainLogs(dir, rows),
    noiseSamples: noise.samples,
    noiseSampleNote: noise.note,
    reportVersions: versions(),
    generated: new Date().toISOString(),
  });
  const path = `${dir}/leaderboard.html`;
  await writeFileAtomic(path, html);
  return path;
}
