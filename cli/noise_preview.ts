/**
 * Writes a PNG grid previewing the noise sources: one row per noise (gaussian, coarse, simplex),
 * three 2D samples at different settings and the middle depth slice of a 64^3 volume sample in the
 * fourth column, each tile labelled. Grey levels map [-0.6, 0.6] (three times the default sigma of
 * 0.2) linearly to [0, 255], clipped, so amplitudes compare across tiles.
 *
 * Run: `deno run -A cli/noise_preview.ts [--out docs/noise_preview.png] [--seed 0]`
 * @module
 */
import { parseArgs } from "node:util";
import { parseConfig } from "../core/config.ts";
import { encodePng } from "../core/png.ts";
import { getNoise } from "../core/registry.ts";
import { Rng } from "../core/rng.ts";
import "../plugins/noise/mod.ts";

const TILE = 128;
const VOLUME = 64;
const GAP = 6;
const SCALE = 2; // font pixel size
const LABEL = 5 * SCALE + 4;
const RANGE = 0.6;

interface Tile {
  noise: string;
  config: Record<string, unknown>;
  volume: boolean;
  label: string;
}

const ROWS: Tile[][] = [
  [
    { noise: "gaussian", config: { sigma: 0.1 }, volume: false, label: "GAUSSIAN S=0.1" },
    { noise: "gaussian", config: { sigma: 0.2 }, volume: false, label: "GAUSSIAN S=0.2" },
    { noise: "gaussian", config: { sigma: 0.3 }, volume: false, label: "GAUSSIAN S=0.3" },
    { noise: "gaussian", config: { sigma: 0.2 }, volume: true, label: "3D S=0.2 MID Z" },
  ],
  [
    { noise: "coarse", config: { resolution: 8 }, volume: false, label: "COARSE R=8" },
    { noise: "coarse", config: { resolution: 16 }, volume: false, label: "COARSE R=16" },
    { noise: "coarse", config: { resolution: 32 }, volume: false, label: "COARSE R=32" },
    { noise: "coarse", config: { resolution3d: 8 }, volume: true, label: "3D R=8 MID Z" },
  ],
  [
    { noise: "simplex", config: { frequency: 16 }, volume: false, label: "SIMPLEX F=16" },
    { noise: "simplex", config: { frequency: 32 }, volume: false, label: "SIMPLEX F=32" },
    { noise: "simplex", config: { frequency: 64 }, volume: false, label: "SIMPLEX F=64" },
    { noise: "simplex", config: { frequency: 32 }, volume: true, label: "3D F=32 MID Z" },
  ],
];

/** A 3x5 bitmap font for the label characters: five rows of three bits, top row first. */
const FONT: Record<string, string> = {
  " ": "000 000 000 000 000",
  "=": "000 111 000 111 000",
  ".": "000 000 000 000 010",
  "0": "111 101 101 101 111",
  "1": "010 110 010 010 111",
  "2": "111 001 111 100 111",
  "3": "111 001 111 001 111",
  "4": "101 101 111 001 001",
  "5": "111 100 111 001 111",
  "6": "111 100 111 101 111",
  "8": "111 101 111 101 111",
  A: "010 101 111 101 101",
  C: "011 100 100 100 011",
  D: "110 101 101 101 110",
  E: "111 100 110 100 111",
  F: "111 100 110 100 100",
  G: "011 100 101 101 011",
  I: "111 010 010 010 111",
  L: "100 100 100 100 111",
  M: "101 111 111 101 101",
  N: "110 101 101 101 101",
  O: "010 101 101 101 010",
  P: "110 101 110 100 100",
  R: "110 101 110 101 101",
  S: "011 100 010 001 110",
  U: "101 101 101 101 111",
  X: "101 101 010 101 101",
  Z: "111 001 010 100 111",
};

/** Draws `text` in white into a grayscale canvas with its top-left corner at (x, y). */
function drawText(canvas: Uint8Array, canvasWidth: number, text: string, x: number, y: number): void {
  for (const [n, ch] of [...text].entries()) {
    const glyph = FONT[ch];
    if (!glyph) throw new Error(`noise_preview: no glyph for '${ch}' in label '${text}'`);
    const rows = glyph.split(" ");
    for (let r = 0; r < 5; r++) {
      for (let c = 0; c < 3; c++) {
        if (rows[r]![c] !== "1") continue;
        for (let dy = 0; dy < SCALE; dy++) {
          for (let dx = 0; dx < SCALE; dx++) {
            canvas[(y + r * SCALE + dy) * canvasWidth + x + (n * 4 + c) * SCALE + dx] = 255;
          }
        }
      }
    }
  }
}

/** A TILE x TILE field of noise values: a 2D sample, or the middle depth slice of a volume, enlarged. */
function tileValues(tile: Tile, rng: Rng): Float32Array {
  const def = getNoise(tile.noise);
  const source = def.create(parseConfig(def.schema, tile.config, tile.noise));
  if (!tile.volume) {
    const t = source.sample([1, TILE, TILE, 1], rng);
    const values = t.dataSync() as Float32Array;
    t.dispose();
    return values;
  }
  const t = source.sample([1, VOLUME, VOLUME, VOLUME, 1], rng); // [1, D, H, W, 1]
  const volume = t.dataSync();
  t.dispose();
  const mid = (VOLUME / 2) * VOLUME * VOLUME;
  const zoom = TILE / VOLUME;
  return Float32Array.from(
    { length: TILE * TILE },
    (_, i) => volume[mid + Math.floor(i / TILE / zoom) * VOLUME + Math.floor((i % TILE) / zoom)]!,
  );
}

/** Renders the whole grid as grayscale bytes. */
function renderGrid(seed: number): { pixels: Uint8Array; width: number; height: number } {
  const columns = Math.max(...ROWS.map((r) => r.length));
  const width = columns * TILE + (columns + 1) * GAP;
  const height = ROWS.length * (TILE + LABEL) + (ROWS.length + 1) * GAP;
  const pixels = new Uint8Array(width * height).fill(32);
  const rng = new Rng(seed);
  for (const [r, row] of ROWS.entries()) {
    for (const [c, tile] of row.entries()) {
      const left = GAP + c * (TILE + GAP);
      const top = GAP + r * (TILE + LABEL + GAP);
      drawText(pixels, width, tile.label, left, top + 2);
      const values = tileValues(tile, rng.fork(tile.label));
      for (let y = 0; y < TILE; y++) {
        for (let x = 0; x < TILE; x++) {
          const v = values[y * TILE + x]!;
          const grey = Math.round(127.5 + (127.5 * v) / RANGE);
          pixels[(top + LABEL + y) * width + left + x] = Math.min(255, Math.max(0, grey));
        }
      }
    }
  }
  return { pixels, width, height };
}

const { values: args } = parseArgs({
  options: {
    out: { type: "string", default: "docs/noise_preview.png" },
    seed: { type: "string", default: "0" },
  },
});
const seed = Number(args.seed);
if (!Number.isInteger(seed)) throw new Error(`noise_preview: --seed must be an integer, got ${args.seed}`);
const { pixels, width, height } = renderGrid(seed);
const out = args.out!;
const tmp = `${out}.tmp-${crypto.randomUUID()}`;
await Deno.writeFile(tmp, encodePng(pixels, width, height, 1));
await Deno.rename(tmp, out);
console.log(`wrote ${out} (${width}x${height})`);
