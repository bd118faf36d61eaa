/**
 * Cache keys: SHA-256 over the source files' content (relative path, size and SHA-256 of the bytes), every
 * preprocessing parameter and the preprocessing code's version. The same key is the dataset's
 * `preprocessingHash`. See README.md for why content is hashed on every load and what that costs.
 * @module
 */
import { createHash } from "node:crypto";
import { relative, resolve } from "node:path";
import { statRegularFile } from "../files.ts";

/** Identity of one source file. */
export interface FileFingerprint {
  /** Path relative to the data root (so a moved folder keeps its key). */
  readonly path: string;
  readonly size: number;
  /** SHA-256 (hex) of the file's bytes. */
  readonly sha256: string;
}

/** Files hashed at once: enough to overlap one file's reads with another's hashing. */
const PARALLEL = 4;
const CHUNK = 4 << 20;

/** SHA-256 (hex) of a file's bytes, read in chunks. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path);
  const buf = new Uint8Array(CHUNK);
  for (let n = await file.read(buf); n !== null; n = await file.read(buf)) hash.update(buf.subarray(0, n));
  return hash.digest("hex");
}

/**
 * Hashes each file's content. A path that is missing or not a regular file (a folder, FIFO, device) throws
 * an Error naming it and `what` (e.g. the manifest that lists it), before anything is opened.
 */
export async function fingerprintFiles(
  paths: readonly string[],
  root: string,
  what = "source",
): Promise<FileFingerprint[]> {
  const infos: Deno.FileInfo[] = [];
  for (const p of paths) infos.push(await statRegularFile(p, `listed by ${what}`));
  const out: FileFingerprint[] = new Array(paths.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < paths.length; i = next++) {
      const p = paths[i]!;
      let sha256: string;
      try {
        sha256 = await hashFile(p);
      } catch (e) {
        throw new Error(`${p}: cannot read (${(e as Error).message}; listed by ${what})`);
      }
      out[i] = { path: relative(resolve(root), resolve(p)), size: infos[i]!.size, sha256 };
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, paths.length) }, worker));
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
export function sha256Hex(data: Uint8Array | string): Promise<string> {
  return Promise.resolve(createHash("sha256").update(data).digest("hex"));
}

/** Version of the key's layout: keys of another layout never match. */
const KEY_FORMAT = 2;

/**
 * The cache key of a dataset: SHA-256 over its id, the key layout, its parameters, its sources' content and
 * `codeVersion` (a hash of the preprocessing code, `DatasetOptions.codeVersion`; absent when the caller has
 * none, which then leaves code edits out of the key).
 *
 * @example
 * ```ts
 * import { preprocessingKey } from "./key.ts";
 * const a = await preprocessingKey("demo", { size: 64 }, [], "code-1");
 * const b = await preprocessingKey("demo", { size: 64 }, [], "code-2");
 * console.assert(a !== b && a.length === 64);
 * ```
 */
export function preprocessingKey(
  datasetId: string,
  params: Readonly<Record<string, unknown>>,
  sources: readonly FileFingerprint[],
  codeVersion?: string,
): Promise<string> {
  return sha256Hex(
    stableJson({ datasetId, format: KEY_FORMAT, params, sources, codeVersion: codeVersion ?? null }),
  );
}
