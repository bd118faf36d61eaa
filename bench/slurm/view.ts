/**
 * `deno task bench --status`: one line per cell (state, label, Slurm task, node or reason) and, for each
 * failed cell, why and the last lines of its task's log.
 * @module
 */
import type { CellState, CellStatus, GridStatus } from "./status.ts";

const ORDER: readonly CellState[] = ["failed", "running", "queued", "pending", "finished"];
const WORD: Readonly<Record<CellState, string>> = {
  failed: "FAILED",
  running: "running",
  queued: "queued",
  pending: "pending",
  finished: "finished",
};

/** The status text of the grid folder `dir`: counts, then cells by state (failed first). */
export async function statusText(status: GridStatus, dir: string, logLines = 15): Promise<string> {
  const count = (s: CellState) => status.cells.filter((c) => c.state === s).length;
  const out = [
    `${dir}: ${status.cells.length} cells: ` +
    ORDER.filter((s) => count(s)).map((s) => `${count(s)} ${s === "pending" ? "not submitted/run" : s}`)
      .join(", "),
  ];
  if (status.slurmError) out.push(`Slurm not reachable (${status.slurmError}): states from the folder alone`);
  const width = Math.max(...status.cells.map((c) => c.cell.label.length));
  for (const state of ORDER) {
    for (const c of status.cells.filter((c) => c.state === state)) {
      out.push(
        `  ${WORD[state].padEnd(8)} ${c.cell.label.padEnd(width)}  ${c.cell.cellId}  ${where(c)}`.trimEnd(),
      );
      if (state !== "failed") continue;
      out.push(`           ${c.error ?? "?"}`);
      if (c.staleLock) {
        out.push(`           (its lock was left by the ended task; a resubmission removes it)`);
      }
      if (!c.task) continue;
      const tail = await logTail(`${dir}/${c.task.log}`, logLines);
      out.push(`           log ${dir}/${c.task.log}${tail === undefined ? " (not written)" : ":"}`);
      for (const line of tail ?? []) out.push(`           | ${line}`);
    }
  }
  const failed = count("failed");
  if (failed || count("pending")) {
    out.push(
      `resubmit the unfinished cells: deno task bench --grid ${dir} --executor slurm [--slurm-... as before]` +
        (failed ? `\nonly the failed ones:          ... --retry-failed (or --cells <id,...>)` : ""),
    );
  }
  return out.join("\n");
}

function where(c: CellStatus): string {
  const parts: string[] = [];
  if (c.task) {
    const s = c.task.slurm;
    const detail = s && c.state !== "failed" && c.state !== "finished"
      ? ` ${s.state}${s.reason ? ` (${s.reason})` : ""}${s.node ? ` on ${s.node}` : ""}`
      : "";
    parts.push(`task ${c.task.task}${detail}`);
  }
  if (c.lock && c.state === "running" && (!c.task?.slurm || c.lock.host !== c.task.slurm.node)) {
    parts.push(`process ${c.lock.pid} on ${c.lock.host} since ${c.lock.started}`);
  }
  return parts.join("; ");
}

/** The last `n` lines of a log, or undefined where it does not exist. */
async function logTail(path: string, n: number): Promise<string[] | undefined> {
  try {
    const lines = (await Deno.readTextFile(path)).replace(/\s+$/, "").split("\n");
    // A line redrawn with carriage returns: keep what a terminal would show.
    return lines.slice(-n).map((l) => l.split("\r").at(-1)!);
  } catch {
    return undefined;
  }
}
