/**
 * Test-set examples for people to look at: per chosen case, the slice with the most lesion, drawn as
 * input | reconstruction | score map | ground truth, one row per case, in `examples.png`.
 * @module
 */
import type { Case } from "../core/mod.ts";
import { drawText, textWidth } from "../core/bitmap_text.ts";
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

/** How {@linkcode renderExamples} draws. */
export interface RenderOptions {
  /** The run's training log: drawn as loss curves under the examples (training thin, validation dotted). */
  readonly trainLog?: readonly { step: number; loss: number; validationLoss?: number }[];
  /**
   * The score at the top of the colour map (larger scores are drawn at its top). Default: the largest score
   * of the examples. A leaderboard passes one value per table, so that its rows can be compared.
   */
  readonly scoreMax?: number;
  /** Pixels between tiles (default 2). */
  readonly gap?: number;
  /** Draw the ground-truth column (default true; false for scans without one, e.g. `deno task predict`'s). */
  readonly truth?: boolean;
}

/**
 * Draws examples as an RGB grid under a title row: grey input, grey reconstruction (only where the method
 * restores), score map in a heat colour map from 0 to `scoreMax`, ground truth in red (unless `truth` is
 * false), and under the score column a colour bar labelled with its range.
 */
export function renderExamples(
  examples: readonly Example[],
  options: RenderOptions = {},
): { width: number; height: number; rgb: Uint8Array } {
  if (examples.length === 0) return { width: 1, height: 1, rgb: new Uint8Array(3) };
  const gap = options.gap ?? 2;
  const zoom = Math.max(1, Math.ceil(128 / examples[0]!.width)); // small slices are enlarged to be seen
  const h = examples[0]!.height * zoom;
  const w = examples[0]!.width * zoom;
  const restores = examples.some((e) => e.reconstruction);
  const truth = options.truth ?? true;
  const titles = [
    "input",
    ...(restores ? ["reconstruction"] : []),
    "score",
    ...(truth ? ["ground truth"] : []),
  ];
  const scoreColumn = restores ? 2 : 1;
  const cols = titles.length;
  const header = 14;
  const footer = 22;
  const lossHeight = options.trainLog?.length ? LOSS_PANEL_HEIGHT : 0;
  const width = cols * w + (cols - 1) * gap;
  const height = header + examples.length * h + (examples.length - 1) * gap + footer + lossHeight;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const textScale = w >= 160 ? 2 : 1;
  titles.forEach((t, c) =>
    drawText(rgb, width, 3, t, c * (w + gap) + 2, 2, { scale: textScale, color: [40, 40, 40] })
  );
  let largest = 0;
  for (const e of examples) for (const s of e.score) largest = Math.max(largest, s);
  const scoreMax = options.scoreMax ?? largest;
  const put = (x: number, y: number, [r, g, b]: readonly number[]) => {
    const o = (y * width + x) * 3;
    rgb[o] = r!;
    rgb[o + 1] = g!;
    rgb[o + 2] = b!;
  };
  const colX = (c: number, x: number) => c * (w + gap) + x;
  examples.forEach((e, row) => {
    const y0 = header + row * (h + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = Math.floor(y / zoom) * e.width + Math.floor(x / zoom);
        const grey = to8(e.image[i]!);
        put(colX(0, x), y0 + y, [grey, grey, grey]);
        if (restores) {
          const rec = e.reconstruction ? to8(e.reconstruction[i]!) : 255;
          put(colX(1, x), y0 + y, [rec, rec, rec]);
        }
        put(colX(scoreColumn, x), y0 + y, heat(scoreMax > 0 ? e.score[i]! / scoreMax : 0));
        if (truth) {
          put(colX(cols - 1, x), y0 + y, e.label[i]! > 0 ? [230, 40, 40] : [grey >> 1, grey >> 1, grey >> 1]);
        }
      }
    }
  });
  // The colour bar: 0 … scoreMax under the score column.
  const barY = height - lossHeight - footer + 3;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < 6; y++) put(colX(scoreColumn, x), barY + y, heat(x / Math.max(1, w - 1)));
  }
  const top = formatScore(scoreMax);
  drawText(rgb, width, 3, "0", colX(scoreColumn, 0), barY + 8, { scale: 1, color: [40, 40, 40] });
  drawText(rgb, width, 3, top, colX(scoreColumn, w) - textWidth(top, 1), barY + 8, {
    scale: 1,
    color: [40, 40, 40],
  });
  if (lossHeight) drawLossPanel(rgb, width, height - lossHeight, lossHeight, options.trainLog!);
  return { width, height, rgb };
}

/** Height in pixels of the loss panel under the examples. */
const LOSS_PANEL_HEIGHT = 96;

/**
 * Draws a run's loss curves into rows `y0 … y0 + height` of an RGB canvas: log-scaled losses against the
 * step, training loss as grey binned means, validation loss as blue dots joined by a line.
 */
