/**
 * A grid's results folder on disk, one file per cell so that no torn line, full disk or concurrent writer
 * (another bench, a Slurm array task on another node) can corrupt or lose another cell's result:
 *
 * - `grid.json`: the grid as run (after command-line overrides) and its plan (cell ids and identities);
 * - `cells/<cell-id>.json`: a finished cell's result row, written atomically (temp file, then rename);
 * - `cells/<cell-id>.failed.json`: the last failure of a cell that has no result (removed when it finishes);
 * - `cells/<cell-id>.lock`: held while a process runs the cell (pid, host, start time).
 * @module
 */
import { writeFileAtomic, writeJsonAtomic } from "../runner/atomic.ts";
import { processAlive } from "../runner/run_dir.ts";
import type { ResultRow } from "./leaderboard.ts";

/** A failed cell's record. */
export interface CellFailure {
  /** The cell's id. */
  readonly cellId: string;
  /** Human-readable cell label (method | noise | dataset | seed). */
  readonly label: string;
  /** The error message. */
  readonly error: string;
  /** When it failed (ISO time). */
  readonly at: string;
  /** Where the failing run wrote its log and record, relative to the grid folder, if it got that far. */
  readonly runDir?: string;
}

/** Who holds a cell's lock. */
export interface LockOwner {
  /** Process id. */
  readonly pid: number;
  /** Host name. */
  readonly host: string;
  /** When the lock was taken (ISO time). */
  readonly started: string;
}

/** A held lock on one cell; release it when the cell is done (finished, failed or interrupted). */
export interface CellLock {
  /** Removes the lock file. */
  release(): Promise<void>;
}

/** Reads and writes one grid's results folder. */
export class ResultsStore {
  /** The grid folder. */
  readonly dir: string;

  /** The store in `dir` (created on the first write). */
  constructor(dir: string) {
    this.dir = dir;
  }

  /** Folder of the per-cell files. */
  get cellsDir(): string {
    return `${this.dir}/cells`;
  }

  /** Writes `grid.json` (the grid as run and its plan). */
  async writeGrid(content: unknown): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true });
    await writeJsonAtomic(`${this.dir}/grid.json`, content);
  }

  /** Reads `grid.json`, or undefined where there is none; a damaged file is an error naming it. */
  async readGrid(): Promise<unknown | undefined> {
    return await readJson(`${this.dir}/grid.json`);
  }

  /** Records a finished cell (atomically) and clears its failure record. */
  async writeResult(row: ResultRow): Promise<void> {
    await Deno.mkdir(this.cellsDir, { recursive: true });
    await writeFileAtomic(`${this.cellsDir}/${row.cellId}.json`, JSON.stringify(row, null, 1) + "\n");
    await Deno.remove(`${this.cellsDir}/${row.cellId}.failed.json`).catch(() => {});
  }

  /** Records a cell's failure (atomically; replaces an earlier one). */
  async writeFailure(failure: CellFailure): Promise<string> {
    await Deno.mkdir(this.cellsDir, { recursive: true });
    const path = `${this.cellsDir}/${failure.cellId}.failed.json`;
    await writeJsonAtomic(path, failure);
    return path;
  }

  /** Every finished cell's row, by cell id. Unreadable files are reported through `warn` and skipped. */
  async results(warn: (line: string) => void = () => {}): Promise<Map<string, ResultRow>> {
    const out = new Map<string, ResultRow>();
    for (const name of await this.#cellFiles()) {
      if (!/^[^.]+\.json$/.test(name)) continue;
      const path = `${this.cellsDir}/${name}`;
      try {
        const row = await readJson(path) as ResultRow;
        if (row.cellId !== name.slice(0, -5)) throw new Error(`holds cell ${row.cellId}`);
        out.set(row.cellId, row);
      } catch (e) {
        warn(`${path}: ignored (${e instanceof Error ? e.message : e}); the cell will be run again`);
      }
    }
    return out;
  }

  /** Whether `cellId` has a result file. */
  async hasResult(cellId: string): Promise<boolean> {
    try {
      return (await Deno.stat(`${this.cellsDir}/${cellId}.json`)).isFile;
    } catch {
      return false;
    }
  }

  /** Every recorded failure, by cell id. */
  async failures(): Promise<Map<string, CellFailure>> {
    const out = new Map<string, CellFailure>();
    for (const name of await this.#cellFiles()) {
      if (!name.endsWith(".failed.json")) continue;
      const f = await readJson(`${this.cellsDir}/${name}`).catch(() => undefined) as CellFailure | undefined;
      if (f?.cellId) out.set(f.cellId, f);
    }
    return out;
  }

  /**
   * Takes the lock of `cellId`, or returns the live owner when another process holds it. A lock left by a
   * dead process on this host is taken over.
   */
  async lock(cellId: string): Promise<CellLock | { heldBy: LockOwner }> {
    await Deno.mkdir(this.cellsDir, { recursive: true });
    const path = `${this.cellsDir}/${cellId}.lock`;
    const me: LockOwner = { pid: Deno.pid, host: Deno.hostname(), started: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        // createNew is the atomic claim: exactly one process creates the file.
        await Deno.writeTextFile(path, JSON.stringify(me), { createNew: true });
        return { release: () => Deno.remove(path).catch(() => {}) };
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) {
          throw new Error(`${path}: cannot create the cell's lock (${e instanceof Error ? e.message : e})`);
        }
      }
      const owner = await readJson(path).catch(() => undefined) as LockOwner | undefined;
      const dead = owner !== undefined && owner.host === Deno.hostname() && !processAlive(owner.pid);
      if (!dead) return { heldBy: owner ?? { pid: -1, host: "?", started: "?" } };
      await Deno.remove(path).catch(() => {}); // left by a killed process: take it over
    }
    throw new Error(`${path}: another process keeps taking this cell's lock`);
  }

  /** The live owner of a cell's lock, or undefined when nobody (alive) holds it. */
  async lockOwner(cellId: string): Promise<LockOwner | undefined> {
    const owner = await readJson(`${this.cellsDir}/${cellId}.lock`).catch(() => undefined) as
      | LockOwner
      | undefined;
    if (!owner) return undefined;
    const dead = owner.host === Deno.hostname() && !processAlive(owner.pid);
    return dead ? undefined : owner;
  }

  async #cellFiles(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const e of Deno.readDir(this.cellsDir)) if (e.isFile) names.push(e.name);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return names.sort();
  }
}

/** Parses a JSON file; undefined where it does not exist; errors name the file. */
async function readJson(path: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new Error(`${path}: cannot read (${e instanceof Error ? e.message : e})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${e instanceof Error ? e.message : e})`);
  }
}
