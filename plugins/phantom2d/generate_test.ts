import assert from "node:assert/strict";
import { parseConfig } from "../../core/config.ts";
import type { Case, Split } from "../../core/dataset.ts";
import { Tissue } from "./anatomy.ts";
import { type Phantom2dConfig, phantom2dSchema } from "./config.ts";
import { CHANNELS } from "./contrast.ts";
import { generateCase, generateSubject, type Subject, subjectCount } from "./generate.ts";

const config = (input: Record<string, unknown> = {}): Phantom2dConfig =>
  parseConfig(phantom2dSchema, input, "phantom2d");

const DEFAULT = config();
const FLAIR = CHANNELS.indexOf("flair");
const T1 = CHANNELS.indexOf("t1");
const T1CE = CHANNELS.indexOf("t1ce");
const T2 = CHANNELS.indexOf("t2");

const subjects = new Map<Split, Subject[]>();
/** All subjects of a split of the default config, generated once per file. */
function all(split: Split): Subject[] {
  let list = subjects.get(split);
  if (!list) {
    list = Array.from({ length: subjectCount(DEFAULT, split) }, (_, i) => generateSubject(DEFAULT, split, i));
    subjects.set(split, list);
  }
  return list;
}

/** Mean of channel `c` over voxels where `keep(voxel)` holds, across subjects. */
function channelMean(list: Subject[], c: number, keep: (s: Subject, q: number) => boolean): number {
  let sum = 0;
  let count = 0;
  for (const s of list) {
    const channels = s.case.shape[3];
    for (let q = 0; q < s.case.foreground.length; q++) {
      if (keep(s, q)) {
        sum += s.case.image[q * channels + c]!;
        count++;
      }
    }
  }
  assert.ok(count > 0, "no voxels selected");
  return sum / count;
}

const healthyTissue = (t: number) => (s: Subject, q: number) =>
  s.tissue[q] === t && s.case.foreground[q] === 1 && !s.case.label?.[q];

Deno.test("cases have the contract's shapes, ids and value ranges", () => {
  for (const split of ["train", "validation", "test"] as const) {
    const list = all(split);
    assert.equal(list.length, { train: 48, validation: 4, test: 12 }[split]);
    list.forEach((s, i) => {
      const c = s.case;
      assert.equal(c.id, `${split}-${String(i).padStart(3, "0")}`);
      assert.deepEqual(c.shape, [8, 64, 64, 4]);
      assert.equal(c.image.length, 8 * 64 * 64 * 4);
      assert.equal(c.foreground.length, 8 * 64 * 64);
      assert.equal(c.label === undefined, split !== "test");
      let [lo, hi] = [Infinity, -Infinity];
      for (const value of c.image) [lo, hi] = [Math.min(lo, value), Math.max(hi, value)];
      assert.ok(lo === 0 && hi === 1, `${c.id}: values span [${lo}, ${hi}]`);
      assert.ok(c.foreground.every((m) => m === 0 || m === 1));
    });
  }
});

Deno.test("skull-stripped images are zero outside the brain and above the paper's threshold inside", () => {
  for (const s of [...all("train").slice(0, 8), ...all("test")]) {
    const { image, foreground } = s.case;
    for (let q = 0; q < foreground.length; q++) {
      const sum = image[4 * q]! + image[4 * q + 1]! + image[4 * q + 2]! + image[4 * q + 3]!;
      if (foreground[q]) assert.ok(sum > 0.01, `${s.case.id} voxel ${q}: channel sum ${sum}`);
      else assert.equal(sum, 0);
      if (!foreground[q]) assert.notEqual(s.tissue[q], Tissue.white);
    }
  }
});

Deno.test("each channel's foreground 99th percentile is 1 after normalisation", () => {
  for (const s of all("validation")) {
    for (let c = 0; c < 4; c++) {
      const values: number[] = [];
      for (let q = 0; q < s.case.foreground.length; q++) {
        if (s.case.foreground[q]) values.push(s.case.image[4 * q + c]!);
      }
      values.sort((a, b) => a - b);
      const atOrAboveOne = values.filter((v) => v >= 1).length / values.length;
      assert.ok(
        atOrAboveOne > 0.005 && atOrAboveOne <= 0.011,
        `${s.case.id} ${CHANNELS[c]}: ${atOrAboveOne}`,
      );
    }
  }
});

