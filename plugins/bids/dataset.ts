/**
 * The BIDS datasets: `bids` gives 2D axial slices with the paper's BraTS preprocessing
 * (`core/preprocess/slices.ts`), `bids3d` isotropic volumes (`core/preprocess/volume.ts`). Scans are found by
 * `layout.ts`, subject metadata and splits come from the tables of `tables.ts`; each case carries its
 * subject's `participants.tsv` row (and its session's `_sessions.tsv` row) as metadata.
 * @module
 */
import { isAbsolute, join } from "node:path";
import {
  fingerprintFiles,
  lazyLabelledStore,
  openCaseStore,
  preprocessingKey,
  splitAccess,
} from "../../core/cache/mod.ts";
import type {
  AnySplit,
  Case,
  CaseMetadata,
  Dataset,
  DatasetDefinition,
  DatasetOptions,
  Dims,
  Scan as NewScan,
  Split,
} from "../../core/dataset.ts";
import { requireCases } from "../../core/dataset.ts";
import { assertSameGrid, type NiftiVolume, readNifti } from "../../core/nifti/mod.ts";
import { preprocessSlices } from "../../core/preprocess/slices.ts";
import { splitPatients } from "../../core/preprocess/split.ts";
import { preprocessVolume } from "../../core/preprocess/volume.ts";
import { type BidsConfig, bidsSchema } from "./config.ts";
import { checkBidsRoot, findScans, listSubjects, type Scan } from "./layout.ts";
import {
  keyedRows,
  readParticipants,
  readSessions,
  readTable,
  requireColumn,
  rowMetadata,
  type SplitWord,
  splitWord,
  type Table,
} from "./tables.ts";

/** The split table in use: the split file or participants.tsv, its column and its rows by subject or scan. */
interface SplitSource {
  readonly table: Table;
  readonly column: string;
  readonly rows: ReturnType<typeof keyedRows>;
}

/** The split table the config names, if any (checked for its column). */
async function splitSource(
  root: string,
  config: BidsConfig,
  participants: Awaited<ReturnType<typeof readParticipants>>,
): Promise<SplitSource | undefined> {
  if (config.splitFile !== undefined) {
    const file = isAbsolute(config.splitFile) ? config.splitFile : join(root, config.splitFile);
    const table = await readTable(file);
    if (!table) throw new Error(`${file}: split file not found (splitFile '${config.splitFile}')`);
    const column = config.splitColumn ?? "split";
    requireColumn(table, column, "the split column (splitColumn)");
    return { table, column, rows: keyedRows(table) };
  }
  if (config.splitColumn !== undefined) {
    if (!participants) {
      throw new Error(
        `${
          join(root, "participants.tsv")
        }: not found, but splitColumn '${config.splitColumn}' is read from it`,
      );
    }
    requireColumn(participants.table, config.splitColumn, "splitColumn names it");
    return { table: participants.table, column: config.splitColumn, rows: participants.rows };
  }
  return undefined;
}

/** The split a table gives a scan (by its scan row, else its subject's); throws when it has none. */
function tableWord(source: SplitSource, subject: string, session?: string): SplitWord {
  const scan = session ? `${subject}_ses-${session}` : subject;
  const row = source.rows.get(scan) ?? source.rows.get(subject);
  if (!row) {
    throw new Error(
      `${source.table.file}: no row for ${scan} (every scan needs a split in '${source.column}'; 'none' leaves one out)`,
    );
  }
  return splitWord(row.cells[source.column]!, source.table, row.line, source.column);
}

/** Each scan's split: from the table, or seeded (scans with a lesion mask go to test). */
function assignSplits(
  scans: readonly Scan[],
  source: SplitSource | undefined,
  config: BidsConfig,
): Map<string, AnySplit> {
  const out = new Map<string, AnySplit>();
  if (source) {
    for (const s of scans) out.set(s.id, tableWord(source, s.subject, s.session) as AnySplit);
    const tested = new Map<string, string>();
    for (const s of scans) if (out.get(s.id) === "test") tested.set(s.subject, s.id);
    for (const s of scans) {
      const t = tested.get(s.subject);
      if (t !== undefined && out.get(s.id) !== "test") {
        throw new Error(
          `${source.table.file}: ${s.subject} has test scan ${t} and ${
            out.get(s.id)
          } scan ${s.id}: a tested ` +
            `subject must not be trained or validated on; move one of them`,
        );
      }
      if (out.get(s.id) === "labelled" && !s.mask) {
        throw new Error(
          `${source.table.file}: ${s.id} is 'labelled' but has no lesion mask (its ground truth)`,
        );
      }
    }
    return out;
  }
  const lesioned = new Set(scans.filter((s) => s.mask).map((s) => s.subject));
  const healthy = scans.filter((s) => !lesioned.has(s.subject)).map((s) => s.id);
  const subjectOf = new Map(scans.map((s) => [s.id, s.subject]));
  const split = splitPatients(
    healthy,
    config.seed,
    [config.trainFraction, config.validationFraction],
    (id) => subjectOf.get(id)!,
  );
  for (const k of ["train", "validation", "test"] as const) for (const id of split[k]) out.set(id, k);
  for (const s of scans) if (lesioned.has(s.subject)) out.set(s.id, "test");
  return out;
}

