/**
 * Writes a grid's leaderboards — `leaderboard.md`, `.csv` and `.html` — from its outcome (fresh rows, the
 * accounting of unfinished cells and stale results), and prints the Markdown.
 * @module
 */
import { writeFileAtomic } from "../runner/atomic.ts";
import type { Grid } from "./grid.ts";
import { leaderboardCsv, leaderboardMarkdown } from "./leaderboard.ts";
import type { GridOutcome } from "./outcome.ts";
import { writeLeaderboardHtml } from "./report/write.ts";

/** Writes leaderboard.md, .csv and .html into `dir`. */
export async function writeLeaderboards(grid: Grid, dir: string, outcome: GridOutcome): Promise<void> {
  const accounting = { unfinished: outcome.unfinished, stale: outcome.stale };
  const md = leaderboardMarkdown(`Leaderboard: ${grid.name}`, grid.description, outcome.rows, grid.metrics, {
    accounting,
    compare: grid.compare,
  });
  await writeFileAtomic(`${dir}/leaderboard.md`, md);
  await writeFileAtomic(`${dir}/leaderboard.csv`, leaderboardCsv(outcome.rows, grid.metrics, accounting));
  const html = await writeLeaderboardHtml(dir, grid, outcome.rows, accounting);
  console.log(md);
  console.error(`leaderboard: ${dir}/leaderboard.md, ${dir}/leaderboard.csv, ${html}`);
}
