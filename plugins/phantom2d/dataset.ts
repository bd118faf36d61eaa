/**
 * The phantom2d dataset definition: generated brain-MRI-like slices, healthy train and validation subjects,
 * test subjects with lesions and a labelled split (other subjects with lesions) for supervised methods.
 * Nothing is read from disk.
 * @module
 */
import type { AnySplit, Case, Dataset, DatasetDefinition, DatasetOptions } from "../../core/dataset.ts";
import { type Phantom2dConfig, phantom2dSchema } from "./config.ts";
import { CHANNELS } from "./contrast.ts";
import { generateCase, subjectCount } from "./generate.ts";
import { canonicalJson, sha256Hex } from "./hash.ts";

/**
 * The preprocessing hash of a resolved config: SHA-256 of its canonical JSON with `codeVersion` (the hash of
 * the generator's code that the runner passes as `DatasetOptions.codeVersion`).
 */
export function phantom2dHash(config: Phantom2dConfig, codeVersion?: string): Promise<string> {
  return sha256Hex(canonicalJson({ generator: "phantom2d", codeVersion: codeVersion ?? null, config }));
}

/**
 * The phantom2d definition, registered by `mod.ts`.
 *
 * @example
 * ```ts
 * import { parseConfig } from "../../core/config.ts";
 * import { phantom2dDataset } from "./dataset.ts";
 * const ds = await phantom2dDataset.load(parseConfig(phantom2dDataset.schema, { testSubjects: 2 }, "phantom2d"), {});
 * for await (const c of ds.cases("test")) console.log(c.id, c.shape);
 * ```
 */
export const phantom2dDataset: DatasetDefinition<Phantom2dConfig> = {
  id: "phantom2d",
  description:
    "Generated 4-channel brain-MRI-like phantom slices; test and labelled subjects carry tumour-like lesions",
  dims: 2,
  source: "generated",
  schema: phantom2dSchema,
  async load(config: Phantom2dConfig, options: DatasetOptions = {}): Promise<Dataset> {
    const preprocessingHash = await phantom2dHash(config, options.codeVersion);
    return {
      id: "phantom2d",
      dims: 2,
      channels: CHANNELS,
      preprocessingHash,
      preprocessing: { ...config },
      hasLabelled: true,
      caseCount: (split) => subjectCount(config, split),
      async *cases(split: AnySplit): AsyncIterable<Case> {
        const count = subjectCount(config, split);
        for (let i = 0; i < count; i++) yield generateCase(config, split, i);
      },
    };
  },
};
