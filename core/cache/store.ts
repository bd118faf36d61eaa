/**
 * A store of preprocessed cases, either rebuilt on every pass (no cache folder) or kept on disk under
 * `<cacheDir>/<datasetId>/<key>/`. An entry is built in a temp folder and renamed into place only after its
 * manifest (the completion marker, with every file's size and CRC-32) is written, so an interrupted build is
 * never trusted. Every case file is checked against its CRC-32 when read; a damaged one is rebuilt with a
 * one-line warning, and so is an entry whose manifest is damaged. Temp folders left by a killed build are
 * removed by the next build in the same dataset folder.
 * @module
 */
import { crc32 } from "node:zlib";
import type { Case, Split, StoredCase } from "../dataset.ts";
import { type ProgressReporter, silentProgress } from "../progress.ts";
import { caseLayout, decodeCase, encodeCase } from "./case_codec.ts";

/** Case ids per split, in order. */
export type SplitIds = Readonly<Record<Split, readonly string[]>>;

/** What {@linkcode openCaseStore} needs. */
export interface CaseStoreOptions {
  /** Dataset id (a folder level in the cache). */
  readonly datasetId: string;
  /** The preprocessing hash. */
  readonly key: string;
  /** Case ids per split. */
  readonly splits: SplitIds;
  /** Preprocesses one case. */
  readonly build: (id: string, split: Split) => Promise<Case>;
  /** Cache folder; without one, cases are rebuilt on every pass. */
  readonly cacheDir?: string;
  /** Reports progress while an entry is built. */
  readonly progress?: ProgressReporter;
  /** Where one-line warnings about damaged cache files go (default: console.error). */
  readonly warn?: (line: string) => void;
}

/** Cases by split, from the cache or built on demand. */
export interface CaseStore {
  /** The cases of a split, in order. */
  cases(split: Split): AsyncIterable<Case>;
  /**
   * The cases of a split with their files and the offsets of their arrays, each file checked (and repaired)
   * as by `cases`; absent without a cache folder.
   */
  stored?(split: Split): AsyncIterable<StoredCase>;
  /** The number of cases of a split (without reading them). */
  count(split: Split): number;
  /** Where the entry lives (absent without a cache folder). */
  readonly entryDir?: string;
  /** Whether the entry was found complete on disk rather than built now. */
  readonly hit: boolean;
}

/** One case file of an entry. */
interface CacheFile {
  readonly id: string;
  readonly file: string;
  readonly bytes: number;
  /** CRC-32 of the file's bytes (unsigned). */
  crc32: number;
}

/** The manifest written last into a cache entry. */
export interface CacheManifest {
  readonly format: 2;
  readonly datasetId: string;
  readonly key: string;
  readonly splits: SplitIds;
  /** Per split, per case: file name, byte size and CRC-32. */
  readonly files: Readonly<Record<Split, CacheFile[]>>;
}

const SPLITS: readonly Split[] = ["train", "validation", "test"];
/** A temp folder of another host, or of an unknown writer, is stale after this long. */
const STALE_MS = 24 * 3600 * 1000;

/**
 * Opens (building when needed) the store for `options.key`.
 *
 * @example
 * ```ts ignore
 * const store = await openCaseStore({ datasetId: "brats", key, splits, build, cacheDir: ".cache" });
 * for await (const c of store.cases("train")) console.log(c.id, c.shape);
 * ```
 */
export async function openCaseStore(options: CaseStoreOptions): Promise<CaseStore> {
  if (!options.cacheDir) {
    return {
      hit: false,
      count: (split) => options.splits[split].length,
      async *cases(split) {
        for (const id of options.splits[split]) yield await options.build(id, split);
      },
    };
  }
  const warn = options.warn ?? ((line: string) => console.error(line));
  const root = `${options.cacheDir}/${options.datasetId}`;
  const entryDir = `${root}/${options.key}`;
  let manifest = await readManifest(entryDir, options, warn);
  const hit = manifest !== undefined;
  if (!manifest) {
    await Deno.remove(entryDir, { recursive: true }).catch(() => {});
    manifest = await buildEntry(root, entryDir, options);
  }
  const m = manifest;
  return {
    entryDir,
    hit,
    count: (split) => m.files[split].length,
    async *cases(split) {
      for (const f of m.files[split]) {
        const path = `${entryDir}/${f.file}`;
        yield decodeCase(await loadOrRepair(entryDir, m, f, split, options, warn), path);
      }
    },
    async *stored(split) {
      for (const f of m.files[split]) {
        const path = `${entryDir}/${f.file}`;
        const bytes = await loadOrRepair(entryDir, m, f, split, options, warn);
        const { imageAt, foregroundAt, labelAt } = caseLayout(bytes, path);
        yield {
          case: decodeCase(bytes, path),
          file: path,
          imageAt,
          foregroundAt,
          ...(labelAt !== undefined ? { labelAt } : {}),
        };
      }
    },
  };
}

/**
 * Reads a case file and checks it (size, CRC-32, a decodable case); a damaged one is rebuilt, rewritten and
 * reported in one line. Returns the file's checked bytes.
 */
