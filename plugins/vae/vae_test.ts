import assert from "node:assert/strict";
import * as v from "valibot";
import "./mod.ts";
import { getMethod, getPreset, parseConfig, tf } from "../../core/mod.ts";
import { VAE_TRAINING_KEYS } from "./config.ts";

const tiny = { widths: [4, 8], latentDim: 4, medianKernel: 3 };

Deno.test("vae and vae-restoration declare the same model family and training keys", () => {
  const a = getMethod("vae").meta.sharedModel;
  const b = getMethod("vae-restoration").meta.sharedModel;
  assert.ok(a && b);
  assert.equal(a.family, "vae");
  assert.deepEqual(a, b);
  assert.deepEqual([...a.trainingKeys].sort(), [
    "amsgrad",
    "batchSize",
    "beta",
    "clipNorm",
    "keepBest",
    "latentDim",
    "lr",
    "steps",
    "validateEvery",
    "weightDecay",
    "widths",
  ]);
  // Every training key is a field of both schemas, with the same default.
  for (const id of ["vae", "vae-restoration"]) {
    const def = getMethod(id);
    const entries = (def.schema as unknown as v.StrictObjectSchema<v.ObjectEntries, undefined>).entries;
    for (const k of VAE_TRAINING_KEYS) assert.ok(k in entries, `${id} lacks training field ${k}`);
  }
  const da = parseConfig(getMethod("vae").schema, {}, "vae") as Record<string, unknown>;
  const db = parseConfig(getMethod("vae-restoration").schema, {}, "vae-restoration") as Record<
    string,
    unknown
  >;
  for (const k of VAE_TRAINING_KEYS) assert.deepEqual(da[k], db[k], `defaults differ for ${k}`);
});

Deno.test("the paper presets of both methods train the same model", () => {
  const a = getPreset("vae-paper-2d").config as Record<string, unknown>;
  const b = getPreset("vae-restoration-paper-2d").config as Record<string, unknown>;
  for (const k of VAE_TRAINING_KEYS) assert.deepEqual(a[k], b[k], `presets differ for ${k}`);
  assert.deepEqual(a.widths, [64, 128, 256, 512]);
});

Deno.test("a state saved by vae loads into vae-restoration, whose scores are reproducible", async () => {
  const shape = [16, 16, 1];
  const vae = getMethod("vae").create(parseConfig(getMethod("vae").schema, tiny, "vae"), shape, 1);
  const rdef = getMethod("vae-restoration");
  const rest = rdef.create(parseConfig(rdef.schema, { ...tiny, iterations: 2 }, "vae-restoration"), shape, 2);
  rest.load(await vae.save());
  assert.deepEqual(await rest.save(), await vae.save());

  const images = tf.mul(tf.randomUniform([2, 16, 16, 1], 0, 1, "float32", 3), 0.8);
  const foreground = tf.pad(tf.ones([2, 8, 8, 1]), [[0, 0], [4, 4], [4, 4], [0, 0]]);
  const first = await rest.score({ images, foreground });
  const again = await rest.score({ images, foreground });
  assert.equal(
    tf.max(tf.abs(tf.sub(first, again))).dataSync()[0],
    0,
    "restoration scores must be reproducible",
  );
  assert.ok(tf.max(first).dataSync()[0]! > 0, "restoration changed nothing");
  // `reconstruct` of the batch just scored is that batch's restoration: unchanged outside the foreground.
  const restored = rest.reconstruct!(images);
  const outside = tf.mul(tf.abs(tf.sub(restored, images)), tf.sub(1, foreground));
  assert.equal(tf.max(outside).dataSync()[0], 0);
  tf.dispose([images, foreground, first, again, restored]);
  vae.dispose();
  rest.dispose();
});
