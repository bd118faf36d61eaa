/**
 * The headct dataset (3D): CT volumes in HU from a folder (`*.nii[.gz]`, each with an optional
 * `<name>_mask.nii[.gz]` beside it) or a manifest, preprocessed by {@linkcode preprocessHeadCt}. Patients
 * with a masked volume are split by seed into the labelled split (supervised methods) and test; the other
 * patients into train, validation and test, where their volumes get synthetic lesions.
 * @module
 */
import { join } from "node:path";
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
  Split,
} from "../../core/dataset.ts";
import { requireCases } from "../../core/dataset.ts";
import { addSphereLesions } from "../../core/lesions/mod.ts";
import { assertSameGrid, multiplyAffine, readNifti } from "../../core/nifti/mod.ts";
import { preprocessHeadCt } from "../../core/preprocess/head_ct.ts";
import { readManifest } from "../../core/preprocess/manifest.ts";
import { splitPatients } from "../../core/preprocess/split.ts";
import { Rng } from "../../core/rng.ts";
import { type HeadctConfig, headctSchema } from "./config.ts";
import { prepareHeadctScan } from "./scan.ts";

interface Entry {
  readonly id: string;
  readonly image: string;
  readonly mask?: string;
  /** The manifest row's metadata. */
  readonly metadata?: CaseMetadata;
}

/** The volumes, their patients and their splits. */
interface Listing {
  readonly list: readonly Entry[];
  readonly splits: Readonly<Record<AnySplit, readonly string[]>>;
  readonly patientOf: (id: string) => string;
  /** Why a split is empty, for the error. */
  readonly emptyWhy: (split: AnySplit) => string;
}

const NII = /\.nii(\.gz)?$/;

/** Lists `*.nii[.gz]` volumes in `root` with their `_mask` partners. */
async function scanFolder(root: string): Promise<Entry[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(root)) {
      if ((e.isFile || e.isSymlink) && NII.test(e.name)) names.push(e.name);
    }
  } catch (e) {
    throw new Error(`headct: cannot read data folder ${root} (${(e as Error).message})`);
  }
  const set = new Set(names);
  const volumes = names.filter((n) => !/_mask\.nii(\.gz)?$/.test(n)).sort();
  if (volumes.length === 0) throw new Error(`headct: ${root} holds no .nii/.nii.gz volumes`);
  return volumes.map((n) => {
    const stem = n.replace(NII, "");
    const mask = [`${stem}_mask.nii.gz`, `${stem}_mask.nii`].find((m) => set.has(m));
    return { id: stem, image: join(root, n), ...(mask ? { mask: join(root, mask) } : {}) };
  });
}

/** The patient of a volume: `pattern`'s first group (or match) in its name; without a pattern, the name. */
function patientPattern(pattern: string | undefined, root: string): (id: string) => string {
  if (pattern === undefined) return (id) => id;
  const re = new RegExp(pattern);
  return (id) => {
    const m = re.exec(id);
    if (!m) {
      throw new Error(`headct: patientPattern /${pattern}/ does not match volume '${id}' in ${root}; fix it`);
    }
    return m[1] ?? m[0];
  };
}

async function fromManifest(root: string, config: HeadctConfig): Promise<Listing> {
  const m = await readManifest(join(root, config.manifest!), { labelled: true });
  if (m.channels.length !== 1) {
    throw new Error(`${m.path}: headct takes one channel (CT), the manifest has ${m.channels.length}`);
  }
  const list = m.cases.map((c) => ({
    id: c.id,
    image: c.images[0]!,
    ...(c.mask ? { mask: c.mask } : {}),
    ...(c.metadata ? { metadata: c.metadata } : {}),
  }));
  const by = (s: AnySplit) => m.cases.filter((c) => c.split === s).map((c) => c.id);
  const patients = new Map(m.cases.map((c) => [c.id, c.patient ?? c.id]));
  return {
    list,
    splits: { train: by("train"), validation: by("validation"), test: by("test"), labelled: by("labelled") },
    patientOf: (id) => patients.get(id) ?? id,
    emptyWhy: (s) => `${m.path} has no case with split '${s}'; add one`,
  };
}

