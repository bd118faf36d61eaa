/**
 * What a grid's folder holds against its current plan: the fresh results (cells of the plan), the planned
 * cells without one (failed with the reason, running in another process, or not run yet) and the stale
 * results (cells no longer in the plan: computed with other code, data, backend or configuration). The run
 * and `--report` both build the leaderboards from this, so they print the same tables.
 * @module
 */
import type { ResultRow } from "./leaderboard.ts";
import type { PlannedCell } from "./plan.ts";
import type { CellAccounting, UnfinishedCell } from "./report/tables.ts";
import type { ResultsStore } from "./results_store.ts";

/** Fresh rows and the accounting of everything else. */
export interface GridOutcome extends CellAccounting {
  /** Results of the plan's cells. */
  readonly rows: readonly ResultRow[];
}

/** Reads `store` against `plan`. */
export async function gridOutcome(
  plan: readonly PlannedCell[],
  store: ResultsStore,
  warn: (line: string) => void = () => {},
): Promise<GridOutcome> {
  const results = await store.results(warn);
  const failures = await store.failures();
  const planned = new Set(plan.map((c) => c.cellId));
  const rows: ResultRow[] = [];
  const unfinished: UnfinishedCell[] = [];
  for (const c of plan) {
    const row = results.get(c.cellId);
    if (row) {
      rows.push(row);
      continue;
    }
    const lock = await store.lockOwner(c.cellId);
    const failure = failures.get(c.cellId);
    unfinished.push({
      cellId: c.cellId,
      dataset: c.spec.dataset,
      dataIdentity: c.identity.data,
      methodLabel: c.methodLabel,
      noiseLabel: c.noiseLabel,
      seed: c.spec.seed,
      state: lock ? "running" : failure ? "failed" : "pending",
      ...(failure && !lock ? { error: failure.error, record: `cells/${c.cellId}.failed.json` } : {}),
    });
  }
  const stale = [...results.values()].filter((r) => !planned.has(r.cellId));
  return { rows, unfinished, stale };
}
