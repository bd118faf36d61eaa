/**
 * Pictures of a grid's noise types as the DAE sees them in training: the noise field, a clean slice and the
 * slice with the noise added inside its foreground, drawn from the noise registry with the grid's configs.
 * @module
 */
import { type Case, type Dims, getNoise, parseConfig, Rng, tf } from "../../core/mod.ts";
import { encodePng } from "../../core/png.ts";
import type { NoiseSample } from "./html.ts";

/** Noise values in [−RANGE, RANGE] map to black…white (as in `cli/noise_preview.ts`: 3× the default σ). */
const RANGE = 0.6;

/** PNG bytes as a data: URI. */
export function pngDataUri(png: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < png.length; i += 0x8000) {
    binary += String.fromCharCode(...png.subarray(i, i + 0x8000));
  }
  return `data:image/png;base64,${btoa(binary)}`;
}

function greyPng(values: Float32Array, width: number, height: number, lo: number, hi: number): string {
  const grey = Uint8Array.from(
    values,
    (v) => Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255))),
  );
  return pngDataUri(encodePng(grey, width, height, 1));
}

/**
 * Draws each noise on the middle slice of `c` (first channel): panels "noise", "clean" and "noisy" (noise
 * added inside the foreground, as the DAE's training does). A 3D dataset gets a volume of noise, of which the
 * middle slice is shown.
 */
export async function drawNoiseSamples(
  noises: readonly { id: string; config: Record<string, unknown>; label?: string }[],
  c: Case,
  dims: Dims,
  seed = 0,
): Promise<NoiseSample[]> {
  const [d, h, w, ch] = c.shape;
  const z = Math.floor(d / 2);
  const plane = h * w;
  const clean = Float32Array.from({ length: plane }, (_, i) => c.image[(z * plane + i) * ch]!);
  const out: NoiseSample[] = [];
  for (const n of noises) {
    const def = getNoise(n.id);
    const source = def.create(parseConfig(def.schema, n.config, `noise '${n.id}'`));
    const shape = dims === 2 ? [1, h, w, ch] : [1, d, h, w, ch];
    const t = source.sample(shape, new Rng(seed).fork(n.label ?? n.id));
    const all = (await t.data()) as Float32Array; // [1, (D,) H, W, C]
    tf.dispose(t);
    const offset = dims === 2 ? 0 : z * plane;
    const noise = Float32Array.from({ length: plane }, (_, i) => all[(offset + i) * ch]!);
    const noisy = clean.map((v, i) => v + noise[i]! * c.foreground[z * plane + i]!);
    out.push({
      label: n.label ?? n.id,
      id: n.id,
      config: n.config,
      panels: [
        { caption: "noise", src: greyPng(noise, w, h, -RANGE, RANGE) },
        { caption: "clean", src: greyPng(clean, w, h, 0, 1) },
        { caption: "noisy", src: greyPng(noisy, w, h, 0, 1) },
      ],
    });
  }
  return out;
}
