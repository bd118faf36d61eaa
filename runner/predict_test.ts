/**
 * Predict's score maps land on the scan's own grid: a scan on a flipped, permuted, oblique grid (intensity a
 * linear function of world position) goes through folder3d's and 2D folder's preparation and a method whose
 * score is its first channel; every voxel of the map written must then carry, at its world point, the value
 * the source has there. The same check refuses two deliberately broken mappings.
 */
import assert from "node:assert/strict";
import { type Case, type MethodInstance, tf } from "../core/mod.ts";
import { parseConfig } from "../core/config.ts";
import {
  type Affine,
  invertAffine,
  multiplyAffine,
  type NiftiVolume,
  readNifti,
  translationAffine,
  writeNifti,
  writeNiftiLike,
} from "../core/nifti/mod.ts";
import { folder3dDataset, folderDataset } from "../plugins/folder/dataset.ts";
import { predictScans, type ScanModel } from "./predict.ts";
import { scoresOnScanGrid } from "./scan_grid.ts";
import { findScans, readScan } from "./scan_inputs.ts";

// i runs right-to-left (1.5 mm), j inferior-to-superior (2 mm), k posterior-to-anterior (1.2 mm), rotated 25°
// about the world z axis: the file's layout is far from RAS.
const GRID = [24, 14, 20] as const;
const T = (25 * Math.PI) / 180;
const SOURCE: Affine = [
  [-1.5 * Math.cos(T), 0, -1.2 * Math.sin(T), 40],
  [-1.5 * Math.sin(T), 0, 1.2 * Math.cos(T), -30],
  [0, 2, 0, 10],
  [0, 0, 0, 1],
];

/** The two channels as linear functions of world mm (trilinear resampling reproduces them exactly). */
const T1 = (p: readonly number[]) => 100 + 0.5 * p[0]! + 0.3 * p[1]! + 0.8 * p[2]!;
const T2 = (p: readonly number[]) => 200 - 0.4 * p[0]! + 0.6 * p[1]! + 0.2 * p[2]!;

const apply = (a: Affine, v: readonly number[]) =>
  [0, 1, 2].map((r) => a[r]![0]! * v[0]! + a[r]![1]! * v[1]! + a[r]![2]! * v[2]! + a[r]![3]!);

/**
 * Writes one scan's folder: `x_t1`, `x_t2` (0 on the `blank` inferior and superior j-slices), an ellipsoid
 * `x_foreground` and a `x_seg` annotation that must be left out.
 */
async function writeScan(dir: string, blank: readonly [number, number]): Promise<void> {
  const [x, y, z] = GRID;
  const t1 = new Float32Array(x * y * z), t2 = new Float32Array(x * y * z), fg = new Float32Array(x * y * z);
  for (let k = 0, n = 0; k < z; k++) {
    for (let j = 0; j < y; j++) {
      for (let i = 0; i < x; i++, n++) {
        const world = apply(SOURCE, [i, j, k]);
        const empty = j < blank[0] || j >= y - blank[1];
        t1[n] = empty ? 0 : T1(world);
        t2[n] = empty ? 0 : T2(world);
        fg[n] = ((i - 11.5) / 11) ** 2 + ((j - 6.5) / 7) ** 2 + ((k - 9.5) / 9) ** 2 < 1 ? 1 : 0;
      }
    }
  }
  await Deno.mkdir(dir, { recursive: true });
  await writeNifti(`${dir}/x_t1.nii.gz`, t1, GRID, { affine: SOURCE });
  await writeNifti(`${dir}/x_t2.nii.gz`, t2, GRID, { affine: SOURCE });
  await writeNifti(`${dir}/x_foreground.nii.gz`, fg, GRID, { affine: SOURCE, datatype: "uint8" });
  await writeNifti(`${dir}/x_seg.nii.gz`, fg, GRID, { affine: SOURCE, datatype: "uint8" });
}

/** A "trained" method whose score is the first channel inside the foreground. */
function firstChannel(): MethodInstance {
  return {
    train: () => Promise.resolve({ steps: 0 }),
    score: (b) =>
      Promise.resolve(tf.tidy(() => {
        const last = b.images.rank - 1;
        const size = b.images.shape.map((d, i) => (i === last ? 1 : d));
        const first = tf.slice(b.images, b.images.shape.map(() => 0), size);
        return tf.squeeze(tf.mul(first, b.foreground), [last]);
      })),
    save: () => Promise.resolve({ tensors: {} }),
    load: () => {},
    dispose: () => {},
  };
}

/**
 * Checks a score map written for `c` against the world: its header has the scan file's shape and affine, and
 * each voxel whose world point falls where the prepared map is exact (all eight prepared neighbours in the
 * foreground, unclipped, and resampled from inside the source) carries `truth(world)` up to one common scale;
 * voxels more than half a prepared voxel outside the prepared grid are 0. Returns how many voxels it checked.
 */
