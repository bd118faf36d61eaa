/**
 * A tiny 3×5 bitmap font, for labels in the pictures the project writes (no font files, no dependencies).
 * @module
 */

/** Glyphs: five rows of three bits, top row first. Lower-case text is drawn in capitals. */
const FONT: Record<string, string> = {
  " ": "000 000 000 000 000",
  "=": "000 111 000 111 000",
  ".": "000 000 000 000 010",
  "-": "000 000 111 000 000",
  ":": "000 010 000 010 000",
  "|": "010 010 010 010 010",
  "(": "010 100 100 100 010",
  ")": "010 001 001 001 010",
  "0": "111 101 101 101 111",
  "1": "010 110 010 010 111",
  "2": "111 001 111 100 111",
  "3": "111 001 111 001 111",
  "4": "101 101 111 001 001",
  "5": "111 100 111 001 111",
  "6": "111 100 111 101 111",
  "7": "111 001 010 010 010",
  "8": "111 101 111 101 111",
  "9": "111 101 111 001 111",
  A: "010 101 111 101 101",
  B: "110 101 110 101 110",
  C: "011 100 100 100 011",
  D: "110 101 101 101 110",
  E: "111 100 110 100 111",
  F: "111 100 110 100 100",
  G: "011 100 101 101 011",
  H: "101 101 111 101 101",
  I: "111 010 010 010 111",
  J: "001 001 001 101 010",
  K: "101 101 110 101 101",
  L: "100 100 100 100 111",
  M: "101 111 111 101 101",
  N: "110 101 101 101 101",
  O: "010 101 101 101 010",
  P: "110 101 110 100 100",
  Q: "010 101 101 110 011",
  R: "110 101 110 101 101",
  S: "011 100 010 001 110",
  T: "111 010 010 010 010",
  U: "101 101 101 101 111",
  V: "101 101 101 101 010",
  W: "101 101 111 111 101",
  X: "101 101 010 101 101",
  Y: "101 101 010 010 010",
  Z: "111 001 010 100 111",
};

/** Where and how {@linkcode drawText} draws. */
export interface TextStyle {
  /** Size of one font pixel in canvas pixels (default 2). */
  readonly scale?: number;
  /** Colour: one value per canvas channel (default white). */
  readonly color?: readonly number[];
}

/** Width in canvas pixels of `text` at `scale` (4 font pixels per character, the last one's gap included). */
export function textWidth(text: string, scale = 2): number {
  return text.length * 4 * scale;
}

/**
 * Draws `text` into a row-major canvas of `width` pixels × `channels` bytes with its top-left at (x, y);
 * pixels outside the canvas are skipped. Characters without a glyph are an error naming them.
 *
 * @example
 * ```ts
 * import { drawText } from "./bitmap_text.ts";
 * const canvas = new Uint8Array(40 * 12);
 * drawText(canvas, 40, 1, "AUPRC", 1, 1);
 * console.assert(canvas.some((v) => v === 255));
 * ```
 */
export function drawText(
  canvas: Uint8Array,
  width: number,
  channels: number,
  text: string,
  x: number,
  y: number,
  { scale = 2, color = new Array(channels).fill(255) }: TextStyle = {},
): void {
  const height = canvas.length / (width * channels);
  for (const [n, ch] of [...text.toUpperCase()].entries()) {
    const glyph = FONT[ch];
    if (!glyph) throw new Error(`drawText: no glyph for '${ch}' in '${text}'`);
    const rows = glyph.split(" ");
    for (let r = 0; r < 5; r++) {
      for (let c = 0; c < 3; c++) {
        if (rows[r]![c] !== "1") continue;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const px = x + (n * 4 + c) * scale + dx;
            const py = y + r * scale + dy;
            if (px < 0 || py < 0 || px >= width || py >= height) continue;
            for (let k = 0; k < channels; k++) canvas[(py * width + px) * channels + k] = color[k]!;
          }
        }
      }
    }
  }
}
