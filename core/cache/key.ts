/**
 * Cache keys: SHA-256 of the source files' identity (relative path, size, mtime) and every preprocessing
 * parameter. The same key is the dataset's `preprocessingHash`.
 * @module
 */
import { relative, resolve } from "node:path";

/** Identity of one source file. */
export interface FileFingerprint {
  /** Path relative to the data root (so a moved folder with the same stats keeps its key). */
  readonly path: string;
  readonly size: number;
  /** Modification time in ms since the epoch (0 where the file system gives none). */
  readonly mtimeMs: number;
}

/** Stats each file; a missing file throws an Error naming it and `what` (e.g. the manifest that lists it). */
export async function fingerprintFiles(
  paths: readonly string[],
  root: string,
  what = "source",
): Promise<FileFingerprint[]> {
  const out: FileFingerprint[] = [];
  for (const p of paths) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(p);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw new Error(`${p}: missing file (listed by ${what})`);
      throw new Error(`${p}: cannot stat (${(e as Error).message})`);
    }
    if (!info.isFile) throw new Error(`${p}: not a file (listed by ${what})`);
    out.push({
      path: relative(resolve(root), resolve(p)),
      size: info.size,
      mtimeMs: info.mtime?.getTime() ?? 0,
    });
  }
  return out;
}

/** JSON with object keys sorted, so equal values always serialise identically. */
export function stableJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) =>
      v && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v)
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
        : v,
  );
}

/** SHA-256 hex digest of bytes or text. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The cache key of a dataset: SHA-256 over its id, a format version, its parameters and its sources.
 *
 * @example
 * ```ts
 * import { preprocessingKey } from "./key.ts";
 * const a = await preprocessingKey("demo", { size: 64 }, []);
 * const b = await preprocessingKey("demo", { size: 128 }, []);
 * console.assert(a !== b && a.length === 64);
 * ```
 */
export function preprocessingKey(
  datasetId: string,
  params: Readonly<Record<string, unknown>>,
  sources: readonly FileFingerprint[],
  version = 1,
): Promise<string> {
  return sha256Hex(stableJson({ datasetId, version, params, sources }));
}
