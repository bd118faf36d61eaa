/**
 * A store of preprocessed cases, either rebuilt on every pass (no cache folder) or kept on disk under
 * `<cacheDir>/<datasetId>/<key>/`. An entry is built in a temp folder and renamed into place only after its
 * manifest (the completion marker, with every file's size and SHA-256) is written, so an interrupted build is
 * never trusted; temp folders are ignored by readers.
 * @module
 */
import type { Case, Split } from "../dataset.ts";
import { type ProgressReporter, silentProgress } from "../progress.ts";
import { decodeCase, encodeCase } from "./case_codec.ts";
import { sha256Hex } from "./key.ts";

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
  /** Check every file's SHA-256 when loading (default false: sizes only). */
  readonly verify?: boolean;
  /** Reports progress while an entry is built. */
  readonly progress?: ProgressReporter;
}

/** Cases by split, from the cache or built on demand. */
export interface CaseStore {
  /** The cases of a split, in order. */
  cases(split: Split): AsyncIterable<Case>;
  /** Where the entry lives (absent without a cache folder). */
  readonly entryDir?: string;
  /** Whether the entry was found complete on disk rather than built now. */
  readonly hit: boolean;
}

/** The manifest written last into a cache entry. */
export interface CacheManifest {
  readonly format: 1;
  readonly datasetId: string;
  readonly key: string;
  readonly splits: SplitIds;
  /** Per split, per case: file name, byte size and SHA-256. */
  readonly files: Readonly<
    Record<Split, ReadonlyArray<{ id: string; file: string; bytes: number; sha256: string }>>
  >;
}

const SPLITS: readonly Split[] = ["train", "validation", "test"];

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
      async *cases(split) {
        for (const id of options.splits[split]) yield await options.build(id, split);
      },
    };
  }
  const root = `${options.cacheDir}/${options.datasetId}`;
  const entryDir = `${root}/${options.key}`;
  let manifest = await readManifest(entryDir, options.key);
  const hit = manifest !== undefined;
  if (!manifest) {
    await Deno.remove(entryDir, { recursive: true }).catch(() => {});
    manifest = await buildEntry(root, entryDir, options);
  }
  const m = manifest;
  return {
    entryDir,
    hit,
    async *cases(split) {
      for (const f of m.files[split]) {
        const path = `${entryDir}/${f.file}`;
        let bytes: Uint8Array;
        try {
          bytes = await readExact(path);
        } catch (e) {
          throw new Error(
            `${path}: cache file unreadable (${(e as Error).message}); delete ${entryDir} to rebuild`,
          );
        }
        if (bytes.length !== f.bytes) {
          throw new Error(
            `${path}: cache file has ${bytes.length} bytes, manifest says ${f.bytes}; delete ${entryDir} to rebuild`,
          );
        }
        if (options.verify && (await sha256Hex(bytes)) !== f.sha256) {
          throw new Error(`${path}: cache file checksum mismatch; delete ${entryDir} to rebuild`);
        }
        yield decodeCase(bytes, path);
      }
    },
  };
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

/** Reads a complete entry's manifest, or undefined when absent, unreadable, or its files' sizes disagree. */
async function readManifest(entryDir: string, key: string): Promise<CacheManifest | undefined> {
  let m: CacheManifest;
  try {
    m = JSON.parse(await Deno.readTextFile(`${entryDir}/manifest.json`));
  } catch {
    return undefined;
  }
  if (m.format !== 1 || m.key !== key) return undefined;
  for (const split of SPLITS) {
    for (const f of m.files?.[split] ?? []) {
      const size = await Deno.stat(`${entryDir}/${f.file}`).then((s) => s.size, () => -1);
      if (size !== f.bytes) return undefined;
    }
  }
  return m;
}

async function buildEntry(root: string, entryDir: string, options: CaseStoreOptions): Promise<CacheManifest> {
  await Deno.mkdir(root, { recursive: true });
  const tmp = `${entryDir}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(tmp);
  const progress = options.progress ?? silentProgress;
  const total = SPLITS.reduce((s, k) => s + options.splits[k].length, 0);
  let done = 0;
  try {
    const files = {} as Record<Split, { id: string; file: string; bytes: number; sha256: string }[]>;
    for (const split of SPLITS) {
      files[split] = [];
      for (const [i, id] of options.splits[split].entries()) {
        const bytes = encodeCase(await options.build(id, split));
        const file = `${split}-${String(i).padStart(5, "0")}.case`;
        await Deno.writeFile(`${tmp}/${file}`, bytes);
        files[split].push({ id, file, bytes: bytes.length, sha256: await sha256Hex(bytes) });
        progress.update(++done, total);
      }
    }
    const manifest: CacheManifest = {
      format: 1,
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
      const theirs = await readManifest(entryDir, options.key);
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
