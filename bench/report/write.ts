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
import { decodeExamples, type Example, renderExamples } from "../../runner/examples.ts";
import { encodePng } from "../../core/png.ts";
import { quantileSorted } from "../../stats/mod.ts";
import { leaderboardHtml, type NoiseSample } from "./html.ts";
import { drawNoiseSamples, pngDataUri } from "./noise_samples.ts";
import { type CellAccounting, leaderboardTables } from "./tables.ts";

/** The score at the top of a table's colour map: the largest row's 99th percentile of non-zero scores. */
export function tableScoreMax(rows: readonly (readonly Example[])[]): number {
  let top = 0;
  for (const examples of rows) {
    const values = Float32Array.from(examples.flatMap((e) => [...e.score].filter((v) => v !== 0))).sort();
    if (values.length) top = Math.max(top, quantileSorted(values, 0.99));
  }
  return top;
}

/**
 * Example pictures of each row's lowest seed, as data: URIs: redrawn from `examples.json` with one colour
 * scale per table (returned by data identity) so that rows can be compared; `examples.png` where a run has
 * no JSON (older runs).
 */
async function readExamples(
  dir: string,
  rows: readonly ResultRow[],
  metricIds: readonly string[],
): Promise<{ examples: Record<string, string>; scales: Record<string, number> }> {
  const examples: Record<string, string> = {};
  const scales: Record<string, number> = {};
  for (const table of leaderboardTables(rows, metricIds)) {
    const data = new Map<string, Example[]>();
    for (const row of table.rows) {
      if (row.runs.length === 0) continue;
      const id = row.runs[0]!.cellId;
      const base = `${dir}/runs/${id}/examples`;
      try {
        data.set(id, decodeExamples(await Deno.readTextFile(`${base}.json`), `${base}.json`));
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
        try {
          examples[id] = pngDataUri(await Deno.readFile(`${base}.png`));
        } catch (e2) {
          if (!(e2 instanceof Deno.errors.NotFound)) throw e2;
        }
      }
    }
    if (data.size === 0) continue;
    const scoreMax = tableScoreMax([...data.values()]);
    scales[table.dataIdentity] = scoreMax;
    for (const [id, list] of data) {
      const { width, height, rgb } = renderExamples(list, { scoreMax });
      examples[id] = pngDataUri(encodePng(rgb, width, height, 3));
    }
  }
  return { examples, scales };
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
    strata: grid.strata,
    ...(await readExamples(dir, rows, grid.metrics).then(({ examples, scales }) => ({
      examples,
      exampleScales: scales,
    }))),
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
