/**
 * realbrain / realbrain3d: ONE real brain (Colin27 T1, skull-stripped, 1 mm) turned into train/validation/test
 * "patients" by seeded augmentation (small rotation/scale/shift, global intensity change, smooth bias field);
 * test and labelled cases (the latter for supervised methods) also get synthetic sphere lesions. The splits
 * are disjoint only by their augmentation and lesion draws: all are the same subject. Intensities: divided by the 99th percentile of brain voxels and
 * clipped to [0, 1] before lesions, so lesion voxels may reach `lesionFactor`. Lesioned cases carry their
 * lesions' facts as metadata: `lesionCount`, `lesionDiameterMm` (the largest drawn), `lesionVolumeMl` (the
 * mask's volume on the source grid, inside the brain) and `lesionContrast` (lesionFactor − 1).
 * @module
 */
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
} from "../../core/dataset.ts";
import { addSphereLesions } from "../../core/lesions/mod.ts";
import {
  type Affine,
  assertSameGrid,
  type Grid,
  multiplyAffine,
  normalisePercentile,
  padCropAt,
  padCropCentre,
  readNifti,
  resizeMap,
  resizeVolume,
  rigidScaleMap,
  sampleAffine,
  threshold,
  translationAffine,
} from "../../core/nifti/mod.ts";
import { preprocessHeadCt } from "../../core/preprocess/head_ct.ts";
import { preprocessSlices } from "../../core/preprocess/slices.ts";
import { Rng } from "../../core/rng.ts";
import { type RealbrainConfig, realbrainSchema } from "./config.ts";

/** The files expected in the data folder (the CT only for `subject: "head-ct"`). */
export const REALBRAIN_FILES = {
  t1: "colin27_t1.nii.gz",
  mask: "colin27_brainmask.nii.gz",
  ct: "head_ct_hu.nii.gz",
} as const;

interface Brain {
  readonly t1: Float32Array;
  readonly mask: Float32Array;
  readonly grid: Grid;
  readonly spacing: readonly [number, number, number];
  /** Voxel → world affine of `grid` (the cropped box of the source file). */
  readonly affine: Affine;
}

/** Reads the brain and crops it to the mask's bounding box plus a margin (less work per augmentation). */
async function readBrain(root: string): Promise<Brain> {
  const t1 = await readNifti(`${root}/${REALBRAIN_FILES.t1}`);
  const mask = await readNifti(`${root}/${REALBRAIN_FILES.mask}`);
  assertSameGrid(t1, [mask]);
  const [x, y, z] = t1.shape as [number, number, number];
  let x0 = x, y0 = y, z0 = z, x1 = -1, y1 = -1, z1 = -1;
  for (let k = 0, i = 0; k < z; k++) {
    for (let j = 0; j < y; j++) {
      for (let a = 0; a < x; a++, i++) {
        if (mask.data[i]! <= 0) continue;
        if (a < x0) x0 = a;
        if (a > x1) x1 = a;
        if (j < y0) y0 = j;
        if (j > y1) y1 = j;
        if (k < z0) z0 = k;
        if (k > z1) z1 = k;
      }
    }
  }
  const lo = [x0, y0, z0], hi = [x1, y1, z1];
  if (hi[0]! < 0) throw new Error(`${mask.path}: empty brain mask (no voxel > 0)`);
  const margin = 8;
  const origin = lo.map((l) => l - margin) as unknown as Grid;
  const grid = hi.map((h, d) => h - lo[d]! + 1 + 2 * margin) as unknown as Grid;
  return {
    t1: padCropAt(t1.data, [x, y, z], grid, origin),
    mask: padCropAt(Float32Array.from(mask.data, (v) => (v > 0 ? 1 : 0)), [x, y, z], grid, origin),
    grid,
    spacing: t1.spacing,
    affine: multiplyAffine(t1.affine, translationAffine(origin)),
  };
}

