/**
 * Streaming from the cache changes nothing a method computes: a DAE trained on streamed samples (read-ahead
 * on, several epochs, validation and best-weight selection) ends with weights byte for byte those of the same
 * training on samples held in memory, on the cpu backend.
 */
import assert from "node:assert/strict";
import "../../plugins/mod.ts";
import { openCaseStore } from "../../core/cache/mod.ts";
import {
  type AnySplit,
  type Case,
  collectSamples,
  type Dataset,
  getMethod,
  getNoise,
  type LoadedSamples,
  openSamples,
  parseConfig,
  Rng,
  silentProgress,
  tf,
} from "../../core/mod.ts";
import { StreamedSamples } from "../../core/streamed_samples.ts";

/** A case of `d` 8×8×2 slices; slice 1 has a lesion when `lesion`. */
function synthCase(id: string, d: number, lesion: boolean): Case {
  const n = d * 64;
  const rng = new Rng(id);
  return {
    id,
    shape: [d, 8, 8, 2],
    image: Float32Array.from({ length: 2 * n }, () => rng.next()),
    foreground: Uint8Array.from({ length: n }, (_, i) => (i % 8 > 0 && i % 8 < 7 ? 1 : 0)),
    label: Uint8Array.from({ length: n }, (_, i) => (lesion && i >= 64 && i < 70 ? 1 : 0)),
  };
}

async function train(train: LoadedSamples, validation: LoadedSamples): Promise<Uint8Array[]> {
  const def = getMethod("dae");
  const config = parseConfig(def.schema, {
    widths: [4, 8],
    steps: 12,
    batchSize: 4,
    validateEvery: 3,
    keepBest: true,
    medianKernel: 3,
    erodeKernel: 3,
  }, "dae");
  const noise = getNoise("gaussian");
  const dae = def.create(config, train.sampleShape, 3);
  await dae.train({ sampleShape: train.sampleShape, train, validation }, {
    backend: tf.getBackend(),
    seed: 3,
    rng: new Rng(3).fork("train"),
    noise: noise.create(parseConfig(noise.schema, {}, "gaussian")),
    progress: silentProgress,
    checkpoint: async () => {},
  });
  const state = await dae.save();
  dae.dispose();
  return Object.keys(state.tensors).sort().map((k) =>
    new Uint8Array(state.tensors[k]!.values.buffer.slice(0))
  );
}

Deno.test("a DAE trained on streamed samples ends byte for byte as one trained on samples in memory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases = Object.fromEntries(
      ["a", "b", "c", "d", "e", "f"].map((id, i) => [id, synthCase(id, 2 + (i % 3), i % 2 === 0)]),
    );
    const store = await openCaseStore({
      datasetId: "t",
      key: "k",
      splits: { train: ["a", "b", "c", "d"], validation: ["e", "f"], test: [] },
      build: (id) => Promise.resolve(cases[id]!),
      cacheDir: dir,
    });
    const dataset: Dataset = {
      id: "t",
      dims: 2,
      channels: ["x", "y"],
      preprocessingHash: "0",
      preprocessing: {},
      cases: (s: AnySplit) => store.cases(s as "train"),
      stored: (s: AnySplit) => store.stored!(s as "train"),
    };
    const opts = (what: string) => ({ healthyOnly: true, what });
    const streamed = [
      await openSamples(dataset, "train", opts("train")),
      await openSamples(dataset, "validation", opts("v")),
    ];
    assert.ok(streamed.every((s) => s instanceof StreamedSamples), "a dataset with a cache is streamed");
    const inMemory = [
      await collectSamples(store.cases("train"), 2, opts("train")),
      await collectSamples(store.cases("validation"), 2, opts("v")),
    ];
    assert.equal(streamed[0]!.size, 11 - 2, "lesion slices dropped");
    const a = await train(streamed[0]!, streamed[1]!);
    const b = await train(inMemory[0]!, inMemory[1]!);
    assert.ok((streamed[0] as StreamedSamples).stats.prefetched > 0, "the read-ahead was used");
    assert.equal(a.length, b.length);
    a.forEach((w, i) => assert.deepEqual(w, b[i], `tensor ${i}`));
    const untrained = await (async () => {
      const dae = getMethod("dae").create(parseConfig(getMethod("dae").schema, { widths: [4, 8] }, "dae"), [
        8,
        8,
        2,
      ], 3);
      const s = await dae.save();
      dae.dispose();
      return Object.keys(s.tensors).sort().map((k) => new Uint8Array(s.tensors[k]!.values.buffer.slice(0)));
    })();
    assert.notDeepEqual(a, untrained, "training changed the weights");
    streamed.forEach((s) => s.close?.());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
