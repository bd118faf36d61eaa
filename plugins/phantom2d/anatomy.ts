/**
 * Healthy head anatomy of one phantom subject: random shape parameters, and their rasterisation into a
 * tissue map at a given axial level.
 *
 * Geometry lives in image units (x, y in [-1, 1] across the field of view, 1 unit = 120 mm) and axial levels
 * in brain half-heights (1 level = 60 mm). Inside the head, tissue borders are radii in the head's elliptic
 * coordinates (u, w), so the anatomy follows each subject's head size, ellipticity and rotation.
 * @module
 */
import type { Rng } from "../../core/rng.ts";

/** Tissue classes of the phantom; values index the contrast tables. */
export const Tissue = {
  air: 0,
  scalp: 1,
  bone: 2,
  csf: 3,
  grey: 4,
  white: 5,
  vessel: 6,
  choroid: 7,
} as const;

/** Number of tissue classes in {@linkcode Tissue}. */
export const TISSUE_COUNT = 8;

/** Image units per axial level unit (60 mm / 120 mm), to measure distances across slices. */
export const LEVEL_TO_IMAGE = 0.5;

/** One cosine of the cortical folding perturbation along the head's angle. */
export interface Fold {
  /** Cycles per turn. */
  readonly order: number;
  /** Weight in the folding sum. */
  readonly amplitude: number;
  /** Phase at level 0, radians. */
  readonly phase: number;
  /** Phase change per axial level unit, so that gyri shift slowly between slices. */
  readonly drift: number;
}

/** A cortical vessel or sinus: an angle on the brain surface that drifts with the level. */
export interface Vessel {
  /** Angle on the brain surface at level 0, radians. */
  readonly angle: number;
  /** Angle change per axial level unit. */
  readonly drift: number;
}

/** The random shape parameters of one subject's head. */
export interface Anatomy {
  /** Head centre offset in image units. */
  readonly centre: readonly [number, number];
  /** Head semi-axes (left-right, anterior-posterior) at the widest level, image units. */
  readonly semiAxes: readonly [number, number];
  /** In-plane rotation in radians. */
  readonly rotation: number;
  /** Level where the head is widest. */
  readonly widestLevel: number;
  /** Scalp plus skull thickness, elliptic radius units. */
  readonly skull: number;
  /** Sulcal CSF rim between skull and gyral crowns, elliptic radius units. */
  readonly csfRim: number;
  /** Cortical ribbon thickness, elliptic radius units. */
  readonly cortex: number;
  /** Depth of the deepest sulci, elliptic radius units. */
  readonly sulcusDepth: number;
  /** Folding perturbation; sulci sit where its normalised sum is high. */
  readonly folds: readonly Fold[];
  /** Standard deviation of the folding sum, to normalise it. */
  readonly foldScale: number;
  /** Half-width of the interhemispheric fissure, image units. */
  readonly fissureHalfWidth: number;
  /** How far the fissure reaches in from the front and the back, as |w| thresholds at level 0. */
  readonly fissureReach: readonly [number, number];
  /** Lateral ventricles. */
  readonly ventricles: {
    /** Level where they are largest. */
    readonly level: number;
    /** Levels above and below `level` where they vanish. */
    readonly halfExtent: number;
    /** Half-width of each ventricle at `level`, elliptic units. */
    readonly halfWidth: number;
    /** Half-length (front to back), elliptic units. */
    readonly halfLength: number;
    /** Distance of each ventricle's medial wall from the midline, elliptic units. */
    readonly gap: number;
    /** How far the ends bow outwards. */
    readonly curvature: number;
    /** Front-back offset of their centre, elliptic units. */
    readonly offset: number;
    /** Relative width difference between right and left. */
    readonly asymmetry: number;
  };
  /** Deep grey nuclei (thalamus and basal ganglia) beside the ventricles. */
  readonly deepGrey: {
    /** Level where they are largest. */
    readonly level: number;
    /** Levels above and below `level` where they vanish. */
    readonly halfExtent: number;
    /** Distance of their centres from the midline, elliptic units. */
    readonly lateral: number;
    /** Semi-axes at `level`, elliptic units. */
    readonly semiAxes: readonly [number, number];
  };
  /** Cortical vessels and the sagittal sinus. */
  readonly vessels: readonly Vessel[];
}

/** The head's frame at one axial level: maps between image and elliptic coordinates. */
export interface HeadFrame {
  /** Head centre x, image units. */
  readonly cx: number;
  /** Head centre y, image units. */
  readonly cy: number;
  /** Cosine of the head's rotation. */
  readonly cos: number;
  /** Sine of the head's rotation. */
  readonly sin: number;
  /** Left-right semi-axis at this level, image units. */
  readonly a: number;
  /** Front-back semi-axis at this level, image units. */
  readonly b: number;
  /** Elliptic radius of the inner skull surface (the brain's outline). */
  readonly brainRadius: number;
}

/** One slice's rasterised anatomy, each array H·W. */
export interface SliceAnatomy {
  /** Tissue class per pixel ({@linkcode Tissue}). */
  readonly tissue: Uint8Array;
  /** 1 inside the inner skull surface (what skull stripping keeps). */
  readonly brain: Uint8Array;
  /** 1 inside the scalp. */
  readonly head: Uint8Array;
}