/** Reads the head CT and preprocesses it as the headct dataset does with its defaults. */
async function readHeadCt(root: string): Promise<Brain> {
  const ct = await readNifti(`${root}/${REALBRAIN_FILES.ct}`);
  const grid = ct.shape.slice(0, 3) as unknown as Grid;
  const params = { spacingMm: 2, shape: [64, 96, 96], windowHU: [0, 80], foregroundHU: -500 } as const;
  const vol = preprocessHeadCt(ct.data, grid, ct.spacing, params, ct.path);
  return {
    t1: vol.image,
    mask: Float32Array.from(vol.foreground),
    grid: [params.shape[2], params.shape[1], params.shape[0]],
    spacing: [2, 2, 2],
    affine: multiplyAffine(ct.affine, vol.toSource),
  };
}

/** One augmented copy of the brain, normalised, with lesions on test and labelled cases: a volume [Z, Y, X]. */
function augment(brain: Brain, config: RealbrainConfig, id: string, split: AnySplit) {
  const rng = new Rng(`realbrain:${config.seed}:${id}`);
  const sym = (a: number) => rng.uniform(-a, a);
  const map = rigidScaleMap(
    brain.grid,
    brain.spacing,
    [sym(config.rotationDeg), sym(config.rotationDeg), sym(config.rotationDeg)],
    1 + sym(config.scale),
    [sym(config.translationMm), sym(config.translationMm), sym(config.translationMm)],
  );
  const t1 = sampleAffine(brain.t1, brain.grid, brain.grid, map);
  const fg = threshold(sampleAffine(brain.mask, brain.grid, brain.grid, map), 0.5);
  // Smooth bias: exp of a random linear + quadratic polynomial of the normalised coordinates.
  const gain = 1 + sym(config.intensity);
  const c = Array.from({ length: 6 }, () => sym(config.bias));
  const [gx, gy, gz] = brain.grid;
  for (let k = 0, i = 0; k < gz; k++) {
    const w = (2 * k) / (gz - 1) - 1;
    for (let j = 0; j < gy; j++) {
      const v = (2 * j) / (gy - 1) - 1;
      for (let a = 0; a < gx; a++, i++) {
        if (t1[i] === 0) continue;
        const u = (2 * a) / (gx - 1) - 1;
        t1[i] = t1[i]! * gain *
          Math.exp(c[0]! * u + c[1]! * v + c[2]! * w + c[3]! * u * v + c[4]! * v * w + c[5]! * u * u);
      }
    }
  }
  let image = normalisePercentile(t1, fg, config.percentile, `realbrain case ${id}`);
  let label: Uint8Array | undefined;
  let metadata: CaseMetadata | undefined;
  if (split === "test" || split === "labelled") {
    const spacing: [number, number, number] = [brain.spacing[2], brain.spacing[1], brain.spacing[0]];
    const out = addSphereLesions(image, [gz, gy, gx, 1], fg, spacing, rng.fork("lesions"), {
      count: config.lesionCount,
      diameterMm: config.lesionDiameterMm,
      factor: config.lesionFactor,
    });
    image = out.image;
    label = out.label;
    const voxels = label.reduce((s, v) => s + v, 0);
    const round = (x: number) => +x.toFixed(3);
    metadata = {
      lesionCount: out.lesions.length,
      lesionDiameterMm: round(Math.max(...out.lesions.map((l) => l.diameterMm))),
      lesionVolumeMl: round((voxels * spacing[0] * spacing[1] * spacing[2]) / 1000),
      lesionContrast: round(config.lesionFactor - 1),
    };
  }
  // The copy shows the brain at map·voxel, so its world affine is the brain's times map.
  return { image, fg, label, metadata, affine: multiplyAffine(brain.affine, map) };
}

function toCase3d(brain: Brain, vol: ReturnType<typeof augment>, id: string, size: number): Case {
  const side = Math.max(...brain.grid);
  const cube: Grid = [side, side, side];
  const resize = (v: Float32Array) =>
    resizeVolume(padCropCentre(v, brain.grid, cube), cube, [size, size, size]);
  const s = (brain.spacing[0] * side) / size;
  const origin = brain.grid.map((n) => Math.floor((n - side) / 2)) as unknown as Grid;
  const affine = [translationAffine(origin), resizeMap(cube, [size, size, size])].reduce(
    multiplyAffine,
    vol.affine,
  );
  return {
    id,
    shape: [size, size, size, 1],
    image: resize(vol.image),
    foreground: threshold(resize(Float32Array.from(vol.fg)), 0.5),
    ...(vol.label ? { label: threshold(resize(Float32Array.from(vol.label)), 0.5) } : {}),
    spacing: [s, s, s],
    affine,
    ...(vol.metadata ? { metadata: vol.metadata } : {}),
  };
}

