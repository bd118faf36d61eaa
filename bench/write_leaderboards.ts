/**
 * Writes a grid's leaderboards — `leaderboard.md`, `.csv` and `.html`, and the stratified figures as
 * `leaderboard_strata.csv` and `leaderboard_lesions.csv` — from its outcome (fresh rows, the accounting of
 * unfinished cells and stale results), and prints the Markdown.
 * @module
 */
import { writeFileAtomic } from "../runner/atomic.ts";
import type { Grid } from "./grid.ts";
import { leaderboardCsv, leaderboardMarkdown } from "./leaderboard.ts";
import type { GridOutcome } from "./outcome.ts";
import { lesionsCsv, strataCsv } from "./report/strata_text.ts";
import { writeLeaderboardHtml } from "./report/write.ts";

/** Writes leaderboard.md, .csv, .html and the stratified CSVs into `dir`. */
export async function writeLeaderboards(grid: Grid, dir: string, outcome: GridOutcome): Promise<void> {
  const accounting = { unfinished: outcome.unfinished, stale: outcome.stale };
  const md = leaderboardMarkdown(`Leaderboard: ${grid.name}`, grid.description, outcome.rows, grid.metrics, {
    accounting,
    compare: grid.compare,
    strata: grid.strata,
  });
  await writeFileAtomic(`${dir}/leaderboard.md`, md);
  await writeFileAtomic(`${dir}/leaderboard.csv`, leaderboardCsv(outcome.rows, grid.metrics, accounting));
  await writeFileAtomic(
    `${dir}/leaderboard_strata.csv`,
    strataCsv(outcome.rows, grid.metrics, grid.strata, accounting),
  );
  await writeFileAtomic(
    `${dir}/leaderboard_lesions.csv`,
    lesionsCsv(outcome.rows, grid.metrics, grid.strata, accounting),
  );
  const html = await writeLeaderboardHtml(dir, grid, outcome.rows, accounting);
  console.log(md);
  console.error(
    `leaderboard: ${dir}/leaderboard.md, ${dir}/leaderboard.csv, ${html} (by stratum and lesion size: ` +
      `leaderboard_strata.csv, leaderboard_lesions.csv)`,
  );
}
