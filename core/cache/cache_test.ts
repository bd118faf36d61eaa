import assert from "node:assert/strict";
import type { Case, Split } from "../dataset.ts";
import { decodeCase, encodeCase } from "./case_codec.ts";
import { fingerprintFiles, preprocessingKey } from "./key.ts";
import { openCaseStore } from "./store.ts";

function makeCase(id: string, withLabel: boolean): Case {
  const n = 2 * 3 * 4;
  return {
    id,
    shape: [2, 3, 4, 2],
    image: Float32Array.from({ length: 2 * n }, (_, i) => i / 7 + id.length),
    foreground: Uint8Array.from({ length: n }, (_, i) => i % 2),
    ...(withLabel ? { label: Uint8Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0)) } : {}),
    spacing: [2, 1, 1],
  };
}

async function collect(it: AsyncIterable<Case>): Promise<Case[]> {
  const out: Case[] = [];
  for await (const c of it) out.push(c);
  return out;
}

const splits = { train: ["a", "b"], validation: ["c"], test: ["d"] };
const caseFor = (id: string, split: Split) => makeCase(id, split === "test");

Deno.test("case codec round-trips image, masks, label, spacing, affine and metadata; rejects damaged bytes", () => {
  for (const withLabel of [false, true]) {
    const c = makeCase("x1", withLabel);
    const back = decodeCase(encodeCase(c), "x.case");
    assert.deepEqual([...back.image], [...c.image]);
    assert.deepEqual([...back.foreground], [...c.foreground]);
    assert.deepEqual(back.label && [...back.label], c.label && [...c.label]);
    assert.deepEqual([back.id, back.shape, back.spacing], [c.id, c.shape, c.spacing]);
  }
  const affine = [[0, 0, -2, 90], [1, 0, 0, -126], [0, 1.5, 0, -72], [0, 0, 0, 1]];
  assert.deepEqual(decodeCase(encodeCase({ ...makeCase("a", true), affine }), "a.case").affine, affine);
  assert.equal(decodeCase(encodeCase(makeCase("b", true)), "b.case").affine, undefined);
  const metadata = { age: 52.5, sex: "F", site: 'Zürich "A"' };
  const withMeta = decodeCase(encodeCase({ ...makeCase("m", true), metadata }), "m.case");
  assert.deepEqual(withMeta.metadata, metadata);
  assert.equal(typeof withMeta.metadata!.age, "number", "numbers stay numbers");
  assert.equal(decodeCase(encodeCase(makeCase("b", true)), "b.case").metadata, undefined);
  const bytes = encodeCase(makeCase("x", true));
  assert.throws(
    () => decodeCase(bytes.subarray(0, bytes.length - 1), "cut.case"),
    /cut\.case: corrupt cache file \(size/,
  );
  assert.throws(
    () => decodeCase(bytes.map((b, i) => (i === 0 ? 0 : b)), "m.case"),
    /m\.case: corrupt cache file \(wrong magic/,
  );
});

Deno.test("keys change with any parameter or source file; missing sources are named", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.nii`, "aaaa");
    const fp = await fingerprintFiles([`${dir}/a.nii`], dir);
    assert.equal(fp[0]!.path, "a.nii");
    const k1 = await preprocessingKey("d", { size: 64, q: 99 }, fp);
    assert.equal(k1, await preprocessingKey("d", { q: 99, size: 64 }, fp), "key order does not matter");
    assert.notEqual(k1, await preprocessingKey("d", { size: 65, q: 99 }, fp));
    await Deno.writeTextFile(`${dir}/a.nii`, "aaaaa");
    assert.notEqual(
      k1,
      await preprocessingKey("d", { size: 64, q: 99 }, await fingerprintFiles([`${dir}/a.nii`], dir)),
    );
    await assert.rejects(
      fingerprintFiles([`${dir}/gone.nii`], dir, "manifest.csv"),
      /gone\.nii: file not found \(listed by manifest\.csv/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store: builds once, second open is a hit that builds nothing; new key, new entry", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let builds = 0;
    const build = (id: string, split: Split) => (builds++, Promise.resolve(caseFor(id, split)));
    const first = await openCaseStore({ datasetId: "t", key: "k1", splits, build, cacheDir: dir });
    assert.equal(first.hit, false);
    assert.equal(builds, 4);
    const second = await openCaseStore({ datasetId: "t", key: "k1", splits, build, cacheDir: dir });
    assert.equal(second.hit, true);
    assert.equal(builds, 4);
    const test = await collect(second.cases("test"));
    assert.deepEqual(test.map((c) => c.id), ["d"]);
    assert.deepEqual([...test[0]!.label!], [...caseFor("d", "test").label!]);
    assert.deepEqual((await collect(second.cases("train"))).map((c) => c.id), ["a", "b"]);
    assert.deepEqual([second.count("train"), second.count("test")], [2, 1], "counts from the manifest");
    await openCaseStore({ datasetId: "t", key: "k2", splits, build, cacheDir: dir });
    assert.equal(builds, 8);
    assert.deepEqual([...Deno.readDirSync(`${dir}/t`)].map((e) => e.name).sort(), ["k1", "k2"]);
    const lazy = await openCaseStore({ datasetId: "t", key: "k1", splits, build });
    assert.equal(lazy.count("train"), 2);
    await collect(lazy.cases("train"));
    assert.equal(builds, 10, "without a cache folder cases are built on each pass");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store: interrupted or damaged entries are never trusted", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const failing = (id: string, split: Split) =>
      id === "c" ? Promise.reject(new Error("boom")) : Promise.resolve(caseFor(id, split));
    await assert.rejects(
      openCaseStore({ datasetId: "t", key: "k", splits, build: failing, cacheDir: dir }),
      /boom/,
    );
    assert.deepEqual([...Deno.readDirSync(`${dir}/t`)], [], "no entry and no temp folder left behind");
    // A manifest-less entry is ignored (and said so).
    await Deno.mkdir(`${dir}/t/k`);
    await Deno.writeFile(`${dir}/t/k/train-00000.case`, new Uint8Array(10));
    let builds = 0;
    const warnings: string[] = [];
    const warn = (line: string) => void warnings.push(line);
    const build = (id: string, split: Split) => (builds++, Promise.resolve(caseFor(id, split)));
    const s = await openCaseStore({ datasetId: "t", key: "k", splits, build, cacheDir: dir, warn });
    assert.equal(s.hit, false);
    assert.equal(builds, 4);
    assert.match(warnings.join("\n"), /k\/manifest\.json: missing, the cache entry is incomplete/);
    // A truncated case file, or one with a flipped bit, is rebuilt alone when read, with a warning.
    const f = `${dir}/t/k/train-00001.case`;
    for (
      const damage of [
        (b: Uint8Array) => b.subarray(0, 20),
        (b: Uint8Array) => b.map((x, i) => i === b.length - 1 ? x ^ 1 : x),
      ]
    ) {
      await Deno.writeFile(f, damage(await Deno.readFile(f)));
      warnings.length = 0;
      const again = await openCaseStore({ datasetId: "t", key: "k", splits, build, cacheDir: dir, warn });
      assert.equal(again.hit, true);
      const train = await collect(again.cases("train"));
      assert.deepEqual([...train[1]!.image], [...caseFor("b", "train").image]);
      assert.equal(builds, 5);
      builds = 4;
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /train-00001\.case: damaged cache file .*; rebuilding case 'b'/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