Deno.test("labels lie inside the foreground, and 60–80% of test slices have lesion voxels", () => {
  let withLesion = 0;
  let slices = 0;
  let smallest = Infinity;
  let largest = 0;
  for (const { case: c } of all("test")) {
    const [depth, h, w] = c.shape;
    for (let d = 0; d < depth; d++) {
      let area = 0;
      for (let p = d * h * w; p < (d + 1) * h * w; p++) {
        if (c.label![p]) {
          assert.equal(c.foreground[p], 1, `${c.id}: label outside the foreground`);
          area++;
        }
      }
      slices++;
      if (area > 0) {
        withLesion++;
        smallest = Math.min(smallest, area);
        largest = Math.max(largest, area);
      }
    }
  }
  const fraction = withLesion / slices;
  assert.ok(fraction >= 0.6 && fraction <= 0.8, `lesion slice fraction ${fraction}`);
  assert.ok(smallest <= 5, `smallest lesion cross-section ${smallest} px`);
  assert.ok(largest >= 100, `largest lesion cross-section ${largest} px`);
});

Deno.test("tissue contrasts follow FLAIR, T1, T1ce and T2 orderings", () => {
  const list = all("validation");
  const mean = (c: number, t: number) => channelMean(list, c, healthyTissue(t));
  assert.ok(mean(FLAIR, Tissue.csf) < mean(FLAIR, Tissue.white));
  assert.ok(mean(FLAIR, Tissue.white) < mean(FLAIR, Tissue.grey));
  assert.ok(mean(T1, Tissue.csf) < mean(T1, Tissue.grey));
  assert.ok(mean(T1, Tissue.grey) < mean(T1, Tissue.white));
  assert.ok(mean(T2, Tissue.white) < mean(T2, Tissue.grey));
  assert.ok(mean(T2, Tissue.grey) < mean(T2, Tissue.csf));
  // Contrast agent: vessels and choroid plexus are brighter with it than without.
  assert.ok(mean(T1, Tissue.choroid) + 0.1 < mean(T1CE, Tissue.choroid));
  assert.ok(mean(T1, Tissue.vessel) + 0.1 < mean(T1CE, Tissue.vessel));
});

Deno.test("lesions are hyperintense in FLAIR and T2 and hypointense in T1", () => {
  const list = all("test");
  const lesion = (s: Subject, q: number) => s.case.label![q] === 1;
  const normal = (s: Subject, q: number) => s.case.foreground[q] === 1 && s.case.label![q] === 0;
  const parenchyma = (s: Subject, q: number) =>
    normal(s, q) && (s.tissue[q] === Tissue.white || s.tissue[q] === Tissue.grey);
  assert.ok(channelMean(list, FLAIR, lesion) > channelMean(list, FLAIR, normal) + 0.1);
  assert.ok(channelMean(list, FLAIR, lesion) > channelMean(list, FLAIR, parenchyma));
  assert.ok(channelMean(list, T2, lesion) > channelMean(list, T2, parenchyma));
  assert.ok(channelMean(list, T1, lesion) < channelMean(list, T1, parenchyma));
});

Deno.test("subjects differ from each other, and a subject's neighbouring slices are alike", () => {
  const [a, b] = all("train") as [Subject, Subject];
  const differing = a.case.foreground.filter((m, q) => m !== b.case.foreground[q]).length;
  assert.ok(differing > 100, `only ${differing} foreground voxels differ`);
  const n = 64 * 64;
  const sliceChange = (c: Case, d: number) => {
    let changed = 0;
    for (let p = 0; p < n; p++) if (c.foreground[d * n + p] !== c.foreground[(d + 1) * n + p]) changed++;
    return changed;
  };
  // Brain outlines move little between adjacent levels compared with between subjects.
  for (let d = 0; d < 7; d++) assert.ok(sliceChange(a.case, d) < differing / 2);
});