async function fromFolder(root: string, config: HeadctConfig): Promise<Listing> {
  const list = await scanFolder(root);
  const patientOf = patientPattern(config.patientPattern, root);
  const lesioned = new Set(list.filter((e) => e.mask).map((e) => patientOf(e.id)));
  const ids = (lesion: boolean) =>
    list.filter((e) => lesioned.has(patientOf(e.id)) === lesion).map((e) => e.id);
  const healthy = splitPatients(
    ids(false),
    config.seed,
    [config.trainFraction, config.validationFraction],
    patientOf,
  );
  // At least one lesion patient stays in test: real lesions are what the test split is for.
  const nLabelled = Math.min(lesioned.size - 1, Math.round(config.labelledFraction * lesioned.size));
  const lesion = splitPatients(
    ids(true),
    `headct-labelled:${config.seed}`,
    [Math.max(0, nLabelled) / Math.max(1, lesioned.size), 0],
    patientOf,
  );
  const unmasked = ids(false).length;
  return {
    list,
    splits: { ...healthy, test: [...healthy.test, ...lesion.test], labelled: lesion.train },
    patientOf,
    emptyWhy: (s) =>
      s === "labelled"
        ? lesioned.size === 0
          ? `no volume in ${root} has a _mask file: supervised methods need real lesion masks`
          : `labelledFraction ${config.labelledFraction} of ${lesioned.size} patient(s) with a mask, one ` +
            `kept for testing, rounds to 0; raise it or add masked volumes`
        : s === "test"
        ? `${root} has no volume with a _mask file, and trainFraction ${config.trainFraction} and ` +
          `validationFraction ${config.validationFraction} leave none of its ${unmasked} volume(s) for ` +
          `testing; lower them or add volumes`
        : `${unmasked} volume(s) without a mask in ${root} × ${s}Fraction ${
          config[`${s}Fraction`]
        } rounds to 0; raise it or add volumes`,
  };
}

async function load(config: HeadctConfig, options: DatasetOptions): Promise<Dataset> {
  const root = options.dataRoot;
  if (!root) {
    throw new Error("headct: no data folder; pass --data /path/to/ct/folder (e.g. ../shared/data/real)");
  }
  const { list, splits, patientOf, emptyWhy } = config.manifest
    ? await fromManifest(root, config)
    : await fromFolder(root, config);
  const byId = new Map(list.map((e) => [e.id, e]));
  const files = list.flatMap((e) => (e.mask ? [e.image, e.mask] : [e.image]));
  const sources = await fingerprintFiles(
    files,
    root,
    config.manifest ? join(root, config.manifest) : `headct folder ${root}`,
  );
  const preprocessing = { ...config, channels: ["ct"] };
  const key = await preprocessingKey("headct", preprocessing, sources, options.codeVersion);
  // Test and labelled cases carry a label: its mask, or (test only) synthetic lesions; labelled volumes
  // without a mask are healthy scans of a patient with lesions elsewhere.
  const build = async (id: string, split: AnySplit): Promise<Case> => {
    const e = byId.get(id)!;
    const ct = await readNifti(e.image);
    const mask = e.mask ? await readNifti(e.mask) : undefined;
    if (mask) assertSameGrid(ct, [mask]);
    const grid = ct.shape.slice(0, 3) as [number, number, number];
    const vol = preprocessHeadCt(ct.data, grid, ct.spacing, config, ct.path, mask?.data);
    const shape = [...config.shape, 1] as [number, number, number, number];
    const s = config.spacingMm;
    let image = vol.image, label = vol.mask;
    if (split === "test" && !label) {
      const out = addSphereLesions(
        image,
        shape,
        vol.foreground,
        [s, s, s],
        new Rng(`headct:${config.seed}:${id}`),
        {
          count: config.lesionCount,
          diameterMm: config.lesionDiameterMm,
          factor: config.lesionFactor,
        },
      );
      image = out.image;
      label = out.label;
    }
    const labelled = split === "test" || split === "labelled";
    return {
      id,
      shape,
      image,
      foreground: vol.foreground,
      ...(labelled ? { label: label ?? new Uint8Array(vol.foreground.length) } : {}),
      spacing: [s, s, s],
      affine: multiplyAffine(ct.affine, vol.toSource),
      ...(e.metadata ? { metadata: e.metadata } : {}),
    };
  };
  const standard: Record<Split, readonly string[]> = {
    train: splits.train,
    validation: splits.validation,
    test: splits.test,
  };
  const store = await openCaseStore({
    datasetId: "headct",
    key,
    splits: standard,
    build,
    cacheDir: options.cacheDir,
  });
  const labelled = lazyLabelledStore({
    datasetId: "headct",
    key,
    ids: splits.labelled,
    build: (id) => build(id, "labelled"),
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
  });
  const checked = (split: AnySplit): AnySplit => {
    if (split === "labelled") {
      if (splits.labelled.length === 0) {
        throw new Error(`dataset 'headct': split 'labelled' is empty (${emptyWhy(split)})`);
      }
    } else requireCases("headct", split, splits[split], () => emptyWhy(split));
    return split;
  };
  return {
    id: "headct",
    dims: 3,
    channels: ["ct"],
    preprocessingHash: key,
    preprocessing,
    hasLabelled: splits.labelled.length > 0,
    patientOf,
    caseCount: (sp) => (sp === "labelled" ? undefined : store.count(sp)),
    ...splitAccess(store, labelled, checked),
  };
}

/** The headct dataset definition. */
export const headctDataset: DatasetDefinition<HeadctConfig> = {
  id: "headct",
  description:
    "head CT volumes (HU) at 2 mm, 64×96×96 field of view, window 0–80 HU; masks or synthetic lesions",
  dims: 3,
  source: "files",
  schema: headctSchema,
  load,
  prepareScan: prepareHeadctScan,
};
