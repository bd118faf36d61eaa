/**
 * Tumour-like lesions for test subjects: irregular 3D blobs (unions of anisotropic Gaussians with a
 * noise-perturbed border) spanning neighbouring slices, with oedema, solid core, enhancing rim and
 * necrosis compartments like BraTS's sub-regions.
 * @module
 */
import { createNoise3D, type NoiseFunction3D } from "simplex-noise";
import type { Rng } from "../../core/rng.ts";
import { type Anatomy, fromElliptic, headFrame, LEVEL_TO_IMAGE, pixelCentre } from "./anatomy.ts";
import { Compartment, sampleLesionContrast } from "./contrast.ts";

/** One Gaussian of a lesion's field, in image units (z is the level times {@linkcode LEVEL_TO_IMAGE}). */
export interface Blob {
  /** Centre x. */
  readonly x: number;
  /** Centre y. */
  readonly y: number;
  /** Centre z (level × LEVEL_TO_IMAGE). */
  readonly z: number;
  /** Reciprocal radii along the blob's rotated x, y and along z. */
  readonly inv: readonly [number, number, number];
  /** Cosine of the in-plane rotation. */
  readonly cos: number;
  /** Sine of the in-plane rotation. */
  readonly sin: number;
  /** Height of this Gaussian in the lesion's field. */
  readonly weight: number;
}

/** One lesion: its field, compartment borders and intensities. */
export interface Lesion {
  /** The Gaussians whose sum is the lesion's field. */
  readonly blobs: readonly Blob[];
  /** Core radius of the main blob, image units. */
  readonly radius: number;
  /** Oedema border as a multiple of the core border (1: no oedema). */
  readonly oedema: number;
  /** Necrotic centre as a fraction of the core border; 0 for lesions without a ring. */
  readonly necrosis: number;
  /** Compartment intensities from {@linkcode sampleLesionContrast}. */
  readonly contrast: Float32Array;
  /** Offset of this lesion into the shared noise, so lesions differ in texture. */
  readonly noiseOffset: number;
}

/** What lesions are drawn from: the subject's anatomy and the config's lesion settings. */
export interface LesionSettings {
  /** Levels where lesion centres may lie. */
  readonly axialRange: readonly [number, number];
  /** Largest number of lesions per subject. */
  readonly maxLesions: number;
  /** Core diameter range as a fraction of the brain width. */
  readonly lesionSize: readonly [number, number];
  /** Chance that a primary tumour has oedema. */
  readonly oedemaProbability: number;
  /** Chance that a primary tumour has a ring-enhancing rim and necrosis. */
  readonly ringEnhancementProbability: number;
}

/** The lesions of one subject plus the noise that shapes their borders and texture. */
export interface LesionSet {
  /** The lesions; the first is the primary tumour. */
  readonly lesions: readonly Lesion[];
  /** Seeded simplex noise for border irregularity and texture. */
  readonly noise: NoiseFunction3D;
}

/** One slice's lesions, each array H·W. */
export interface SliceLesions {
  /** {@linkcode Compartment} code per pixel, 0 outside lesions and outside the brain. */
  readonly compartment: Uint8Array;
  /** Index of the lesion that owns each lesion pixel. */
  readonly owner: Uint8Array;
  /** Multiplicative intensity texture for lesion pixels (1 elsewhere). */
  readonly texture: Float32Array;
}

const logUniform = (rng: Rng, lo: number, hi: number) => Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));

/** Strength of the noise that makes lesion borders irregular (in log-field units). */
const IRREGULARITY = 0.3;

/**
 * Draws 1 to `maxLesions` lesions for one subject: a primary tumour (core diameter in the upper half, on a
 * log scale, of `lesionSize`, optional oedema and ring enhancement) and smaller satellites (lower half, solid,
 * no oedema). Centres lie well inside the brain at levels within the slices' range.
 */
