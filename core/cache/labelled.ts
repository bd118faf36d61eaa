/**
 * A dataset's labelled split (patients with lesion masks, for supervised methods) as a second cache entry
 * beside the train/validation/test one, opened and built on first use: loading a dataset for an
 * unsupervised method never preprocesses it.
 * @module
 */
import type { Case, StoredCase } from "../dataset.ts";
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
