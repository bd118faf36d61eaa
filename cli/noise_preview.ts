/**
 * Writes a PNG grid previewing the noise sources: one row per noise (gaussian, coarse, simplex),
 * three 2D samples at different settings and the middle depth slice of a 64^3 volume sample in the
 * fourth column, each tile labelled. Grey levels map [-0.6, 0.6] (three times the default sigma of
 * 0.2) linearly to [0, 255], clipped, so amplitudes compare across tiles.
 *
 * Run: `deno task noise [--out docs/noise_preview.png] [--seed 0]`
 * @module
 */
import { parse, UsageError } from "./args.ts";
import { parseConfig } from "../core/config.ts";
import { encodePng } from "../core/png.ts";
import { getNoise } from "../core/registry.ts";
import { Rng } from "../core/rng.ts";
import "../plugins/noise/mod.ts";
import { drawText } from "../core/bitmap_text.ts";

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
      drawText(pixels, width, 1, tile.label, left, top + 2, { scale: SCALE });
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

const USAGE = `deno task noise [--out docs/noise_preview.png] [--seed 0]
  Writes a PNG previewing the noise types: a row per noise (gaussian, coarse, simplex), three 2D samples at
  different settings and the middle slice of a 64³ volume sample, grey levels mapping [-0.6, 0.6].`;

/** Parses the command line and writes the preview. */
async function main(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    out: { type: "string", default: "docs/noise_preview.png" },
    seed: { type: "string", default: "0" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return console.log(USAGE);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) {
    throw new UsageError(`--seed must be a non-negative integer, got '${values.seed}'`);
  }
  const { pixels, width, height } = renderGrid(seed);
  const out = values.out;
  const tmp = `${out}.tmp-${crypto.randomUUID()}`;
  await Deno.writeFile(tmp, encodePng(pixels, width, height, 1));
  await Deno.rename(tmp, out);
  console.log(`wrote ${out} (${width}x${height})`);
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : e}`);
    Deno.exit(e instanceof UsageError ? 2 : 1);
  }
}