export function sampleLesions(rng: Rng, anatomy: Anatomy, settings: LesionSettings): LesionSet {
  const [lo, hi] = settings.lesionSize;
  const mid = Math.sqrt(lo * hi);
  const count = 1 + rng.int(settings.maxLesions);
  const lesions: Lesion[] = [];
  for (let k = 0; k < count; k++) {
    const primary = k === 0;
    const level = rng.uniform(settings.axialRange[0], settings.axialRange[1]);
    const frame = headFrame(anatomy, level);
    const rho = frame.brainRadius * (primary ? 0.6 : 0.8) * Math.sqrt(rng.next());
    const angle = rng.uniform(-Math.PI, Math.PI);
    const [x, y] = fromElliptic(frame, rho * Math.cos(angle), rho * Math.sin(angle));
    const brainWidth = 2 * frame.a * frame.brainRadius;
    const radius = 0.5 * brainWidth * (primary ? logUniform(rng, mid, hi) : logUniform(rng, lo, mid));
    const blob = (bx: number, by: number, bz: number, r: number, weight: number): Blob => {
      const rot = rng.uniform(0, Math.PI);
      return {
        x: bx,
        y: by,
        z: bz,
        inv: [
          1 / (r * rng.uniform(0.8, 1.2)),
          1 / (r * rng.uniform(0.8, 1.2)),
          1 / (r * rng.uniform(0.7, 1.2)),
        ],
        cos: Math.cos(rot),
        sin: Math.sin(rot),
        weight,
      };
    };
    const z = level * LEVEL_TO_IMAGE;
    const blobs = [blob(x, y, z, radius, 1)];
    const extra = primary ? rng.int(4) : rng.int(2);
    for (let e = 0; e < extra; e++) {
      const s = 0.5 * radius;
      blobs.push(
        blob(
          x + s * rng.normal(),
          y + s * rng.normal(),
          z + s * rng.normal(),
          radius * rng.uniform(0.35, 0.7),
          rng.uniform(0.7, 1),
        ),
      );
    }
    const oedema = primary && rng.next() < settings.oedemaProbability ? rng.uniform(1.3, 2.2) : 1;
    const necrosis = primary && rng.next() < settings.ringEnhancementProbability
      ? rng.uniform(0.45, 0.65)
      : 0;
    lesions.push({
      blobs,
      radius,
      oedema,
      necrosis,
      contrast: sampleLesionContrast(rng),
      noiseOffset: rng.uniform(0, 1000),
    });
  }
  return { lesions, noise: createNoise3D(() => rng.next()) };
}

/** Log of a Gaussian field value at `d` radii: the level set at `d` marks a border. */
const border = (d: number) => -0.5 * d * d;

/**
 * Rasterises the lesions at `level` on a `size` grid, keeping only pixels inside `brain`. Where lesions
 * overlap, the higher compartment code wins.
 */
export function renderLesions(set: LesionSet, level: number, size: number, brain: Uint8Array): SliceLesions {
  const n = size * size;
  const compartment = new Uint8Array(n);
  const owner = new Uint8Array(n);
  const texture = new Float32Array(n).fill(1);
  const z = level * LEVEL_TO_IMAGE;
  set.lesions.forEach((lesion, index) => {
    const outer = border(lesion.oedema) - IRREGULARITY;
    const scale = 1.5 / lesion.radius;
    for (let i = 0; i < size; i++) {
      const y = pixelCentre(i, size);
      for (let j = 0; j < size; j++) {
        const p = i * size + j;
        if (!brain[p]) continue;
        const x = pixelCentre(j, size);
        let field = 0;
        for (const b of lesion.blobs) {
          const dx = x - b.x;
          const dy = y - b.y;
          const du = (b.cos * dx + b.sin * dy) * b.inv[0];
          const dv = (-b.sin * dx + b.cos * dy) * b.inv[1];
          const dz = (z - b.z) * b.inv[2];
          field += b.weight * Math.exp(-0.5 * (du * du + dv * dv + dz * dz));
        }
        if (field === 0 || Math.log(field) < outer) continue;
        const o = lesion.noiseOffset;
        const logField = Math.log(field) + IRREGULARITY * set.noise(x * scale + o, y * scale, z * scale);
        let code: number = Compartment.none;
        if (lesion.necrosis > 0 && logField > border(lesion.necrosis)) code = Compartment.necrosis;
        else if (logField > border(1)) code = lesion.necrosis > 0 ? Compartment.rim : Compartment.core;
        else if (logField > border(lesion.oedema)) code = Compartment.oedema;
        if (code > compartment[p]!) {
          compartment[p] = code;
          owner[p] = index;
          texture[p] = 1 + 0.08 * set.noise(x * 2 * scale, y * 2 * scale + o, z * 2 * scale);
        }
      }
    }
  });
  return { compartment, owner, texture };
}
