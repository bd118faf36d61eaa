/**
 * The preprocessing cache: keys from sources and parameters, a case file format, and an atomic on-disk store.
 * @module
 */
export { decodeCase, encodeCase } from "./case_codec.ts";
export { type FileFingerprint, fingerprintFiles, preprocessingKey, sha256Hex, stableJson } from "./key.ts";
export {
  type CacheManifest,
  type CaseStore,
  type CaseStoreOptions,
  openCaseStore,
  type SplitIds,
} from "./store.ts";