async function loadOrRepair(
  entryDir: string,
  manifest: CacheManifest,
  f: CacheFile,
  split: Split,
  options: CaseStoreOptions,
  warn: (line: string) => void,
): Promise<Uint8Array> {
  const path = `${entryDir}/${f.file}`;
  let problem: string;
  try {
    const bytes = await readExact(path);
    if (bytes.length !== f.bytes) problem = `${bytes.length} bytes, the manifest says ${f.bytes}`;
    else if (crc32(bytes) !== f.crc32) problem = "checksum mismatch";
    else {
      caseLayout(bytes, path);
      return bytes;
    }
  } catch (e) {
    problem = (e as Error).message.replace(`${path}: `, "");
  }
  warn(`warning: ${path}: damaged cache file (${problem}); rebuilding case '${f.id}'`);
  const bytes = encodeCase(await options.build(f.id, split));
  await writeAtomic(path, bytes);
  const sum = crc32(bytes);
  if (sum !== f.crc32 || bytes.length !== f.bytes) {
    // Preprocessing gave other bytes than at build time (it should not): keep the manifest true to the file.
    f.crc32 = sum;
    (f as { bytes: number }).bytes = bytes.length;
    await writeAtomic(`${entryDir}/manifest.json`, new TextEncoder().encode(JSON.stringify(manifest)));
  }
  return bytes;
}

/** Reads a whole file into one exactly sized buffer (faster than Deno.readFile's growing reads). */
async function readExact(path: string): Promise<Uint8Array> {
  using file = await Deno.open(path);
  const size = (await file.stat()).size;
  const buf = new Uint8Array(size);
  let at = 0;
  while (at < size) {
    const n = await file.read(buf.subarray(at));
    if (n === null) break;
    at += n;
  }
  return at === size ? buf : buf.subarray(0, at);
}

/** Writes via a temp file and a rename, so a reader never sees half a file. */
async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.writeFile(tmp, bytes);
  await Deno.rename(tmp, path);
}

/**
 * Reads a complete entry's manifest, or undefined when there is no entry; a manifest that is damaged or does
 * not describe this key and these splits is reported in one line and undefined returned (the entry is rebuilt).
 */
async function readManifest(
  entryDir: string,
  options: Pick<CaseStoreOptions, "key" | "splits">,
  warn: (line: string) => void,
): Promise<CacheManifest | undefined> {
  const path = `${entryDir}/manifest.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    const exists = await Deno.stat(entryDir).then(() => true, () => false);
    if (exists) warn(`warning: ${path}: missing, the cache entry is incomplete; rebuilding it`);
    return undefined;
  }
  const damaged = (
    why: string,
  ) => (warn(`warning: ${path}: damaged cache manifest (${why}); rebuilding the entry`), undefined);
  let m: CacheManifest;
  try {
    m = JSON.parse(text);
  } catch {
    return damaged("not valid JSON");
  }
  if (m?.format !== 2) return damaged(`format ${JSON.stringify(m?.format)}, expected 2`);
  if (m.key !== options.key) return damaged("it belongs to another key");
  for (const split of SPLITS) {
    const files = m.files?.[split];
    const ids = options.splits[split];
    if (
      !Array.isArray(files) || files.length !== ids.length ||
      files.some((f, i) =>
        f?.id !== ids[i] || typeof f.file !== "string" || !/^[\w.-]+$/.test(f.file) ||
        !Number.isSafeInteger(f.bytes) || !Number.isSafeInteger(f.crc32)
      )
    ) {
      return damaged(`its '${split}' files do not match the split`);
    }
  }
  return m;
}

async function buildEntry(root: string, entryDir: string, options: CaseStoreOptions): Promise<CacheManifest> {
  await Deno.mkdir(root, { recursive: true });
  await removeStaleTemps(root);
  const tmp = `${entryDir}.tmp-${Deno.hostname()}-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(tmp);
  const progress = options.progress ?? silentProgress;
  const total = SPLITS.reduce((s, k) => s + options.splits[k].length, 0);
  let done = 0;
  try {
    const files = {} as Record<Split, CacheFile[]>;
    for (const split of SPLITS) {
      files[split] = [];
      for (const [i, id] of options.splits[split].entries()) {
        const bytes = encodeCase(await options.build(id, split));
        const file = `${split}-${String(i).padStart(5, "0")}.case`;
        await Deno.writeFile(`${tmp}/${file}`, bytes);
        files[split].push({ id, file, bytes: bytes.length, crc32: crc32(bytes) });
        progress.update(++done, total);
      }
    }
    const manifest: CacheManifest = {
      format: 2,
      datasetId: options.datasetId,
      key: options.key,
      splits: options.splits,
      files,
    };
    await Deno.writeTextFile(`${tmp}/manifest.json`, JSON.stringify(manifest));
    try {
      await Deno.rename(tmp, entryDir);
    } catch (e) {
      // Another process finished the same entry first: use theirs.
      const theirs = await readManifest(entryDir, options, () => {});
      if (!theirs) throw e;
      await Deno.remove(tmp, { recursive: true });
      return theirs;
    }
    progress.finish();
    return manifest;
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
}

/**
 * Removes temp folders (`<key>.tmp-<host>-<pid>-<id>`) whose writer is gone: on this host, a pid that no
 * longer runs (checked in /proc on Linux); elsewhere, or for names without a pid, folders untouched for a day.
 */
async function removeStaleTemps(root: string): Promise<void> {
  const host = Deno.hostname();
  for await (const e of Deno.readDir(root)) {
    const at = e.name.indexOf(".tmp-");
    if (!e.isDirectory || at < 0) continue;
    const path = `${root}/${e.name}`;
    const owner = /^(.+)-(\d+)-[0-9a-f]{8}$/.exec(e.name.slice(at + 5));
    let stale: boolean;
    if (owner && owner[1] === host && Deno.build.os === "linux") {
      stale = Number(owner[2]) !== Deno.pid &&
        !(await Deno.stat(`/proc/${owner[2]}`).then(() => true, () => false));
    } else {
      const mtime = (await Deno.stat(path).catch(() => undefined))?.mtime?.getTime() ?? Date.now();
      stale = Date.now() - mtime > STALE_MS;
    }
    if (stale) await Deno.remove(path, { recursive: true }).catch(() => {});
  }
}
