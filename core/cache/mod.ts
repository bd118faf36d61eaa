/**
 * The preprocessing cache: keys from the sources' content, the parameters and the code version, a case file
 * format, and an atomic on-disk store whose files are checked when read (README.md: choices and costs).
 * @module
 */
export { type CaseLayout, caseLayout, decodeCase, encodeCase } from "./case_codec.ts";
export {
  type FileFingerprint,
  fingerprintFiles,
  hashFile,
  preprocessingKey,
  sha256Hex,
  stableJson,
} from "./key.ts";
export { type LabelledStore, type LabelledStoreOptions, lazyLabelledStore, splitAccess } from "./labelled.ts";
export {
  type CacheManifest,
  type CaseStore,
  type CaseStoreOptions,
  openCaseStore,
  type SplitIds,
} from "./store.ts";
