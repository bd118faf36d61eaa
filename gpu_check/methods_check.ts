/**
 * Every registered method, in each dimensionality it supports, trains a few steps and scores on a backend
 * (its tiny `testConfig`, toy samples); the maps must have the input's spatial shape, be finite and zero
 * outside the foreground, and equal the maps cpu computes with the same trained weights (for methods whose
 * scoring is deterministic; a method whose two cpu scorings differ draws noise when it scores).
 * @module
 */
import {
  getNoise,
  InMemorySamples,
  listMethods,
  type MethodDefinition,
  parseConfig,
  Rng,
  silentProgress,
  tf,
} from "../core/mod.ts";
import { compareValues } from "./kernel_record.ts";
import type { Row } from "./rows.ts";

/** Smooth toy images in a disk/ball foreground (n samples of `shape`), deterministic in `seed`. */
export function toySamples(shape: readonly number[], n: number, seed: number): InMemorySamples {
  const rng = new Rng(seed);
  const spatial = shape.slice(0, -1);
  const channels = shape.at(-1)!;
  const voxels = spatial.reduce((a, b) => a * b, 1);
  const images = new Float32Array(n * voxels * channels);
  const foreground = new Float32Array(n * voxels);
  const labels = new Float32Array(n * voxels);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < voxels; i++) {
      let rem = i, r2 = 0;
      for (let a = spatial.length - 1; a >= 0; a--) {
        const u = (rem % spatial[a]!) / (spatial[a]! - 1) - 0.5;
        rem = Math.floor(rem / spatial[a]!);
        r2 += u * u;
      }
      if (r2 >= 0.16) continue;
      foreground[s * voxels + i] = 1;
      const lesion = r2 < 0.02 && s % 2 === 1;
      labels[s * voxels + i] = lesion ? 1 : 0;
      for (let c = 0; c < channels; c++) {
        images[(s * voxels + i) * channels + c] = lesion
          ? 0.95
          : 0.4 + 0.3 * Math.cos(6 * r2 + c) + 0.05 * rng.normal();
      }
    }
  }
  return new InMemorySamples(shape, images, foreground, labels);
}

/** The method/dimensionality pairs to check, as item names ("dae 2D"). */
export function methodItems(): { item: string; def: MethodDefinition<unknown>; dims: 2 | 3 }[] {
  return listMethods().flatMap((def) =>
    def.meta.dims.map((dims) => ({ item: `method ${def.id} ${dims}D trains and scores`, def, dims }))
  );
}

/**
 * Trains `def` a few steps on `backend` and scores; compares with cpu scoring of the same weights.
 *
 * @param tolerance largest relative score difference from cpu
 */
export async function checkMethod(
  def: MethodDefinition<unknown>,
  shape: readonly number[],
  backend: string,
  tolerance: number,
): Promise<Row[]> {
  const item = `method ${def.id} ${shape.length - 1}D trains and scores`;
  const row = (result: Row["result"], detail: string, value?: number): Row => ({
    part: "correctness",
    check: item,
    backend,
    result,
    detail,
    ...(value !== undefined ? { value, unit: "rel. error" } : {}),
  });
  // Methods that run a program of their own (their config names it) compute outside tfjs: nothing to check.
  if (def.identityFiles) {
    return [row("skipped", "runs an external program named by its config: no tfjs kernels")];
  }
  const config = parseConfig(def.schema, def.meta.testConfig, def.id);
  const noiseDef = getNoise("gaussian");
  const noise = noiseDef.create(parseConfig(noiseDef.schema, {}, noiseDef.id));
  const train = toySamples(shape, 6, 1), validation = toySamples(shape, 2, 2);
  const labelled = def.meta.supervised ? { labelled: toySamples(shape, 4, 3) } : {};

  await tf.setBackend(backend);
  const m = def.create(config, shape, 0, noise);
  try {
    await m.train({ sampleShape: shape, train, validation, ...labelled }, {
      backend,
      seed: 0,
      rng: new Rng(0),
      noise,
      progress: silentProgress,
      checkpoint: async () => {},
    });
  } catch (e) {
    m.dispose();
    const message = e instanceof Error ? e.message : String(e);
    // Bridges to external programs (nnU-Net) cannot train where the program is absent.
    if (/is not installed/.test(message)) return [row("skipped", message.split("\n")[0]!)];
    throw e;
  }
  const state = await m.save();
  const got = await scoreOn(backend, m, validation);
  m.dispose();
  const spatial = shape.slice(0, -1);
  const fg = got.foreground;
  if (got.shape.join() !== [2, ...spatial].join()) {
    return [row("fail", `score maps [${got.shape}], expected [${[2, ...spatial]}]`)];
  }
  const bad = got.values.findIndex((s, i) => !Number.isFinite(s) || (fg[i] === 0 && s !== 0));
  if (bad >= 0) return [row("fail", `score ${got.values[bad]} at ${bad} (foreground ${fg[bad]})`)];

  await tf.setBackend("cpu");
  const onCpu = def.create(config, shape, 99, noise);
  onCpu.load(state);
  const want = await scoreOn("cpu", onCpu, validation);
  const again = await scoreOn("cpu", onCpu, validation);
  onCpu.dispose();
  if (compareValues(again.values, want.values, "float32", 1e-6).failure) {
    return [
      row("pass", "finite, zero outside the foreground; scoring draws noise, so not compared with cpu"),
    ];
  }
  const cmp = compareValues(got.values, want.values, "float32", tolerance);
  if (cmp.failure) {
    return [row("fail", `scores differ from cpu with the same weights: ${cmp.failure}`, cmp.error)];
  }
  return [{
    part: "correctness",
    check: item,
    backend,
    result: "pass",
    value: cmp.error,
    unit: "rel. error",
  }];
}

async function scoreOn(
  backend: string,
  m: { score(b: ReturnType<InMemorySamples["batch"]>): Promise<tf.Tensor> },
  samples: InMemorySamples,
): Promise<{ shape: number[]; values: Float32Array; foreground: Float32Array }> {
  await tf.setBackend(backend);
  const batch = samples.batch([0, 1]);
  const maps = await m.score(batch);
  const values = (await maps.data()) as Float32Array;
  const foreground = (await batch.foreground.data()) as Float32Array;
  const shape = maps.shape;
  tf.dispose([maps, batch.images, batch.foreground, ...(batch.labels ? [batch.labels] : [])]);
  return { shape, values, foreground };
}
