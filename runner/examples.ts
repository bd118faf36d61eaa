/**
 * Test-set examples for people to look at: per chosen case, the slice with the most lesion, drawn as
 * input | reconstruction | score map | ground truth, one row per case, in `examples.png`.
 * @module
 */
import type { Case } from "../core/mod.ts";
import { drawText } from "../core/bitmap_text.ts";
import { encodePng } from "../core/png.ts";
import { writeFileAtomic } from "./atomic.ts";

/** One example slice; arrays are [H, W]. */
export interface Example {
  /** The case it comes from. */
  readonly caseId: string;
  /** The slice index within the case. */
  readonly slice: number;
  /** Slice height and width. */
  readonly height: number;
  /** Slice width. */
  readonly width: number;
  /** First channel of the input (FLAIR for BraTS-like data). */
  readonly image: Float32Array;
  /** First channel of the method's restoration, where it has one. */
  readonly reconstruction?: Float32Array;
  /** The anomaly score map. */
  readonly score: Float32Array;
  /** The ground truth. */
  readonly label: Float32Array;
}

/** Keeps the lesion-richest slice of the first `limit` test cases that have a lesion. */
export class ExampleCollector {
  readonly #limit: number;
  readonly #examples: Example[] = [];

  /** Collects at most `limit` examples. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Whether {@linkcode offer} would keep an example of this case (so its reconstruction is worth computing). */
  wants(c: Case): boolean {
    return this.#examples.length < this.#limit && c.label !== undefined && c.label.some((v) => v !== 0);
  }

  /** Considers a scored case (scores [D, H, W], reconstruction [D, H, W, C]). */
  offer(c: Case, scores: Float32Array, reconstruction?: Float32Array): void {
    const label = c.label;
    if (!label || !this.wants(c)) return;
    const [d, h, w, ch] = c.shape;
    const plane = h * w;
    let best = -1;
    let bestCount = 0;
    for (let z = 0; z < d; z++) {
      let n = 0;
      for (let i = z * plane; i < (z + 1) * plane; i++) n += label[i]!;
      if (n > bestCount) [best, bestCount] = [z, n];
    }
    if (best < 0) return;
    const channel0 = (src: Float32Array) => {
      const out = new Float32Array(plane);
      for (let i = 0; i < plane; i++) out[i] = src[(best * plane + i) * ch]!;
      return out;
    };
    this.#examples.push({
      caseId: c.id,
      slice: best,
      height: h,
      width: w,
      image: channel0(c.image),
      ...(reconstruction ? { reconstruction: channel0(reconstruction) } : {}),
      score: scores.slice(best * plane, (best + 1) * plane),
      label: Float32Array.from(label.subarray(best * plane, (best + 1) * plane)),
    });
  }

  /** The examples collected. */
  take(): Example[] {
    return this.#examples;
  }
}

/** Column titles of the examples grid. */
const TITLES = ["input", "reconstruction", "score", "ground truth"];

/**
 * Draws examples as an RGB grid under a title row: grey input, grey reconstruction, score map in a heat colour
 * map scaled to the largest score over all examples (so rows are comparable), ground truth in red.
 */
export function renderExamples(
  examples: readonly Example[],
  gap = 2,
): { width: number; height: number; rgb: Uint8Array } {
  if (examples.length === 0) return { width: 1, height: 1, rgb: new Uint8Array(3) };
  const zoom = Math.max(1, Math.ceil(128 / examples[0]!.width)); // small slices are enlarged to be seen
  const h = examples[0]!.height * zoom;
  const w = examples[0]!.width * zoom;
  const cols = 4;
  const header = 14;
  const width = cols * w + (cols - 1) * gap;
  const height = header + examples.length * h + (examples.length - 1) * gap;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  TITLES.forEach((t, c) => {
    const scale = w >= 160 ? 2 : 1;
    drawText(rgb, width, 3, t, c * (w + gap) + 2, 2, { scale, color: [40, 40, 40] });
  });
  let maxScore = 0;
  for (const e of examples) for (const s of e.score) maxScore = Math.max(maxScore, s);
  const put = (x: number, y: number, r: number, g: number, b: number) => {
    const o = (y * width + x) * 3;
    rgb[o] = r;
    rgb[o + 1] = g;
    rgb[o + 2] = b;
  };
  examples.forEach((e, row) => {
    const y0 = header + row * (h + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = Math.floor(y / zoom) * e.width + Math.floor(x / zoom);
        const grey = to8(e.image[i]!);
        put(x, y0 + y, grey, grey, grey);
        const rec = e.reconstruction ? to8(e.reconstruction[i]!) : 255;
        put(w + gap + x, y0 + y, rec, rec, rec);
        const [r, g, b] = heat(maxScore > 0 ? e.score[i]! / maxScore : 0);
        put(2 * (w + gap) + x, y0 + y, r, g, b);
        if (e.label[i]! > 0) put(3 * (w + gap) + x, y0 + y, 230, 40, 40);
        else put(3 * (w + gap) + x, y0 + y, grey >> 1, grey >> 1, grey >> 1);
      }
    }
  });
  return { width, height, rgb };
}

/** Writes {@linkcode renderExamples} as a PNG. */
export async function writeExamplesPng(path: string, examples: readonly Example[]): Promise<void> {
  const { width, height, rgb } = renderExamples(examples);
  await writeFileAtomic(path, encodePng(rgb, width, height, 3));
}

function to8(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v * 255)));
}

/** A black → red → yellow → white colour map on [0, 1]. */
function heat(t: number): [number, number, number] {
  const v = Math.max(0, Math.min(1, t)) * 3;
  return [to8(Math.min(1, v)), to8(Math.min(1, Math.max(0, v - 1))), to8(Math.max(0, v - 2))];
}
