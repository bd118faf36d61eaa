/**
 * The headct dataset (3D): CT volumes in HU from a folder (`*.nii[.gz]`, each with an optional
 * `<name>_mask.nii[.gz]` beside it) or a manifest, preprocessed by {@linkcode preprocessHeadCt}. Volumes
 * with a mask are test cases; the others are split by seed, and healthy test volumes get synthetic lesions.
 * @module
 */
import { join } from "node:path";
import { fingerprintFiles, openCaseStore, preprocessingKey } from "../../core/cache/mod.ts";
import type { Case, Dataset, DatasetDefinition, DatasetOptions, Split } from "../../core/dataset.ts";
import { requireCases, standardSplit } from "../../core/dataset.ts";
import { addSphereLesions } from "../../core/lesions/mod.ts";
import { assertSameGrid, multiplyAffine, readNifti } from "../../core/nifti/mod.ts";
import { preprocessHeadCt } from "../../core/preprocess/head_ct.ts";
import { readManifest } from "../../core/preprocess/manifest.ts";
import { splitPatients } from "../../core/preprocess/split.ts";
import { Rng } from "../../core/rng.ts";
import { type HeadctConfig, headctSchema } from "./config.ts";

interface Entry {
  readonly id: string;
  readonly image: string;
  readonly mask?: string;
  split?: Split;
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

async function entries(
  root: string,
  config: HeadctConfig,
): Promise<{ list: Entry[]; splits: Record<Split, string[]>; emptyWhy: (split: Split) => string }> {
  if (config.manifest) {
    const m = await readManifest(join(root, config.manifest));
    if (m.channels.length !== 1) {
      throw new Error(`${m.path}: headct takes one channel (CT), the manifest has ${m.channels.length}`);
    }
    const list = m.cases.map((c) => ({
      id: c.id,
      image: c.images[0]!,
      split: c.split,
      ...(c.mask ? { mask: c.mask } : {}),
    }));
    const by = (s: Split) => list.filter((e) => e.split === s).map((e) => e.id);
    const splits = { train: by("train"), validation: by("validation"), test: by("test") };
    return { list, splits, emptyWhy: (s) => `${m.path} has no case with split '${s}'; add one` };
  }
  const list = await scanFolder(root);
  const unmasked = list.filter((e) => !e.mask).map((e) => e.id);
  const healthy = splitPatients(unmasked, config.seed, [config.trainFraction, config.validationFraction]);
  const splits = { ...healthy, test: [...healthy.test, ...list.filter((e) => e.mask).map((e) => e.id)] };
  const emptyWhy = (s: Split) =>
    s === "test"
      ? `${root} has no volume with a _mask file, and trainFraction ${config.trainFraction} and ` +
        `validationFraction ${config.validationFraction} leave none of its ${unmasked.length} volume(s) for ` +
        `testing; lower them or add volumes`
      : `${unmasked.length} volume(s) without a mask in ${root} × ${s}Fraction ${
        config[`${s}Fraction`]
      } rounds ` +
        `to 0; raise it or add volumes`;
  return { list, splits, emptyWhy };
}

async function load(config: HeadctConfig, options: DatasetOptions): Promise<Dataset> {
  const root = options.dataRoot;
  if (!root) {
    throw new Error("headct: no data folder; pass --data /path/to/ct/folder (e.g. ../shared/data/real)");
  }
  const { list, splits, emptyWhy } = await entries(root, config);
  const byId = new Map(list.map((e) => [e.id, e]));
  const files = list.flatMap((e) => (e.mask ? [e.image, e.mask] : [e.image]));
  const sources = await fingerprintFiles(
    files,
    root,
    config.manifest ? join(root, config.manifest) : `headct folder ${root}`,
  );
  const preprocessing = { ...config, channels: ["ct"] };
  const key = await preprocessingKey("headct", preprocessing, sources, options.codeVersion);
  const build = async (id: string, split: Split): Promise<Case> => {
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
    return {
      id,
      shape,
      image,
      foreground: vol.foreground,
      ...(split === "test" ? { label } : {}),
      spacing: [s, s, s],
      affine: multiplyAffine(ct.affine, vol.toSource),
    };
  };
  const store = await openCaseStore({ datasetId: "headct", key, splits, build, cacheDir: options.cacheDir });
  return {
    id: "headct",
    dims: 3,
    channels: ["ct"],
    preprocessingHash: key,
    preprocessing,
    cases: (sp) => {
      const split = standardSplit("headct", sp);
      requireCases("headct", split, splits[split], () => emptyWhy(split));
      return store.cases(split);
    },
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
};