/**
 * Draws one subject's anatomy. Ranges give adult-like heads: about 140 × 170 mm brains, cortical ribbon
 * 8–11 mm thick as the convoluted cortex appears at low resolution, ventricle size varying about threefold as with age and atrophy.
 */
export function sampleAnatomy(rng: Rng): Anatomy {
  const folds: Fold[] = [];
  for (let k = 0; k < 10; k++) {
    folds.push({
      order: 5 + rng.int(16),
      amplitude: rng.uniform(0.5, 1),
      phase: rng.uniform(0, 2 * Math.PI),
      drift: rng.uniform(-4, 4),
    });
  }
  const foldScale = Math.sqrt(folds.reduce((s, f) => s + f.amplitude * f.amplitude, 0) / 2);
  const vessels: Vessel[] = [
    { angle: -Math.PI / 2, drift: 0 },
    { angle: Math.PI / 2, drift: 0 },
  ];
  const cortical = 5 + rng.int(5);
  for (let k = 0; k < cortical; k++) {
    vessels.push({ angle: rng.uniform(-Math.PI, Math.PI), drift: rng.uniform(-0.6, 0.6) });
  }
  return {
    centre: [rng.uniform(-0.03, 0.03), rng.uniform(-0.03, 0.03)],
    semiAxes: [rng.uniform(0.64, 0.74), rng.uniform(0.78, 0.88)],
    rotation: rng.uniform(-0.15, 0.15),
    widestLevel: rng.uniform(-0.2, 0),
    skull: rng.uniform(0.08, 0.11),
    csfRim: rng.uniform(0.015, 0.03),
    cortex: rng.uniform(0.09, 0.12),
    sulcusDepth: rng.uniform(0.06, 0.1),
    folds,
    foldScale,
    fissureHalfWidth: rng.uniform(0.012, 0.02),
    fissureReach: [rng.uniform(0.4, 0.55), rng.uniform(0.5, 0.65)],
    ventricles: {
      level: rng.uniform(-0.05, 0.1),
      halfExtent: rng.uniform(0.42, 0.55),
      halfWidth: 0.06 * Math.exp(rng.uniform(Math.log(0.6), Math.log(1.8))),
      halfLength: 0.4 * rng.uniform(0.85, 1.15),
      gap: rng.uniform(0.015, 0.03),
      curvature: rng.uniform(0.3, 1.2),
      offset: rng.uniform(-0.02, 0.08),
      asymmetry: rng.uniform(-0.12, 0.12),
    },
    deepGrey: {
      level: rng.uniform(-0.35, -0.25),
      halfExtent: rng.uniform(0.3, 0.4),
      lateral: rng.uniform(0.24, 0.3),
      semiAxes: [rng.uniform(0.1, 0.14), rng.uniform(0.16, 0.22)],
    },
    vessels,
  };
}

/** The head's frame at `level`: the head narrows towards the vertex. */
export function headFrame(anatomy: Anatomy, level: number): HeadFrame {
  const t = (level - anatomy.widestLevel) / 1.25;
  const scale = Math.sqrt(Math.max(0.05, 1 - t * t));
  return {
    cx: anatomy.centre[0],
    cy: anatomy.centre[1],
    cos: Math.cos(anatomy.rotation),
    sin: Math.sin(anatomy.rotation),
    a: anatomy.semiAxes[0] * scale,
    b: anatomy.semiAxes[1] * scale,
    brainRadius: 1 - anatomy.skull,
  };
}

/** Image coordinates of the elliptic point (u, w) in `frame`. */
export function fromElliptic(frame: HeadFrame, u: number, w: number): [number, number] {
  const xr = u * frame.a;
  const yr = w * frame.b;
  return [frame.cx + frame.cos * xr - frame.sin * yr, frame.cy + frame.sin * xr + frame.cos * yr];
}

/** Image coordinate of pixel index `i` on a `size` grid (pixel centres). */
export function pixelCentre(i: number, size: number): number {
  return ((i + 0.5) / size) * 2 - 1;
}

/** A value in [0, 1] that is 1 at `centre` and falls to 0 at `centre ± halfExtent` (a profile over levels). */
function levelProfile(level: number, centre: number, halfExtent: number): number {
  const t = (level - centre) / halfExtent;
  return Math.max(0, 1 - t * t);
}

/**
 * Rasterises the anatomy at `level` on a `size` × `size` grid, sampling each pixel at its centre (partial
 * volume is added later by blurring the rendered intensities).
 */