function loader(dims: Dims) {
  return async (config: RealbrainConfig, options: DatasetOptions): Promise<Dataset> => {
    const id = dims === 2 ? "realbrain" : "realbrain3d";
    const root = options.dataRoot;
    if (!root) {
      throw new Error(
        `${id}: no data folder; pass --data ../shared/data/real (a folder holding ${REALBRAIN_FILES.t1} and ${REALBRAIN_FILES.mask})`,
      );
    }
    const ct = config.subject === "head-ct";
    const files = ct
      ? [`${root}/${REALBRAIN_FILES.ct}`]
      : [`${root}/${REALBRAIN_FILES.t1}`, `${root}/${REALBRAIN_FILES.mask}`];
    const sources = await fingerprintFiles(files, root, id);
    const preprocessing = { ...config, dims };
    const key = await preprocessingKey(id, preprocessing, sources, options.codeVersion);
    const ids = (split: string, n: number) =>
      Array.from(
        { length: n },
        (_, i) => `${ct ? "headct" : "colin27"}-${split}-${String(i).padStart(3, "0")}`,
      );
    const splits = {
      train: ids("train", config.trainCases),
      validation: ids("val", config.validationCases),
      test: ids("test", config.testCases),
    };
    const labelledIds = ids("labelled", config.labelledCases);
    let brain: Promise<Brain> | undefined;
    const build = async (caseId: string, split: AnySplit): Promise<Case> => {
      brain ??= ct ? readHeadCt(root) : readBrain(root);
      const b = await brain;
      const vol = augment(b, config, caseId, split);
      if (dims === 3) return toCase3d(b, vol, caseId, config.size);
      const slices = preprocessSlices(
        {
          id: caseId,
          channels: [vol.image],
          grid: b.grid,
          spacing: b.spacing,
          foreground: vol.fg,
          label: vol.label,
          name: caseId,
          normalised: true,
          affine: vol.affine,
        },
        { size: config.size, percentile: config.percentile, sliceThreshold: config.sliceThreshold },
        false,
      );
      return vol.metadata ? { ...slices, metadata: vol.metadata } : slices;
    };
    const store = await openCaseStore({ datasetId: id, key, splits, build, cacheDir: options.cacheDir });
    const labelled = lazyLabelledStore({
      datasetId: id,
      key,
      ids: labelledIds,
      build: (caseId) => build(caseId, "labelled"),
      ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    });
    const checked = (split: AnySplit) => {
      if (split === "labelled" && labelledIds.length === 0) {
        throw new Error(`dataset '${id}': split 'labelled' is empty (labelledCases is 0; raise it)`);
      }
      return split;
    };
    return {
      id,
      dims,
      channels: [ct ? "ct" : "t1"],
      preprocessingHash: key,
      preprocessing,
      hasLabelled: labelledIds.length > 0,
      ...splitAccess(store, labelled, checked),
      caseCount: (s) => (s === "labelled" ? labelledIds.length : store.count(s)),
    };
  };
}

/** realbrain: 2D axial slices of augmented copies of one real brain. */
export const realbrainDataset: DatasetDefinition<RealbrainConfig> = {
  id: "realbrain",
  description:
    "ONE real brain (Colin27 T1) augmented into patients, 2D slices; test = synthetic sphere lesions",
  dims: 2,
  source: "files",
  schema: realbrainSchema,
  load: loader(2),
};

/** realbrain3d: the same, as whole volumes resized to `size`³. */
export const realbrain3dDataset: DatasetDefinition<RealbrainConfig> = {
  id: "realbrain3d",
  description:
    "ONE real brain (Colin27 T1) augmented into patients, 3D volumes; test = synthetic sphere lesions",
  dims: 3,
  source: "files",
  schema: realbrainSchema,
  load: loader(3),
};
