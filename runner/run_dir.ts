/**
 * Run directories and their `run.json` record: a directory is claimed atomically (two runs started in the
 * same second get two directories), the record says what the run is and how far it got, and a run whose
 * process died is told apart from one still running.
 * @module
 */
import * as v from "valibot";
import { parseConfig } from "../core/mod.ts";
import { writeJsonAtomic } from "./atomic.ts";

/** How far a run got. */
export type RunStatus = "running" | "trained" | "complete" | "failed" | "interrupted";

/** Schema of `run.json` (fields the project reads back; others are kept as written). */
export const runRecordSchema = v.looseObject({
  runId: v.string(),
  status: v.picklist(["running", "trained", "complete", "failed", "interrupted"]),
  spec: v.record(v.string(), v.unknown()),
  identity: v.optional(v.object({
    code: v.string(),
    data: v.string(),
    backend: v.string(),
    external: v.record(v.string(), v.string()),
  })),
  preprocessingHash: v.string(),
  pid: v.optional(v.number()),
  host: v.optional(v.string()),
  error: v.optional(v.string()),
});

/** A run's `run.json`. */
export type RunRecord = v.InferOutput<typeof runRecordSchema>;

/**
 * Creates `runsDir/<base>` (or `<base>-2`, `-3`, … when taken) and returns the id claimed. Creation of the
 * leaf is the claim, so concurrent runs never share a directory.
 */
export async function claimRunDir(runsDir: string, base: string): Promise<string> {
  await Deno.mkdir(runsDir, { recursive: true });
  for (let k = 1;; k++) {
    const id = k === 1 ? base : `${base}-${k}`;
    try {
      await Deno.mkdir(`${runsDir}/${id}`);
      return id;
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) {
        throw new Error(
          `cannot create run directory ${runsDir}/${id}: ${e instanceof Error ? e.message : e}`,
        );
      }
    }
  }
}

/** Reads and checks `<runDir>/run.json`; errors name the file and what is wrong. */
export async function readRunRecord(runDir: string): Promise<RunRecord> {
  const path = `${runDir}/run.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${path} not found: a run directory is made by 'deno task train' or 'deno task bench'`);
    }
    throw new Error(`${path}: cannot read (${e instanceof Error ? e.message : e})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `${path}: not valid JSON (${e instanceof Error ? e.message : e}); the file is damaged or truncated`,
    );
  }
  return parseConfig(runRecordSchema, json, path) as RunRecord;
}

/** Writes `<runDir>/run.json` atomically. */
export function writeRunRecord(runDir: string, record: RunRecord): Promise<void> {
  return writeJsonAtomic(`${runDir}/run.json`, record);
}

/** Whether process `pid` is alive on this machine (where /proc is missing it cannot tell: true). */
export function processAlive(pid: number): boolean {
  const exists = (path: string) => {
    try {
      Deno.statSync(path);
      return true;
    } catch {
      return false;
    }
  };
  return !exists("/proc/self") || exists(`/proc/${pid}`);
}

/** Whether a record says "running" but its process (on this host) has gone: killed without a word. */
export function isOrphaned(record: RunRecord): boolean {
  return record.status === "running" && record.host === Deno.hostname() && record.pid !== undefined &&
    !processAlive(record.pid);
}
