import assert from "node:assert/strict";
import "./mod.ts";
import { getMethod, parseConfig, tf } from "../../core/mod.ts";

const def = getMethod("thresholding");
const create = (config: Record<string, unknown>, shape: number[]) =>
  def.create(parseConfig(def.schema, config, "thresholding"), shape, 0);

/** Two 8×8 slices, 2 channels: channel 0 a ramp (dim in slice 0, bright in slice 1), channel 1 its reverse. */
function batch() {
  const img = new Float32Array(2 * 64 * 2);
  for (let s = 0; s < 2; s++) {
    for (let p = 0; p < 64; p++) {
      img[(s * 64 + p) * 2] = (s + 1) * (p + 1) / 64;
      img[(s * 64 + p) * 2 + 1] = 1 - p / 64;
    }
  }
  const fg = tf.pad(tf.ones([2, 6, 8, 1]), [[0, 0], [1, 1], [0, 0], [0, 0]]);
  return { images: tf.tensor(img, [2, 8, 8, 2]), foreground: fg };
}

Deno.test("thresholding trains nothing and keeps an empty state", async () => {
  const m = create({}, [8, 8, 2]);
  const summary = await m.train(
    {} as Parameters<typeof m.train>[0],
    {} as Parameters<typeof m.train>[1],
  );
  assert.equal(summary.steps, 0);
  assert.deepEqual(await m.save(), { tensors: {} });
  assert.throws(
    () => m.load({ tensors: { w: { shape: [1], values: new Float32Array(1) } } }),
    /no weights.*\[w\]/,
  );
  assert.throws(() => create({ channel: 2 }, [8, 8, 2]), /channel 2 does not exist; samples have 2/);
});

Deno.test("per-batch equalisation ranks the brighter slice higher; per-slice equalises each alike", async () => {
  const b = batch();
  const perBatch = await create({ medianKernel: 1 }, [8, 8, 2]).score(b);
  const perSlice = await create({ medianKernel: 1, equaliseOver: "slice" }, [8, 8, 2]).score(b);
  const means = (t: tf.Tensor) => Array.from(tf.mean(t, [1, 2]).dataSync());
  const [dim, bright] = means(perBatch);
  assert.ok(bright! > dim! + 0.2, `slice means ${dim}, ${bright}`);
  const [a, c] = means(perSlice);
  assert.ok(Math.abs(a! - c!) < 1e-6, `per-slice means differ: ${a}, ${c}`);
  const fg = b.foreground.dataSync();
  perBatch.dataSync().forEach((v, i) => {
    if (fg[i] === 0) assert.equal(v, 0);
  });
});

Deno.test("thresholding scores the configured channel and median filters the map", async () => {
  const b = batch();
  // Channel 1 falls where channel 0 rises, so the maps are ordered the other way round.
  const ch0 = (await create({ medianKernel: 1, equaliseOver: "slice" }, [8, 8, 2]).score(b))
    .arraySync() as number[][][];
  const ch1 = (await create({ medianKernel: 1, equaliseOver: "slice", channel: 1 }, [8, 8, 2]).score(b))
    .arraySync() as number[][][];
  assert.ok(ch0[0]![1]![0]! < ch0[0]![6]![7]!);
  assert.ok(ch1[0]![1]![0]! > ch1[0]![6]![7]!);
  // A single bright voxel disappears under the 3×3 median filter.
  const spike = tf.pad(tf.ones([1, 1, 1, 1]), [[0, 0], [4, 3], [4, 3], [0, 0]]);
  const flat = { images: tf.add(tf.fill([1, 8, 8, 1], 0.5), spike), foreground: tf.ones([1, 8, 8, 1]) };
  const unfiltered = await create({ medianKernel: 1 }, [8, 8, 1]).score(flat);
  const filtered = await create({ medianKernel: 3 }, [8, 8, 1]).score(flat);
  assert.equal(tf.max(unfiltered).dataSync()[0], 1);
  assert.equal(
    tf.max(filtered).dataSync()[0],
    tf.min(filtered).dataSync()[0],
    "the spike survived the median filter",
  );
});