async function checkOnScanGrid(
  path: string,
  scanFile: string,
  c: Case,
  truth: (p: readonly number[]) => number,
  blank: readonly [number, number],
): Promise<number> {
  const [out, scan] = [await readNifti(path), await readNifti(scanFile)];
  assert.deepEqual(out.orientation.sourceShape, scan.orientation.sourceShape, "the scan file's shape");
  out.orientation.sourceAffine.forEach((row, r) =>
    row.forEach((x, k) =>
      assert.ok(Math.abs(x - scan.orientation.sourceAffine[r]![k]!) < 1e-4, `affine [${r}][${k}]`)
    )
  );
  const [d, h, w, ch] = c.shape;
  const toCase = invertAffine(c.affine!), toSource = invertAffine(SOURCE);
  const exact = (q: number[]) => {
    const [x, y, z] = q as [number, number, number];
    if (x < 0 || y < 0 || z < 0 || x >= w || y >= h || z >= d) return false;
    const at = x + w * (y + h * z);
    const src = apply(toSource, apply(c.affine!, q));
    return c.foreground[at] === 1 && c.image[at * ch]! < 0.98 &&
      src.every((s, a) => s >= 0 && s <= GRID[a]! - 1) && src[1]! >= blank[0] &&
      src[1]! <= GRID[1] - 1 - blank[1];
  };
  const ratios: number[] = [];
  let outside = 0;
  const [X, Y, Z] = out.shape as [number, number, number];
  for (let k = 0, n = 0; k < Z; k++) {
    for (let j = 0; j < Y; j++) {
      for (let i = 0; i < X; i++, n++) {
        const world = apply(out.affine, [i, j, k]);
        const p = apply(toCase, world);
        if (p.some((x, a) => x < -0.5 - 1e-6 || x > [w, h, d][a]! - 0.5 + 1e-6)) {
          assert.equal(out.data[n], 0, `voxel ${[i, j, k]} lies outside the prepared grid but scores`);
          outside++;
          continue;
        }
        const lo = p.map((x) => Math.floor(x + 1e-9));
        const corners = [0, 1, 2, 3, 4, 5, 6, 7].map((b) => lo.map((x, a) => x + ((b >> a) & 1)));
        if (!corners.every(exact)) continue;
        ratios.push(truth(world) / out.data[n]!);
      }
    }
  }
  assert.ok(ratios.length > 100, `only ${ratios.length} voxels checked`);
  const scale = ratios[0]!;
  const worst = Math.max(...ratios.map((r) => Math.abs(r / scale - 1)));
  assert.ok(worst < 1e-3, `scores disagree with the scan's world: relative error ${worst}`);
  return ratios.length + outside;
}

/** Predicts one scan folder with `def`, then checks the map written and two broken ones. */
async function roundTrip(
  def: typeof folderDataset,
  config: Record<string, unknown>,
  blank: readonly [number, number],
): Promise<void> {
  const root = await Deno.makeTempDir();
  try {
    await writeScan(`${root}/in/x`, blank);
    // The model's channel order (t2 first) differs from the files' alphabetical order.
    const channels = ["t2", "t1"];
    const found = await findScans(`${root}/in/x`, channels);
    assert.deepEqual(found.scans.map((s) => [s.id, s.files.map((f) => f.split("/").pop())]), [
      ["x", ["x_t2.nii.gz", "x_t1.nii.gz"]],
    ]);
    assert.equal(found.scans[0]!.foreground, `${root}/in/x/x_foreground.nii.gz`);
    assert.deepEqual(found.scans[0]!.ignored, [`${root}/in/x/x_seg.nii.gz`]);
    const parsed = parseConfig(def.schema, config, def.id);
    const shapes: (readonly number[])[] = [];
    const model: ScanModel = {
      dataset: { def: def as ScanModel["dataset"]["def"], config: parsed, channels },
      methodId: "first-channel",
      load: (shape) => (shapes.push(shape), Promise.resolve(firstChannel())),
    };
    const [result] = await predictScans(model, found.scans, `${root}/out`);
    assert.equal(result!.scores, "x.nii.gz");
    assert.deepEqual(result!.files, { t2: `${root}/in/x/x_t2.nii.gz`, t1: `${root}/in/x/x_t1.nii.gz` });
    assert.ok((await Deno.stat(`${root}/out/x.png`)).size > 100, "the overview is written");
    assert.ok(result!.scoreRange[0] === 0 && result!.scoreRange[1] > 0.5, `${result!.scoreRange}`);
    const scan = await readScan(found.scans[0]!, def.dims);
    const c = await def.prepareScan!(parsed as never, scan);
    assert.deepEqual(shapes, [def.dims === 2 ? c.shape.slice(1) : c.shape], "the model is made once");
    const file = `${root}/in/x/x_t2.nii.gz`;
    const checked = await checkOnScanGrid(`${root}/out/x.nii.gz`, file, c, T2, blank);
    assert.ok(checked > 0);

    // Broken: the prepared grid off by one voxel along its x axis.
    const values = Float32Array.from(c.foreground, (f, i) => f * c.image[i * c.shape[3]]!); // the scorer's map
    const shifted = { ...c, affine: multiplyAffine(c.affine!, translationAffine([1, 0, 0])) };
    const vol: NiftiVolume = scan.channels[0]!;
    await writeNiftiLike(`${root}/shifted.nii.gz`, scoresOnScanGrid(values, shifted, vol), vol);
    await assert.rejects(
      () => checkOnScanGrid(`${root}/shifted.nii.gz`, file, c, T2, blank),
      /disagree with the scan's world|outside the prepared grid but scores/,
    );
    // Broken: the map left in the canonical (RAS) layout but given the file's affine.
    const canonical = scoresOnScanGrid(values, c, vol);
    await writeNifti(`${root}/layout.nii.gz`, canonical, vol.shape, { affine: vol.orientation.sourceAffine });
    await assert.rejects(() => checkOnScanGrid(`${root}/layout.nii.gz`, file, c, T2, blank), /shape/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("predict (folder3d): a scan on an oblique grid gets its score map on that grid, aligned", async () => {
  await roundTrip(folder3dDataset, { size: 16 }, [0, 0]);
});

Deno.test("predict (2D folder): the stack of kept, resized slices maps back onto the scan's grid", async () => {
  // Empty bottom and top slices are not kept: their voxels score 0.
  await roundTrip(folderDataset, { size: 16, sliceThreshold: 0 }, [2, 1]);
});