/** A scan's volumes, read, each 3D and all on the first image's grid. */
async function readScan(
  scan: Scan,
): Promise<{ images: NiftiVolume[]; mask?: NiftiVolume; foreground?: NiftiVolume }> {
  const files = [
    ...scan.images,
    ...(scan.mask ? [scan.mask] : []),
    ...(scan.foreground ? [scan.foreground] : []),
  ];
  const vols = await Promise.all(files.map(async (f) => {
    const vol = await readNifti(f);
    if (vol.shape.length !== 3) {
      throw new Error(`${f}: expected a 3D volume, got shape [${vol.shape.join(", ")}] (${scan.id})`);
    }
    return vol;
  }));
  try {
    assertSameGrid(vols[0]!, vols.slice(1));
  } catch (e) {
    throw new Error(`${scan.id}: ${(e as Error).message}`);
  }
  const n = scan.images.length;
  return {
    images: vols.slice(0, n),
    ...(scan.mask ? { mask: vols[n]! } : {}),
    ...(scan.foreground ? { foreground: vols[scan.mask ? n + 1 : n]! } : {}),
  };
}

/** Preprocesses a scan for `split` (train/validation: healthy; test/labelled: with its label). */
async function toCase(scan: Scan, split: AnySplit, config: BidsConfig, dims: Dims): Promise<Case> {
  return caseOf(scan.id, await readScan(scan), split, config, dims, scan.mask);
}

/** A case from a scan's volumes (the path shared by the dataset's own scans and `prepareScan`). */
function caseOf(
  id: string,
  vols: { images: readonly NiftiVolume[]; mask?: NiftiVolume; foreground?: NiftiVolume },
  split: AnySplit,
  config: BidsConfig,
  dims: Dims,
  maskName?: string,
): Case {
  const ref = vols.images[0]!;
  const grid = ref.shape as unknown as [number, number, number];
  const foreground = vols.foreground && Uint8Array.from(vols.foreground.data, (x) => (x > 0 ? 1 : 0));
  const withLabel = split === "test" || split === "labelled";
  // A scan without a lesion mask is healthy: an all-zero label where one is needed.
  const label = vols.mask?.data ?? (withLabel ? new Float32Array(ref.data.length) : undefined);
  const input = {
    id,
    channels: vols.images.map((v) => v.data),
    grid,
    spacing: ref.spacing,
    affine: ref.affine,
    ...(foreground ? { foreground } : {}),
    name: `${id} (${ref.path})`,
  };
  if (dims === 2) return preprocessSlices({ ...input, ...(label ? { label } : {}) }, config, !withLabel);
  if (!withLabel && label?.some((x) => x > 0)) {
    throw new Error(
      `${id}: split '${split}' must be healthy but its lesion mask ${maskName} marks voxels (3D cases ` +
        `cannot drop slices); give it split 'test' or 'labelled'`,
    );
  }
  return preprocessVolume({ ...input, ...(withLabel && label ? { label } : {}) }, config);
}

/** `prepareScan` of the BIDS datasets: a new scan becomes a case as a test scan without lesion mask does. */
function prepareScan(dims: Dims) {
  return (config: BidsConfig, scan: NewScan): Promise<Case> => {
    const vols = { images: scan.channels, ...(scan.foreground ? { foreground: scan.foreground } : {}) };
    const { label: _, ...c } = caseOf(scan.id, vols, "test", config, dims);
    return Promise.resolve(c);
  };
}