export function renderAnatomy(anatomy: Anatomy, level: number, size: number): SliceAnatomy {
  const n = size * size;
  const tissue = new Uint8Array(n);
  const brain = new Uint8Array(n);
  const head = new Uint8Array(n);
  const f = headFrame(anatomy, level);
  const rIn = f.brainRadius;
  const boneOuter = rIn + anatomy.skull * 0.45;
  const cortexZone = rIn - anatomy.csfRim - anatomy.cortex - 0.6 * anatomy.sulcusDepth;
  const pixel = 2 / size;

  const v = anatomy.ventricles;
  const vProfile = levelProfile(level, v.level, v.halfExtent);
  const vHalfWidth = v.halfWidth * Math.sqrt(vProfile);
  const vHalfLength = v.halfLength * (0.6 + 0.4 * vProfile);
  const thirdVentricle = level < v.level - 0.15;
  const dg = anatomy.deepGrey;
  const dgProfile = Math.sqrt(levelProfile(level, dg.level, dg.halfExtent));
  // The fissure reaches deeper towards the vertex, where the hemispheres separate fully.
  const fissureFront = anatomy.fissureReach[0] - 0.25 * Math.max(0, level);
  const fissureBack = anatomy.fissureReach[1] - 0.25 * Math.max(0, level);
  const fissureHalfWidth = Math.max(anatomy.fissureHalfWidth, 0.45 * pixel) / f.a;
  const greyLining = fissureHalfWidth + anatomy.cortex;
  // Vessels thinner than about a pixel would vanish on the grid; keep them at least that wide.
  const vesselRadius = Math.max(0.018, 0.6 * pixel);
  const vesselRho = rIn - anatomy.csfRim * 0.6;
  const vesselBand = (1.01 * vesselRadius) / Math.min(f.a, f.b);
  const vesselCentres = anatomy.vessels.map((ves) => {
    const angle = ves.angle + ves.drift * level;
    return [vesselRho * Math.cos(angle) * f.a, vesselRho * Math.sin(angle) * f.b] as const;
  });

  for (let i = 0; i < size; i++) {
    const dy = pixelCentre(i, size) - f.cy;
    for (let j = 0; j < size; j++) {
      const dx = pixelCentre(j, size) - f.cx;
      const xr = f.cos * dx + f.sin * dy;
      const yr = -f.sin * dx + f.cos * dy;
      const u = xr / f.a;
      const w = yr / f.b;
      const rho = Math.sqrt(u * u + w * w);
      const p = i * size + j;
      if (rho >= 1) continue;
      head[p] = 1;
      if (rho >= rIn) {
        tissue[p] = rho < boneOuter ? Tissue.bone : Tissue.scalp;
        continue;
      }
      brain[p] = 1;
      let t: number = Tissue.white;
      if (rho > cortexZone) {
        const angle = Math.atan2(w, u);
        let g = 0;
        for (const fold of anatomy.folds) {
          g += fold.amplitude * Math.cos(fold.order * angle + fold.phase + fold.drift * level);
        }
        const gn = g / anatomy.foldScale;
        // Sulci are the narrow stretches where the normalised folding sum is high; there the white matter
        // retreats, and between them (gyri) it reaches outwards.
        const depth = anatomy.sulcusDepth * Math.min(1, Math.max(0, gn - 0.5));
        const wmShift = 0.6 * anatomy.sulcusDepth * Math.min(1, Math.max(-1, gn / 1.5));
        if (rho > rIn - anatomy.csfRim - depth) t = Tissue.csf;
        else if (rho > rIn - anatomy.csfRim - anatomy.cortex - wmShift) t = Tissue.grey;
      }
      const inFissure = w < -fissureFront || w > fissureBack;
      if (inFissure && Math.abs(u) < greyLining && t === Tissue.white) t = Tissue.grey;
      if (inFissure && Math.abs(u) < fissureHalfWidth) t = Tissue.csf;
      if (dgProfile > 0 && t === Tissue.white) {
        const du = (Math.abs(u) - dg.lateral) / (dg.semiAxes[0] * dgProfile);
        const dw = (w - 0.05) / (dg.semiAxes[1] * dgProfile);
        if (du * du + dw * dw < 1) t = Tissue.grey;
      }
      if (vHalfWidth > 0) {
        const side = u < 0 ? -1 : 1;
        const halfWidth = vHalfWidth * (1 + side * v.asymmetry);
        const along = (w - v.offset) / vHalfLength;
        // The ventricles bow outwards at both ends, like frontal and occipital horns.
        const mid = side * (v.gap + halfWidth + v.curvature * vHalfLength * along * along * 0.3);
        const across = (u - mid) / halfWidth;
        if (along * along + across * across < 1) {
          // The choroid plexus: a tuft in the atrium, towards the back of each ventricle.
          const plexus = ((along - 0.55) / 0.2) ** 2 + (across / 0.8) ** 2 < 1;
          t = vProfile > 0.3 && plexus ? Tissue.choroid : Tissue.csf;
        }
      }
      if (thirdVentricle && Math.abs(u) < Math.max(0.015, 0.45 * pixel / f.a) && Math.abs(w - 0.08) < 0.12) {
        t = Tissue.csf;
      }
      if ((t === Tissue.csf || t === Tissue.grey) && Math.abs(rho - vesselRho) < vesselBand) {
        for (const [vx, vy] of vesselCentres) {
          const ex = xr - vx;
          const ey = yr - vy;
          if (ex * ex + ey * ey < vesselRadius * vesselRadius) t = Tissue.vessel;
        }
      }
      tissue[p] = t;
    }
  }
  return { tissue, brain, head };
}