function drawLossPanel(
  rgb: Uint8Array,
  width: number,
  y0: number,
  height: number,
  log: readonly { step: number; loss: number; validationLoss?: number }[],
): void {
  const box = { x: 34, y: y0 + 14, w: width - 40, h: height - 26 };
  const dark = [40, 40, 40];
  drawText(rgb, width, 3, "loss (log) over steps", box.x, y0 + 4, { scale: 1, color: dark });
  const values = log.flatMap((r) => [r.loss, ...(r.validationLoss !== undefined ? [r.validationLoss] : [])])
    .filter((v) => v > 0 && Number.isFinite(v));
  if (values.length === 0) return;
  const lo = Math.log10(Math.min(...values));
  const hi = Math.log10(Math.max(...values));
  const span = Math.max(1e-9, hi - lo);
  const lastStep = Math.max(1, log.at(-1)!.step);
  const px = (step: number) => Math.round(box.x + (step / lastStep) * (box.w - 1));
  const py = (v: number) =>
    Math.round(box.y + (1 - (Math.log10(Math.max(v, 1e-30)) - lo) / span) * (box.h - 1));
  const put = (x: number, y: number, c: readonly number[]) => {
    if (x < 0 || y < 0 || x >= width || y >= y0 + height) return;
    rgb.set(c, (y * width + x) * 3);
  };
  const line = (x0: number, ya: number, x1: number, yb: number, c: readonly number[]) => {
    const n = Math.max(Math.abs(x1 - x0), Math.abs(yb - ya), 1);
    for (let k = 0; k <= n; k++) {
      put(Math.round(x0 + ((x1 - x0) * k) / n), Math.round(ya + ((yb - ya) * k) / n), c);
    }
  };
  // Frame and the two value labels.
  line(box.x, box.y, box.x + box.w - 1, box.y, [200, 200, 200]);
  line(box.x, box.y + box.h - 1, box.x + box.w - 1, box.y + box.h - 1, [160, 160, 160]);
  line(box.x, box.y, box.x, box.y + box.h - 1, [160, 160, 160]);
  drawText(rgb, width, 3, formatScore(10 ** hi), 2, box.y, { scale: 1, color: dark });
  drawText(rgb, width, 3, formatScore(10 ** lo), 2, box.y + box.h - 6, { scale: 1, color: dark });
  const last = String(lastStep);
  drawText(rgb, width, 3, last, box.x + box.w - textWidth(last, 1), box.y + box.h + 2, {
    scale: 1,
    color: dark,
  });
  // Training loss: means over one bin per pixel column.
  const bins = new Map<number, { sum: number; n: number }>();
  for (const r of log) {
    const b = bins.get(px(r.step)) ?? { sum: 0, n: 0 };
    b.sum += r.loss;
    b.n++;
    bins.set(px(r.step), b);
  }
  let prev: [number, number] | undefined;
  for (const [x, b] of [...bins].sort((a, b) => a[0] - b[0])) {
    const y = py(b.sum / b.n);
    if (prev) line(prev[0], prev[1], x, y, [150, 150, 150]);
    prev = [x, y];
  }
  // Validation loss on top.
  prev = undefined;
  for (const r of log) {
    if (r.validationLoss === undefined) continue;
    const [x, y] = [px(r.step), py(r.validationLoss)];
    if (prev) line(prev[0], prev[1], x, y, [47, 109, 181]);
    for (const [dx, dy] of [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]]) put(x + dx!, y + dy!, [47, 109, 181]);
    prev = [x, y];
  }
}

/** A score for a colour-bar label: 3 significant digits, plain notation where the font can draw it. */
export function formatScore(v: number): string {
  if (v === 0) return "0";
  const text = v.toPrecision(3);
  return text.includes("e") ? v.toExponential(1).replace("+", "") : text;
}

/**
 * Examples as JSON (arrays as base64 float32), written beside `examples.png` so that a leaderboard can draw
 * every row of a table on one colour scale.
 */
export function encodeExamples(examples: readonly Example[]): string {
  const b64 = (a: Float32Array) => {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    let text = "";
    // In chunks: spreading a whole slice into one call can exceed the engine's argument limit.
    for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return btoa(text);
  };
  return JSON.stringify(examples.map((e) => ({
    caseId: e.caseId,
    slice: e.slice,
    height: e.height,
    width: e.width,
    image: b64(e.image),
    ...(e.reconstruction ? { reconstruction: b64(e.reconstruction) } : {}),
    score: b64(e.score),
    label: b64(e.label),
  })));
}

/** Parses {@linkcode encodeExamples}'s output; errors name `where`. */
export function decodeExamples(text: string, where: string): Example[] {
  const f32 = (s: unknown, n: number, field: string) => {
    if (typeof s !== "string") throw new Error(`${where}: field '${field}' is missing`);
    const bytes = Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
    if (bytes.length !== n * 4) {
      throw new Error(`${where}: field '${field}' holds ${bytes.length} bytes, not ${n} float32 values`);
    }
    return new Float32Array(bytes.buffer);
  };
  let items: Record<string, unknown>[];
  try {
    items = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not valid JSON (${e instanceof Error ? e.message : e})`);
  }
  return items.map((x) => {
    const [h, w] = [Number(x.height), Number(x.width)];
    return {
      caseId: String(x.caseId),
      slice: Number(x.slice),
      height: h,
      width: w,
      image: f32(x.image, h * w, "image"),
      ...(x.reconstruction !== undefined
        ? { reconstruction: f32(x.reconstruction, h * w, "reconstruction") }
        : {}),
      score: f32(x.score, h * w, "score"),
      label: f32(x.label, h * w, "label"),
    };
  });
}

/**
 * Writes {@linkcode renderExamples} as `path` (a PNG, with the loss curves of `trainLog` where given) and the
 * examples' data beside it (`.json`).
 */
export async function writeExamplesPng(
  path: string,
  examples: readonly Example[],
  trainLog?: RenderOptions["trainLog"],
): Promise<void> {
  const { width, height, rgb } = renderExamples(examples, trainLog ? { trainLog } : {});
  await writeFileAtomic(path, encodePng(rgb, width, height, 3));
  await writeFileAtomic(path.replace(/\.png$/, ".json"), encodeExamples(examples));
}

function to8(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v * 255)));
}

/** A black → red → yellow → white colour map on [0, 1]. */
function heat(t: number): [number, number, number] {
  const v = Math.max(0, Math.min(1, t)) * 3;
  return [to8(Math.min(1, v)), to8(Math.min(1, Math.max(0, v - 1))), to8(Math.max(0, v - 2))];
}