Deno.test("train and validation subjects are distinct streams and healthy", () => {
  const train0 = all("train")[0]!.case;
  const validation0 = all("validation")[0]!.case;
  assert.notDeepEqual(train0.foreground, validation0.foreground);
  for (const s of [...all("train"), ...all("validation")]) assert.equal(s.case.label, undefined);
});

Deno.test("the same config gives bit-identical arrays; another seed does not", () => {
  for (const split of ["train", "test"] as const) {
    const again = generateCase(DEFAULT, split, 2);
    const first = all(split)[2]!.case;
    assert.deepEqual(again.image, first.image);
    assert.deepEqual(again.foreground, first.foreground);
    assert.deepEqual(again.label, first.label);
  }
  const other = generateCase(config({ seed: 1 }), "train", 2);
  assert.notDeepEqual(other.image, all("train")[2]!.case.image);
});

Deno.test("subjects do not depend on the subject counts", () => {
  const fewer = generateCase(config({ trainSubjects: 3, testSubjects: 1 }), "test", 0);
  assert.deepEqual(fewer.image, all("test")[0]!.case.image);
});

Deno.test("without skull stripping the head is the foreground and labels stay in the brain", () => {
  const cfg = config({ skullStrip: false, size: 48, slicesPerSubject: 4 });
  const stripped = generateCase(config({ size: 48, slicesPerSubject: 4 }), "test", 1);
  const head = generateCase(cfg, "test", 1);
  let extra = 0;
  for (let q = 0; q < head.foreground.length; q++) {
    if (stripped.foreground[q]) assert.equal(head.foreground[q], 1);
    else if (head.foreground[q]) extra++;
    if (head.label![q]) assert.equal(stripped.foreground[q], 1);
  }
  assert.ok(extra > 0, "the scalp and skull should add foreground");
  assert.deepEqual(head.label, stripped.label);
});

Deno.test("small and large sizes and a single slice work", () => {
  const tiny = generateCase(config({ size: 16, slicesPerSubject: 1 }), "test", 0);
  assert.deepEqual(tiny.shape, [1, 16, 16, 4]);
  assert.ok(tiny.foreground.some((m) => m === 1));
  const big = generateCase(config({ size: 96, slicesPerSubject: 2 }), "train", 0);
  assert.deepEqual(big.shape, [2, 96, 96, 4]);
  assert.deepEqual(big.spacing, [48, 2.5, 2.5]);
});

Deno.test("healthy test subjects come after the lesion subjects, which they leave unchanged; lesion facts are metadata", () => {
  const small = { size: 32, testSubjects: 2, slicesPerSubject: 4 };
  const without = config(small);
  const withHealthy = config({ ...small, healthyTestSubjects: 2 });
  assert.equal(subjectCount(without, "test"), 2);
  assert.equal(subjectCount(withHealthy, "test"), 4);
  for (let i = 0; i < 2; i++) {
    const a = generateCase(without, "test", i), b = generateCase(withHealthy, "test", i);
    assert.equal(a.id, b.id);
    assert.deepEqual(a.image, b.image, "lesion subjects do not move");
  }
  const healthy = [2, 3].map((i) => generateCase(withHealthy, "test", i));
  assert.deepEqual(healthy.map((c) => c.id), ["test-healthy-000", "test-healthy-001"]);
  for (const c of healthy) {
    assert.ok(c.label && c.label.length === c.foreground.length && c.label.every((v) => v === 0));
    assert.equal(c.metadata, undefined);
  }
  assert.notDeepEqual(healthy[0]!.image, generateCase(withHealthy, "test", 0).image);
  const lesioned = generateCase(withHealthy, "test", 0);
  const [sz, sy, sx] = lesioned.spacing!;
  const voxels = lesioned.label!.reduce((s, v) => s + v, 0);
  const m = lesioned.metadata!;
  assert.ok(Number.isInteger(m.lesionCount) && (m.lesionCount as number) >= 1);
  assert.ok(Math.abs((m.lesionVolumeMl as number) - (voxels * sz * sy * sx) / 1000) < 1e-3);
  assert.ok((m.lesionContrast as number) > 0, "lesion cores are brighter than white matter in FLAIR");
  assert.equal(generateCase(withHealthy, "train", 0).metadata, undefined);
});
