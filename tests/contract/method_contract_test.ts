/**
 * The Method contract, run for every registered method in every dimensionality it supports and every
 * config `method_configs.ts` gives it, on toy data: a few training steps, score, save, load into a fresh
 * instance, score again and compare.
 */
import assert from "node:assert/strict";
import "../../plugins/mod.ts";
import {
  getNoise,
  InMemorySamples,
  listMethods,
  parseConfig,
  Rng,
  selectBackend,
  silentProgress,
  tf,
} from "../../core/mod.ts";
import { decodeState, encodeState } from "../../runner/state_file.ts";
import { contractConfigs } from "./method_configs.ts";

await selectBackend("cpu");

/** Toy healthy samples: smooth blobs inside a disk-shaped foreground; `lesion` adds a bright labelled blob. */
function toySamples(shape: number[], n: number, seed: number, lesion = false): InMemorySamples {
  const rng = new Rng(seed);
  const spatial = shape.slice(0, -1);
  const ch = shape[shape.length - 1]!;
  const voxels = spatial.reduce((a, b) => a * b, 1);
  const img = new Float32Array(n * voxels * ch);
  const fg = new Float32Array(n * voxels);
  const labels = lesion ? new Float32Array(n * voxels) : undefined;
  for (let s = 0; s < n; s++) {
    for (let v = 0; v < voxels; v++) {
      let r2 = 0;
      let rem = v;
      for (let a = spatial.length - 1; a >= 0; a--) {
        const size = spatial[a]!;
        const coord = (rem % size) / (size - 1) - 0.5;
        rem = Math.floor(rem / size);
        r2 += coord * coord;
      }
      const inside = r2 < 0.16 ? 1 : 0;
      fg[s * voxels + v] = inside;
      for (let c = 0; c < ch; c++) {
        img[(s * voxels + v) * ch + c] = inside * (0.4 + 0.3 * Math.cos(6 * r2 + c) + 0.05 * rng.normal());
      }
      if (labels && r2 < 0.02) {
        labels[s * voxels + v] = 1;
        for (let c = 0; c < ch; c++) img[(s * voxels + v) * ch + c] = 0.95;
      }
    }
  }
  return new InMemorySamples(shape, img, fg, labels);
}

for (const def of listMethods()) {
  for (const dims of def.meta.dims) {
    for (const { label, config: input, skip } of contractConfigs(def)) {
      const name = `method contract: ${def.id} (${dims}D)${label ? ` with ${label}` : ""}`;
      Deno.test({ name: skip ? `${name}: skipped, ${skip}` : name, ignore: skip !== undefined }, async () => {
        const shape = dims === 2 ? [16, 16, 2] : [8, 8, 8, 1];
        const config = parseConfig(def.schema, input, def.id);
        const train = toySamples(shape, 6, 1);
        const validation = toySamples(shape, 2, 2);
        const m = def.create(config, shape, 0);
        const noise = def.meta.usesNoise ? getNoise("gaussian") : undefined;
        // Supervised methods also get labelled samples (a bright blob marked in `labels`).
        const labelled = def.meta.supervised ? { labelled: toySamples(shape, 4, 3, true) } : {};
        // A run folder, for methods that keep files beside the run (external programs' logs, nnU-Net).
        const workDir = await Deno.makeTempDir({ prefix: "method_contract_" });
        const summary = await m.train({ sampleShape: shape, train, validation, ...labelled }, {
          backend: tf.getBackend(),
          seed: 0,
          rng: new Rng(0),
          ...(noise ? { noise: noise.create(parseConfig(noise.schema, {}, noise.id)) } : {}),
          progress: silentProgress,
          checkpoint: async () => {},
          workDir,
        });
        assert.ok(summary.steps >= 0);
        if (summary.finalLoss !== undefined) {
          assert.ok(Number.isFinite(summary.finalLoss), "final loss is not finite");
        }

        const batch = validation.batch([0, 1]);
        const scores = await m.score(batch);
        assert.deepEqual(
          scores.shape,
          [2, ...shape.slice(0, -1)],
          "score map must have the input's spatial shape",
        );
        const values = await scores.data();
        const fg = await batch.foreground.data();
        values.forEach((v, i) => {
          assert.ok(Number.isFinite(v), `non-finite score at ${i}`);
          if (fg[i] === 0) assert.equal(v, 0, `score outside the foreground at ${i}`);
        });

        const state = await m.save();
        const again = def.create(config, shape, 99); // different init: load must overwrite everything
        again.load(decodeState(encodeState(state), `${def.id} state`)); // as the runner's state files do
        const rescored = await again.score(batch);
        const diff = tf.max(tf.abs(tf.sub(scores, rescored))).dataSync()[0]!;
        assert.ok(diff <= 1e-6, `scores differ by ${diff} after save/load`);
        if (m.reconstruct) assert.deepEqual(m.reconstruct(batch.images).shape, batch.images.shape);
        tf.dispose([scores, rescored, batch.images, batch.foreground]);
        m.dispose();
        again.dispose();
        await Deno.remove(workDir, { recursive: true });
      });
    }
  }
}
