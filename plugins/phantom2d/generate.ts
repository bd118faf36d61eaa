/**
 * Generates one phantom subject as a Case: anatomy and lesions per slice, tissue contrasts, partial-volume
 * blur, bias field, Rician noise, skull stripping and BraTS-style normalisation.
 * @module
 */
import { createNoise3D } from "simplex-noise";
import type { AnySplit, Case, CaseMetadata } from "../../core/dataset.ts";
import { Rng } from "../../core/rng.ts";
import { pixelCentre, renderAnatomy, sampleAnatomy, Tissue } from "./anatomy.ts";
import { biasSlice, sampleBias } from "./bias.ts";
import { gaussianBlur } from "./blur.ts";
import type { Phantom2dConfig } from "./config.ts";
import { CHANNEL_COUNT, Compartment, sampleTissueContrast } from "./contrast.ts";
import { type Lesion, renderLesions, sampleLesions } from "./lesion.ts";
import { normaliseChannel } from "./normalise.ts";
import { rician } from "./rician.ts";

/** Millimetres per image unit (a 240 mm field of view spans [-1, 1]) and per axial level unit. */
const MM_PER_IMAGE_UNIT = 120;
const MM_PER_LEVEL = 60;

/** Number of subjects the config gives `split`. */
export function subjectCount(config: Phantom2dConfig, split: AnySplit): number {
  switch (split) {
    case "train":
      return config.trainSubjects;
    case "validation":
      return config.validationSubjects;
    case "test":
      return config.testSubjects + config.healthyTestSubjects;
    case "labelled":
      return config.labelledSubjects;
  }
}

/** Whether subjects of `split` carry lesions and labels: test subjects and the supervised methods' labelled ones. */
export function hasLesions(split: AnySplit): boolean {
  return split === "test" || split === "labelled";
}

/** The axial levels of a subject's slices, evenly spaced over `range` (its middle for one slice). */
export function sliceLevels(range: readonly [number, number], count: number): number[] {
  const [lo, hi] = range;
  if (count === 1) return [(lo + hi) / 2];
  return Array.from({ length: count }, (_, d) => lo + ((hi - lo) * d) / (count - 1));
}

/** The id of subject `index` of `split`, e.g. "test-003". */
export function caseId(split: AnySplit | "test-healthy", index: number): string {
  return `${split}-${String(index).padStart(3, "0")}`;
}

/** A generated subject: the Case and, for checks and figures, its tissue map. */
export interface Subject {
  /** The subject as the Dataset contract gives it. */
  readonly case: Case;
  /** {@linkcode Tissue} class per voxel before lesions, length D·H·W. */
  readonly tissue: Uint8Array;
}

/**
 * Generates subject `index` of `split`. Each subject has its own random stream derived from the seed, the
 * split and the index, so subjects do not depend on the subject counts or on each other, and the labelled
 * subjects are other subjects than the test ones. Test and labelled subjects get lesions; train and validation
 * subjects are healthy, and so are the test subjects after the first `testSubjects` (the healthy test
 * subjects, with a stream "test-healthy" of their own and an all-zero label). Lesioned subjects carry their
 * lesions' facts as metadata: `lesionCount` (lesions drawn), `lesionVolumeMl` (labelled voxels × voxel
 * volume) and `lesionContrast` (the primary lesion's core in FLAIR relative to white matter, before noise:
 * core / white − 1).
 *
 * @example
 * ```ts
 * import { parseConfig } from "../../core/config.ts";
 * import { phantom2dSchema } from "./config.ts";
 * import { generateSubject } from "./generate.ts";
 * const s = generateSubject(parseConfig(phantom2dSchema, { size: 32 }, "phantom2d"), "test", 0);
 * console.assert(s.case.shape.join() === "8,32,32,4" && s.case.label !== undefined);
 * ```
 */
