/**
 * Intensities of tissues and lesion compartments in the four MR-like channels, before bias, noise and
 * normalisation. The scale puts CSF in T2 at 1; relative orderings follow clinical brain MRI:
 * FLAIR: CSF dark, WM < GM, lesions and oedema bright; T1: WM > GM > CSF, tumour dark; T1ce: T1 plus bright
 * vessels, choroid plexus and (some) ring-enhancing tumour rims; T2: CSF brightest, WM < GM, lesions bright.
 * @module
 */
import type { Rng } from "../../core/rng.ts";
import { TISSUE_COUNT } from "./anatomy.ts";

/** Channel names, in the order of the last image axis. */
export const CHANNELS = ["flair", "t1", "t1ce", "t2"] as const;

/** Number of channels. */
export const CHANNEL_COUNT = 4;

/** Lesion compartments; 0 means no lesion. */
export const Compartment = { none: 0, oedema: 1, core: 2, rim: 3, necrosis: 4 } as const;

/** Number of compartment codes, including `none`. */
export const COMPARTMENT_COUNT = 5;

type Quad = readonly [number, number, number, number];

// Rows follow Tissue: air, scalp, bone, csf, grey, white, vessel, choroid. Columns: flair, t1, t1ce, t2.
const TISSUE_BASE: readonly Quad[] = [
  [0, 0, 0, 0],
  [0.55, 0.95, 0.95, 0.65], // scalp fat
  [0.05, 0.05, 0.05, 0.05], // cortical bone
  [0.07, 0.15, 0.17, 1.0],
  [0.62, 0.5, 0.53, 0.58],
  [0.48, 0.74, 0.75, 0.42],
  [0.2, 0.35, 1.0, 0.2], // flow void except with contrast agent
  [0.45, 0.45, 0.95, 0.7],
];

/**
 * One subject's tissue intensities, [TISSUE_COUNT, CHANNEL_COUNT] row-major: the base table with a few
 * percent of independent jitter per tissue and channel (scanner and subject differences).
 */
export function sampleTissueContrast(rng: Rng): Float32Array {
  const table = new Float32Array(TISSUE_COUNT * CHANNEL_COUNT);
  for (let t = 0; t < TISSUE_COUNT; t++) {
    for (let c = 0; c < CHANNEL_COUNT; c++) {
      table[t * CHANNEL_COUNT + c] = TISSUE_BASE[t]![c]! * (1 + 0.04 * rng.normal());
    }
  }
  return table;
}

/**
 * One lesion's compartment intensities, [COMPARTMENT_COUNT, CHANNEL_COUNT] row-major (row 0 unused).
 * Levels vary per lesion so that some are subtle (FLAIR just above grey matter) and some obvious.
 */
export function sampleLesionContrast(rng: Rng): Float32Array {
  const table = new Float32Array(COMPARTMENT_COUNT * CHANNEL_COUNT);
  const set = (k: number, q: Quad) => table.set(q, k * CHANNEL_COUNT);
  const oedemaT1 = rng.uniform(0.52, 0.66);
  set(Compartment.oedema, [
    rng.uniform(0.68, 0.9),
    oedemaT1,
    oedemaT1 + rng.uniform(0, 0.03),
    rng.uniform(0.68, 0.88),
  ]);
  const coreFlair = rng.uniform(0.66, 0.95);
  const coreT1 = rng.uniform(0.36, 0.55);
  const coreT2 = rng.uniform(0.62, 0.88);
  // Without a ring, the solid core enhances anywhere from not at all to strongly.
  set(Compartment.core, [coreFlair, coreT1, coreT1 + rng.uniform(0, 0.3), coreT2]);
  set(Compartment.rim, [coreFlair, coreT1, rng.uniform(0.85, 1.1), coreT2]);
  const necrosisT1 = rng.uniform(0.18, 0.3);
  set(Compartment.necrosis, [
    rng.uniform(0.35, 0.6),
    necrosisT1,
    necrosisT1 + rng.uniform(0, 0.04),
    rng.uniform(0.85, 1.0),
  ]);
  return table;
}
