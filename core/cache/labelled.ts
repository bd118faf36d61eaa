/**
 * A dataset's labelled split (patients with lesion masks, for supervised methods) as a second cache entry
 * beside the train/validation/test one, opened and built on first use: loading a dataset for an
 * unsupervised method never preprocesses it.
 * @module
 */
import type { AnySplit, Case, StoredCase } from "../dataset.ts";
import { sha256Hex, stableJson } from "./key.ts";
import { type CaseStore, openCaseStore } from "./store.ts";

/** What {@linkcode lazyLabelledStore} needs. */
export interface LabelledStoreOptions {
  /** Dataset id (a folder level in the cache). */
  readonly datasetId: string;
  /** The dataset's preprocessing hash; the labelled entry's key is derived from it and the ids. */
  readonly key: string;
  /** The labelled case ids, in order. */
  readonly ids: readonly string[];
  /** Preprocesses one labelled case (with its label). */
  readonly build: (id: string) => Promise<Case>;
  /** Cache folder; without one, cases are rebuilt on every pass. */
  readonly cacheDir?: string;
}

/** The labelled split's cases, from a store opened on first use. */
export interface LabelledStore {
  /** The labelled cases, in order. */
  cases(): AsyncIterable<Case>;
  /** The same with their cache files (absent without a cache folder). */
  readonly stored?: () => AsyncIterable<StoredCase>;
}

/**
 * The labelled split of a dataset, cached under its own key.
 *
 * @example
 * ```ts ignore
 * const labelled = lazyLabelledStore({ datasetId: "brats", key, ids, build: (id) => preprocess(id), cacheDir });
 * for await (const c of labelled.cases()) console.log(c.id, c.label?.some((v) => v > 0));
 * ```
 */
export function lazyLabelledStore(o: LabelledStoreOptions): LabelledStore {
  let store: Promise<CaseStore> | undefined;
  const open = () =>
    store ??= sha256Hex(stableJson({ of: o.key, split: "labelled", ids: o.ids })).then((key) =>
      openCaseStore({
        datasetId: o.datasetId,
        key,
        splits: { train: o.ids, validation: [], test: [] },
        build: (id) => o.build(id),
        ...(o.cacheDir !== undefined ? { cacheDir: o.cacheDir } : {}),
      })
    );
  return {
    async *cases() {
      yield* (await open()).cases("train");
    },
    ...(o.cacheDir !== undefined
      ? {
        stored: async function* () {
          yield* (await open()).stored!("train");
        },
      }
      : {}),
  };
}

/**
 * A dataset's `cases` and `stored` over its main store and its labelled store: each split is first checked
 * (`check` throws a clear error for an empty or missing split), then read from the store that holds it.
 * `stored` is present only where both stores keep files.
 *
 * @example
 * ```ts ignore
 * const access = splitAccess(store, lazyLabelledStore({ datasetId, key, ids, build, cacheDir }), checked);
 * for await (const c of access.cases("labelled")) console.log(c.id);
 * ```
 */
export function splitAccess(
  store: CaseStore,
  labelled: LabelledStore,
  check: (split: AnySplit) => AnySplit,
): { cases(split: AnySplit): AsyncIterable<Case>; stored?(split: AnySplit): AsyncIterable<StoredCase> } {
  return {
    cases: (s) => {
      const split = check(s);
      return split === "labelled" ? labelled.cases() : store.cases(split);
    },
    ...(store.stored && labelled.stored
      ? {
        stored: (s: AnySplit) => {
          const split = check(s);
          return split === "labelled" ? labelled.stored!() : store.stored!(split);
        },
      }
      : {}),
  };
}