export function generateSubject(config: Phantom2dConfig, split: AnySplit, index: number): Subject {
  const healthyTest = split === "test" && index >= config.testSubjects;
  const stream = healthyTest ? "test-healthy" : split;
  const at = healthyTest ? index - config.testSubjects : index;
  const rng = new Rng(`phantom2d/${config.seed}/${stream}/${at}`);
  const anatomy = sampleAnatomy(rng.fork("anatomy"));
  const contrast = sampleTissueContrast(rng.fork("contrast"));
  const biasRng = rng.fork("bias");
  const bias = Array.from({ length: CHANNEL_COUNT }, () => sampleBias(biasRng));
  const textureRng = rng.fork("texture");
  const texture = createNoise3D(() => textureRng.next());
  const lesions = hasLesions(split) && !healthyTest
    ? sampleLesions(rng.fork("lesions"), anatomy, config)
    : undefined;
  const noiseRng = rng.fork("noise");

  const size = config.size;
  const n = size * size;
  const levels = sliceLevels(config.axialRange, config.slicesPerSubject);
  const depth = levels.length;
  const planes = Array.from({ length: CHANNEL_COUNT }, () => new Float32Array(depth * n)); // [C][D, H, W]
  const brain = new Uint8Array(depth * n);
  const head = new Uint8Array(depth * n);
  const tissue = new Uint8Array(depth * n);
  const label = lesions || healthyTest ? new Uint8Array(depth * n) : undefined;

  levels.forEach((level, d) => {
    const anat = renderAnatomy(anatomy, level, size);
    brain.set(anat.brain, d * n);
    head.set(anat.head, d * n);
    tissue.set(anat.tissue, d * n);
    const les = lesions && renderLesions(lesions, level, size, anat.brain);
    for (let p = 0; p < n; p++) {
      const t = anat.tissue[p]!;
      if (t === Tissue.air) continue;
      const code = les ? les.compartment[p]! : 0;
      let table = contrast;
      let row = t;
      let gain = 1;
      if (code > 0) {
        table = lesions!.lesions[les!.owner[p]!]!.contrast;
        row = code;
        gain = les!.texture[p]!;
      } else if (t === Tissue.grey || t === Tissue.white) {
        // Mild tissue texture at two scales (about 20 mm and 8 mm), shared by the channels.
        const x = pixelCentre(p % size, size);
        const y = pixelCentre(Math.floor(p / size), size);
        gain = 1 + 0.03 * texture(6 * x, 6 * y, 3 * level) + 0.015 * texture(15 * x, 15 * y, 8 * level + 50);
      }
      for (let c = 0; c < CHANNEL_COUNT; c++) {
        planes[c]![d * n + p] = table[row * CHANNEL_COUNT + c]! * gain;
      }
      if (label && code > 0) label[d * n + p] = 1;
    }
  });

  const foreground = config.skullStrip ? brain : head;
  const coordinate = (i: number) => pixelCentre(i, size);
  const scratch = new Float32Array(n);
  planes.forEach((plane, c) => {
    for (let d = 0; d < depth; d++) {
      gaussianBlur(plane, d * n, size, config.partialVolumeSigma, scratch);
      const { columns, rows } = biasSlice(bias[c]!, config.biasStrength, levels[d]!, size, coordinate);
      for (let p = 0; p < n; p++) {
        const q = d * n + p;
        if (config.skullStrip && !brain[q]) continue;
        const value = plane[q]! * rows[Math.floor(p / size)]! * columns[p % size]!;
        plane[q] = rician(value, config.noiseStd, noiseRng);
      }
    }
    normaliseChannel(plane, foreground, config.skullStrip);
  });

  const image = new Float32Array(depth * n * CHANNEL_COUNT); // [D, H, W, C]
  for (let q = 0; q < depth * n; q++) {
    for (let c = 0; c < CHANNEL_COUNT; c++) image[q * CHANNEL_COUNT + c] = planes[c]![q]!;
  }
  const inPlane = (2 * MM_PER_IMAGE_UNIT) / size;
  const gap = depth > 1 ? levels[1]! - levels[0]! : config.axialRange[1] - config.axialRange[0];
  const spacing = [gap * MM_PER_LEVEL, inPlane, inPlane] as const;
  const subject: Case = {
    id: caseId(stream, at),
    shape: [depth, size, size, CHANNEL_COUNT],
    image,
    foreground,
    ...(label ? { label } : {}),
    spacing,
    ...(lesions && label ? { metadata: lesionFacts(lesions.lesions, contrast, label, spacing) } : {}),
  };
  return { case: subject, tissue };
}

/** A lesioned subject's metadata: lesions drawn, labelled volume, and the primary's FLAIR contrast. */
function lesionFacts(
  lesions: readonly Lesion[],
  tissue: Float32Array,
  label: Uint8Array,
  spacing: readonly [number, number, number],
): CaseMetadata {
  const voxels = label.reduce((s, v) => s + v, 0);
  const flair = (table: Float32Array, row: number) => table[row * CHANNEL_COUNT]!; // channel 0
  const round = (x: number, digits: number) => +x.toFixed(digits);
  return {
    lesionCount: lesions.length,
    lesionVolumeMl: round((voxels * spacing[0] * spacing[1] * spacing[2]) / 1000, 3),
    lesionContrast: round(flair(lesions[0]!.contrast, Compartment.core) / flair(tissue, Tissue.white) - 1, 3),
  };
}

/** Generates subject `index` of `split` as a Case (see {@linkcode generateSubject}). */
export function generateCase(config: Phantom2dConfig, split: AnySplit, index: number): Case {
  return generateSubject(config, split, index).case;
}