function loader(dims: Dims) {
  const datasetId = dims === 2 ? "bids" : "bids3d";
  return async (config: BidsConfig, options: DatasetOptions): Promise<Dataset> => {
    const root = options.dataRoot;
    if (!root) throw new Error(`${datasetId}: no data folder; pass --data /path/to/bids/dataset`);
    const description = await checkBidsRoot(root);
    const participants = await readParticipants(root);
    const source = await splitSource(root, config, participants);
    const folders = await listSubjects(root);
    if (source) {
      const unknown = [...source.rows.keys()].find((k) => !folders.includes(k.split("_")[0]!));
      if (unknown) throw new Error(`${source.table.file}: ${unknown} has no folder in ${root}`);
    }
    const include = (subject: string, session?: string) =>
      !source || tableWord(source, subject, session) !== "none";
    const scans = await findScans(root, folders, config, include);
    if (scans.length === 0) throw new Error(`${datasetId}: every scan in ${root} has split 'none'`);
    const splitOf = assignSplits(scans, source, config);
    // Metadata: the subject's participants.tsv row, then its session's row of sub-<label>_sessions.tsv.
    const sessionTables = new Map<string, Awaited<ReturnType<typeof readSessions>>>();
    const metadata = new Map<string, CaseMetadata>();
    for (const s of scans) {
      const row = participants?.rows.get(s.subject);
      if (participants && !row) {
        throw new Error(
          `${participants.table.file}: no row for ${s.subject} (BIDS lists every subject there; add it)`,
        );
      }
      if (!sessionTables.has(s.subject)) sessionTables.set(s.subject, await readSessions(root, s.subject));
      const sessions = sessionTables.get(s.subject);
      const sessionRow = s.session !== undefined ? sessions?.rows.get(s.session) : undefined;
      if (sessions && s.session !== undefined && !sessionRow) {
        throw new Error(
          `${sessions.table.file}: no row for session ${s.session} (session_id ses-${s.session})`,
        );
      }
      const skip = [
        "participant_id",
        "session_id",
        ...(source?.table === participants?.table ? [source!.column] : []),
      ];
      const m = {
        ...(s.session !== undefined ? { session: s.session } : {}),
        ...(row ? rowMetadata(row.cells, skip) : {}),
        ...(sessionRow ? rowMetadata(sessionRow.cells, skip) : {}),
      };
      if (Object.keys(m).length) metadata.set(s.id, m);
    }
    const ids = (split: AnySplit) => scans.filter((s) => splitOf.get(s.id) === split).map((s) => s.id);
    const splits: Record<Split, string[]> = {
      train: ids("train"),
      validation: ids("validation"),
      test: ids("test"),
    };
    const labelledIds = ids("labelled");
    const byId = new Map(scans.map((s) => [s.id, s]));
    const tables = [
      description,
      ...(participants ? [participants.table.file] : []),
      ...(source && source.table !== participants?.table ? [source.table.file] : []),
      ...[...sessionTables.values()].flatMap((t) => (t ? [t.table.file] : [])),
    ];
    const sources = await fingerprintFiles(
      [
        ...tables,
        ...scans.flatMap((
          s,
        ) => [...s.images, ...(s.mask ? [s.mask] : []), ...(s.foreground ? [s.foreground] : [])]),
      ],
      root,
      `BIDS dataset ${root}`,
    );
    const preprocessing = {
      ...config,
      dims,
      channels: config.suffixes,
      ...(dims === 2 ? { resize: "bilinear, masks > 0.5" } : { resample: "trilinear, masks > 0.5" }),
    };
    const key = await preprocessingKey(datasetId, preprocessing, sources, options.codeVersion);
    const build = async (id: string, split: AnySplit): Promise<Case> => {
      const c = await toCase(byId.get(id)!, split, config, dims);
      const m = metadata.get(id);
      return m ? { ...c, metadata: m } : c;
    };
    const store = await openCaseStore({ datasetId, key, splits, build, cacheDir: options.cacheDir });
    const labelled = lazyLabelledStore({
      datasetId,
      key,
      ids: labelledIds,
      build: (id) => build(id, "labelled"),
      ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    });
    const why = (split: Split) =>
      source
        ? `${source.table.file} gives no scan split '${split}' in '${source.column}'`
        : split === "test"
        ? `no scan has a lesion mask and trainFraction ${config.trainFraction} + validationFraction ` +
          `${config.validationFraction} leave no healthy subject for testing`
        : `${split}Fraction ${
          config[`${split}Fraction`]
        } of the subjects without a lesion mask rounds to 0; ` +
          `raise it, add healthy subjects, or give a split file`;
    const checked = (split: AnySplit): AnySplit => {
      if (split !== "labelled") requireCases(datasetId, split, splits[split], () => why(split));
      else if (labelledIds.length === 0) {
        throw new Error(
          `dataset '${datasetId}': no scan has split 'labelled' (supervised methods need one; give it in a split file)`,
        );
      }
      return split;
    };
    const subjects = new Map(scans.map((s) => [s.id, s.subject]));
    return {
      id: datasetId,
      dims,
      channels: config.suffixes,
      preprocessingHash: key,
      preprocessing,
      hasLabelled: labelledIds.length > 0,
      caseCount: (split) => (split !== "labelled" ? store.count(split) : labelledIds.length || undefined),
      patientOf: (id) => subjects.get(id) ?? id,
      ...splitAccess(store, labelled, checked),
    };
  };
}

/** `bids`: a BIDS dataset's anatomical scans as 2D axial slices (paper's BraTS preprocessing). */
export const bidsDataset: DatasetDefinition<BidsConfig> = {
  id: "bids",
  description:
    "A BIDS dataset's anatomical scans (sub-*/[ses-*/]anat), derivatives lesion masks, as 2D slices",
  dims: 2,
  source: "files",
  schema: bidsSchema(2),
  load: loader(2),
  prepareScan: prepareScan(2),
};

/** `bids3d`: the same scans as isotropic volumes resampled to `size`³. */
export const bids3dDataset: DatasetDefinition<BidsConfig> = {
  id: "bids3d",
  description:
    "A BIDS dataset's anatomical scans (sub-*/[ses-*/]anat), derivatives lesion masks, as 3D volumes",
  dims: 3,
  source: "files",
  schema: bidsSchema(3),
  load: loader(3),
  prepareScan: prepareScan(3),
};
