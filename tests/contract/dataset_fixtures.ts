/**
 * Tiny synthetic source folders for the datasets that read files, so that the Dataset contract test runs on
 * every registered dataset without real data: an ellipsoidal "brain" with a bright lesion where a case has one.
 * @module
 */
import { writeNifti } from "../../core/nifti/mod.ts";
import { type TreeScan, writeBidsTree } from "../../plugins/bids/test_tree.ts";

/** A dataset's config and data folder for the contract test. */
export interface Fixture {
  /** Config overrides (small sizes). */
  readonly config: Record<string, unknown>;
  /** Writes the source files into `root`. */
  write(root: string): Promise<void>;
}

const X = 24, Y = 20, Z = 12;
const AFFINE = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]];

/** A brain (value ≈ `level`) on zero background; with `lesion` a bright ball on slices 5–6 and its mask. */
function brain(level: number, lesion: boolean, seed: number): { image: Float32Array; mask: Float32Array } {
  const image = new Float32Array(X * Y * Z), mask = new Float32Array(X * Y * Z);
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++) {
        const i = x + X * (y + Y * z);
        const r = ((x - 11.5) / 10) ** 2 + ((y - 9.5) / 8) ** 2 + ((z - 5.5) / 5.5) ** 2;
        if (r < 1) image[i] = level * (1 + 0.1 * Math.sin(x + 2 * y + z + seed));
        if (lesion && r < 1 && z >= 5 && z <= 6 && Math.hypot(x - 12, y - 10) < 3) {
          image[i] = 3 * level;
          mask[i] = 1;
        }
      }
    }
  }
  return { image, mask };
}

/** A head CT in HU: air, a skull shell, brain at 40 HU; with `lesion` a 70 HU blob and its mask. */
function head(lesion: boolean): { hu: Float32Array; mask: Float32Array } {
  const hu = new Float32Array(X * Y * Z).fill(-1000), mask = new Float32Array(X * Y * Z);
  for (let z = 1; z < Z - 1; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++) {
        const i = x + X * (y + Y * z), r = Math.hypot(x - 11.5, y - 9.5);
        hu[i] = r < 7 ? 40 : r < 9 ? 1000 : -1000;
        if (lesion && z >= 4 && z <= 7 && Math.hypot(x - 11, y - 9) < 3) (hu[i] = 70), (mask[i] = 1);
      }
    }
  }
  return { hu, mask };
}

const write = (path: string, data: Float32Array, uint8 = false) =>
  writeNifti(path, data, [X, Y, Z], { affine: AFFINE, ...(uint8 ? { datatype: "uint8" as const } : {}) });

/**
 * A folder manifest: two channels; train a, b (2D: b with a lesion, whose slices are dropped), validation c,
 * test d (lesion), e, labelled f (a training patient's other scan), g.
 */
async function writeFolder(root: string, dims: 2 | 3): Promise<void> {
  const cases: Array<[string, string, boolean, string]> = [
    ["a", "train", false, "p1"],
    ["b", "train", dims === 2, "p2"],
    ["c", "validation", false, "p3"],
    ["d", "test", true, "p4"],
    ["e", "test", false, "p5"],
    ["f", "labelled", true, "p1"],
    ["g", "labelled", true, "p6"],
  ];
  const rows = [];
  for (const [n, [id, split, lesion, patient]] of cases.entries()) {
    const images = [];
    for (const [k, ch] of ["t1", "t2"].entries()) {
      await write(`${root}/${id}_${ch}.nii.gz`, brain(100 * (k + 1), lesion, n).image);
      images.push(`${id}_${ch}.nii.gz`);
    }
    if (lesion) await write(`${root}/${id}_seg.nii.gz`, brain(1, true, n).mask, true);
    rows.push({ id, split, images, patient, ...(lesion ? { mask: `${id}_seg.nii.gz` } : {}) });
  }
  await Deno.writeTextFile(`${root}/manifest.json`, JSON.stringify({ channels: ["t1", "t2"], cases: rows }));
}

/** One brain written under Colin27's file names; `config` sets the size (every split gets a few copies). */
function realbrain(config: Record<string, unknown>): Fixture {
  return {
    config: { trainCases: 2, validationCases: 1, testCases: 1, labelledCases: 2, ...config },
    async write(root) {
      const { image } = brain(120, false, 0);
      await write(`${root}/colin27_t1.nii.gz`, image);
      await write(`${root}/colin27_brainmask.nii.gz`, image.map((v) => (v > 0 ? 1 : 0)), true);
    },
  };
}

/** A BIDS tree: five healthy subjects and two with a lesion, two sites (seeded split). */
function bids(config: Record<string, unknown>): Fixture {
  const scans: TreeScan[] = [
    ...["a", "b", "c", "d", "e"].map((s, i) => ({
      subject: s,
      participant: { age: 30 + 9 * i, site: i % 2 ? "A" : "B" },
    })),
    { subject: "p", lesions: [{ centre: [12, 12, 6], radius: 3 }], participant: { age: 64, site: "A" } },
    { subject: "q", lesions: [{ centre: [10, 11, 5], radius: 2 }], participant: { age: 58, site: "B" } },
  ];
  return { config: { suffixes: ["FLAIR", "T1w"], ...config }, write: (root) => writeBidsTree(root, scans) };
}

/** The fixtures by dataset id. */
export const DATASET_FIXTURES: Readonly<Record<string, Fixture>> = {
  bids: bids({ size: 8 }),
  bids3d: bids({ size: 8 }),
  brats: {
    config: { size: 8, trainFraction: 0.5, validationFraction: 0.2, labelledFraction: 0.5 },
    async write(root) {
      for (let p = 0; p < 6; p++) {
        const id = `BraTS2021_0000${p}`;
        await Deno.mkdir(`${root}/${id}`);
        for (const [c, m] of ["flair", "t1", "t1ce", "t2"].entries()) {
          await write(`${root}/${id}/${id}_${m}.nii.gz`, brain(100 * (c + 1), true, p).image);
        }
        await write(`${root}/${id}/${id}_seg.nii.gz`, brain(1, true, p).mask.map((v) => 2 * v), true);
      }
    },
  },
  folder: { config: { size: 8 }, write: (root) => writeFolder(root, 2) },
  folder3d: { config: { size: 8 }, write: (root) => writeFolder(root, 3) },
  headct: {
    config: { shape: [8, 12, 12], trainFraction: 0.5, validationFraction: 0.25, labelledFraction: 0.5 },
    async write(root) {
      for (const id of ["h1", "h2", "h3", "h4"]) await write(`${root}/${id}.nii.gz`, head(false).hu);
      for (const id of ["m1", "m2", "m3"]) {
        const { hu, mask } = head(true);
        await write(`${root}/${id}.nii.gz`, hu);
        await write(`${root}/${id}_mask.nii.gz`, mask, true);
      }
    },
  },
  realbrain: realbrain({ size: 16 }),
  realbrain3d: realbrain({ size: 8, lesionDiameterMm: [8, 12] }),
};
