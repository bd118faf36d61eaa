/**
 * Healthy-cohort selection from free-text radiology reports: NegEx-style report
 * labels, a follow-up filter and a folder-dataset manifest (train and validation
 * patients) with an audit trail.
 * @module
 */

export { InputError } from "./errors.ts";
export { type CsvRecord, parseCsv } from "./csv.ts";
export { parseReports, readReports, type ReadReportsOptions, type ReportRow } from "./reports.ts";
export {
  checkAllowList,
  type CueRules,
  DEFAULT_RULES_DIR,
  type FollowupRule,
  type LabelRule,
  loadRules,
  RULE_FILES,
  type Rules,
} from "./rules.ts";
export { dropSections, type Sentence, splitSentences } from "./sentences.ts";
export {
  compilePhrase,
  findAll,
  matchesAt,
  type Phrase,
  type PhraseWord,
  type SpellingPairs,
  type Token,
  tokenize,
} from "./tokens.ts";
export {
  compileCues,
  type CueEffect,
  type CueEntry,
  type CueRole,
  type CueTable,
  findCues,
  type FoundCue,
  type GoverningCue,
  governingCue,
} from "./cues.ts";
export {
  type CompiledLabel,
  compileLabelMatcher,
  extractLabels,
  type LabelMatcher,
  type LabelResult,
  type LabelStatus,
} from "./labels.ts";
export { findFollowup, type FollowupHit } from "./followup.ts";
export {
  type AuditStep,
  type CohortResult,
  type Exclusion,
  type LabelCount,
  selectCohort,
} from "./select.ts";
export {
  buildDataset,
  type BuildDatasetOptions,
  type CohortDataset,
  type DatasetManifest,
  type DatasetScan,
  IMAGE_STEP,
  validationPatients,
} from "./dataset.ts";
export { auditMarkdown, exclusionsCsv, selectedCsv, writeAtomic } from "./output.ts";
export { type CohortOptions, type CohortPaths, main, parseCohortArgs, runCohort } from "./main.ts";
