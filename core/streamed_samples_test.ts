import assert from "node:assert/strict";
import { BatchStream } from "./batch_stream.ts";
import { openCaseStore } from "./cache/mod.ts";
import type { Case, Dims } from "./dataset.ts";
import type { Batch } from "./method.ts";
import { Rng } from "./rng.ts";
import { collectSamples, type SampleOptions } from "./samples.ts";
import { indexStoredSamples, type StreamedSamples } from "./streamed_samples.ts";
import { tf } from "./tf.ts";

/** A case of `d` slices 6×5×2 with distinct values; with `lesions`, every odd slice has label pixels. */
function synthCase(id: string, d: number, lesions: boolean | "none"): Case {
  const n = d * 6 * 5;
  const seed = id.charCodeAt(0);
  return {
    id,
    shape: [d, 6, 5, 2],
    image: Float32Array.from({ length: 2 * n }, (_, i) => Math.sin(seed * 1000 + i) * 1e3),
    foreground: Uint8Array.from({ length: n }, (_, i) => ((i * 7 + seed) % 4 ? 1 : 0)),
    ...(lesions === "none" ? {} : {
      label: Uint8Array.from(
        { length: n },
        (_, i) => (lesions && Math.floor(i / 30) % 2 && i % 3 === 0 ? 1 : 0),
      ),
    }),
  };
}

const CASES: Record<string, Case> = {
  a: synthCase("a", 3, true),
  b: synthCase("b", 4, "none"),
  c: synthCase("c", 5, true),
  d: synthCase("d", 2, false),
};

/** A cache entry holding CASES as its train split, and a function to remove it. */
async function store(cases = CASES) {
  const dir = await Deno.makeTempDir();
  const s = await openCaseStore({
    datasetId: "t",
    key: "k",
    splits: { train: Object.keys(cases), validation: [], test: [] },
    build: (id) => Promise.resolve(cases[id]!),
    cacheDir: dir,
  });
  return { s, dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

async function bytesOf(b: Batch): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const t of [b.images, b.foreground, b.labels]) {
    if (t) out.push(new Uint8Array((await t.data<"float32">()).buffer.slice(0)));
    t?.dispose();
  }
  return out;
}

async function assertSameBatches(
  dims: Dims,
  options: SampleOptions,
  streamOptions: { readAheadBytes?: number } = {},
  prefetch = true,
  cases = CASES,
): Promise<StreamedSamples> {
  await using c = await store(cases);
  const mem = await collectSamples(c.s.cases("train"), dims, options);
  const st = await indexStoredSamples(c.s.stored!("train"), dims, options, streamOptions);
  assert.equal(st.size, mem.size);
  assert.deepEqual(st.sampleShape, mem.sampleShape);
  const stream = new BatchStream(st.size, 3, new Rng(1));
  for (let i = 0; i < 12; i++) {
    const idx = stream.next();
    if (prefetch) st.prefetch(stream.upcoming(st.readAhead));
    assert.deepEqual(await bytesOf(st.batch(idx)), await bytesOf(mem.batch(idx)), `batch ${i}: [${idx}]`);
  }
  st.close();
  return st;
}

Deno.test("streamed samples: healthy slices of a 2D split, byte for byte the in-memory batches, read ahead", async () => {
  const st = await assertSameBatches(2, { healthyOnly: true });
  assert.equal(st.size, 2 + 4 + 3 + 2, "slices with label pixels dropped, label-less cases kept whole");
  assert.ok(st.stats.prefetched > 0, `the read-ahead delivered samples (${JSON.stringify(st.stats)})`);
});

Deno.test("streamed samples: a labelled split's labels (zeros for a case without one)", async () => {
  await assertSameBatches(2, { withLabels: true });
});

Deno.test("streamed samples: 3D cases are samples", async () => {
  const cubes = Object.fromEntries(
    (["p", "q", "r", "s"] as const).map((id, i) => [id, synthCase(id, 3, i % 2 ? "none" : true)]),
  );
  const st = await assertSameBatches(3, { withLabels: true }, {}, true, cubes);
  assert.deepEqual([st.size, st.sampleShape], [4, [3, 6, 5, 2]]);
});

Deno.test("streamed samples: the read-ahead holds at most its buffer's samples; without it batches read in place", async () => {
  const slotBytes = (4 * 60 + 30 + 7) & ~7;
  const bounded = await assertSameBatches(2, { healthyOnly: true }, { readAheadBytes: 2 * slotBytes });
  assert.equal(bounded.stats.slots, 2);
  assert.ok(bounded.stats.maxHeld <= 2, JSON.stringify(bounded.stats));
  assert.ok(bounded.stats.readInPlace > 0 && bounded.stats.prefetched > 0, JSON.stringify(bounded.stats));
  const plain = await assertSameBatches(2, { healthyOnly: true }, {}, false);
  assert.deepEqual([plain.stats.prefetched, plain.stats.readInPlace], [0, 36]);
});

Deno.test("streamed samples: the same errors as collectSamples", async () => {
  const odd = { a: CASES.a!, e: { ...synthCase("e", 2, "none"), shape: [2, 5, 6, 2] as const } };
  await using c = await store(odd as Record<string, Case>);
  const what = "dataset 't', train split";
  for (const load of [collectSamples, indexStoredSamples]) {
    const src = load === collectSamples ? c.s.cases("train") : c.s.stored!("train");
    await assert.rejects(
      // deno-lint-ignore no-explicit-any
      (load as any)(src, 2, { what }),
      /dataset 't', train split: case e has sample shape \[5,6,2\], others have \[6,5,2\]/,
    );
  }
  await using lesioned = await store({ a: { ...CASES.a!, label: new Uint8Array(90).fill(1) } });
  await assert.rejects(
    indexStoredSamples(lesioned.s.stored!("train"), 2, { healthyOnly: true, what }),
    /dataset 't', train split has no lesion-free samples \(2D\)/,
  );
});

Deno.test("streamed samples: a cache file changed after indexing is refused, naming the file and case", async () => {
  for (const prefetch of [false, true]) {
    await using c = await store();
    const st = await indexStoredSamples(c.s.stored!("train"), 2, { healthyOnly: true });
    const file = `${c.dir}/t/k/train-00001.case`; // case b: samples 2..5
    const bytes = await Deno.readFile(file);
    bytes[bytes.length - 200] = bytes[bytes.length - 200]! ^ 0xff; // an image value of its last slice
    await Deno.writeFile(file, bytes);
    if (prefetch) st.prefetch([[5]]);
    assert.throws(
      () => st.batch([5]),
      new RegExp(`${file}: sample 3 of case 'b' changed since the split was indexed \\(checksum mismatch\\)`),
    );
    const ok = st.batch([2]); // other slices of the file still read
    tf.dispose([ok.images, ok.foreground]);
    st.close();
  }
});
