/**
 * Fault injection: the dataset cache. Keys follow the sources' content (not size and mtime) and the
 * preprocessing code version; damaged cache files are caught when read and rebuilt with a one-line warning;
 * the temp folder of a killed cache build is cleaned by the next build.
 */
import assert from "node:assert/strict";
import * as v from "valibot";
import { openCaseStore } from "../../core/cache/mod.ts";
import type { Case, Dataset, DatasetDefinition, DatasetOptions, Split } from "../../core/dataset.ts";
import { bratsDataset, patientFiles } from "../../plugins/brats/dataset.ts";
import { folder3dDataset, folderDataset } from "../../plugins/folder/dataset.ts";
import { headctDataset } from "../../plugins/headct/dataset.ts";
import { phantom2dDataset } from "../../plugins/phantom2d/dataset.ts";
import { realbrain3dDataset, realbrainDataset } from "../../plugins/realbrain/dataset.ts";
import { ball, captureWarnings, collect, lesion, nifti1, SHAPE, withTempDir, writeVolume } from "./_util.ts";

/** A folder3d manifest of three uncompressed cases (so voxels can be edited in place). */
async function writeFolder(dir: string): Promise<string> {
  for (const id of ["a", "b", "c"]) await Deno.writeFile(`${dir}/${id}.nii`, nifti1(ball(), SHAPE));
  await writeVolume(`${dir}/c_mask.nii.gz`, lesion(), SHAPE);
  await Deno.writeTextFile(
    `${dir}/manifest.csv`,
    "id,split,t1,mask\na,train,a.nii,\nb,validation,b.nii,\nc,test,c.nii,c_mask.nii.gz\n",
  );
  return `${dir}/manifest.csv`;
}

function load(manifest: string, options: DatasetOptions): Promise<Dataset> {
  const def = folder3dDataset as DatasetDefinition<unknown>;
  return def.load(v.parse(def.schema as v.GenericSchema, { manifest, size: 8 }), options);
}

const images = async (ds: Dataset, split: Split) => (await collect(ds.cases(split))).map((c) => [...c.image]);

Deno.test("a same-size edit of a source with its mtime kept changes the key and the cached data", async () => {
  await withTempDir(async (dir) => {
    const manifest = await writeFolder(dir);
    const cacheDir = `${dir}/cache`;
    const before = await load(manifest, { cacheDir });
    const old = await images(before, "train");
    const file = `${dir}/a.nii`;
    const { mtime, atime } = await Deno.stat(file);
    const bytes = await Deno.readFile(file);
    const view = new DataView(bytes.buffer);
    // Double every voxel of the first half of the volume: same size, different content.
    for (let at = 352; at < 352 + 2048 * 4; at += 4) view.setFloat32(at, 2 * view.getFloat32(at, true), true);
    await Deno.writeFile(file, bytes);
    await Deno.utime(file, atime!, mtime!);
    assert.equal((await Deno.stat(file)).mtime?.getTime(), mtime?.getTime(), "mtime kept");
    const after = await load(manifest, { cacheDir });
    assert.notEqual(after.preprocessingHash, before.preprocessingHash, "the content is part of the key");
    const fresh = await images(await load(manifest, {}), "train");
    assert.deepEqual(await images(after, "train"), fresh, "the cache serves the edited data");
    assert.notDeepEqual(fresh, old);
  });
});

Deno.test("a flipped byte in a cache file is caught when read: one warning line, the case rebuilt", async () => {
  await withTempDir(async (dir) => {
    const manifest = await writeFolder(dir);
    const cacheDir = `${dir}/cache`;
    const first = await load(manifest, { cacheDir });
    const expected = await images(first, "train");
    const entry = `${cacheDir}/folder3d/${first.preprocessingHash}`;
    const file = [...Deno.readDirSync(entry)].map((e) => e.name).find((n) => n.startsWith("train"))!;
    const bytes = await Deno.readFile(`${entry}/${file}`);
    bytes[bytes.length - 700]! ^= 0x40; // inside the image voxels: still a valid float
    await Deno.writeFile(`${entry}/${file}`, bytes);
    const { result, lines } = await captureWarnings(async () =>
      images(await load(manifest, { cacheDir }), "train")
    );
    assert.deepEqual(result, expected, "the damaged case was rebuilt, not served");
    assert.equal(lines.length, 1, `one warning line: ${JSON.stringify(lines)}`);
    assert.match(lines[0]!, new RegExp(`${file}.*checksum.*rebuil`));
    // The rebuilt file is good again: no warning the next time.
    const again = await captureWarnings(async () => images(await load(manifest, { cacheDir }), "train"));
    assert.deepEqual([again.result, again.lines], [expected, []]);
  });
});

Deno.test("a damaged cache manifest is rebuilt with a one-line warning naming it", async () => {
  await withTempDir(async (dir) => {
    const manifest = await writeFolder(dir);
    const cacheDir = `${dir}/cache`;
    const first = await load(manifest, { cacheDir });
    const expected = await images(first, "test");
    const m = `${cacheDir}/folder3d/${first.preprocessingHash}/manifest.json`;
    const text = await Deno.readTextFile(m);
    await Deno.writeTextFile(m, text.slice(0, text.length >> 1));
    const { result, lines } = await captureWarnings(async () =>
      images(await load(manifest, { cacheDir }), "test")
    );
    assert.deepEqual(result, expected);
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.ok(lines[0]!.includes(m), lines[0]);
  });
});

Deno.test("the temp folder of a killed cache build is removed by the next build; a live one is kept", async () => {
  await withTempDir(async (cacheDir) => {
    const store = new URL("../../core/cache/mod.ts", import.meta.url).href;
    // A child starts building entry "slow" and never finishes its second case; we kill it with SIGKILL.
    const script = `
      import { openCaseStore } from ${JSON.stringify(store)};
      const c = (id) => ({ id, shape: [1, 2, 2, 1], image: new Float32Array(4), foreground: new Uint8Array(4) });
      await openCaseStore({
        datasetId: "t", key: "slow", cacheDir: ${JSON.stringify(cacheDir)},
        splits: { train: ["a", "b"], validation: [], test: [] },
        build: (id) => id === "a" ? Promise.resolve(c(id)) : new Promise(() => setInterval(() => {}, 1000)),
      });`;
    const child = new Deno.Command(Deno.execPath(), { args: ["eval", "--no-check", script], stderr: "null" })
      .spawn();
    let temp: string | undefined;
    for (let i = 0; i < 300 && !temp; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const names = await Array.fromAsync(Deno.readDir(`${cacheDir}/t`)).catch(() => []);
      const t = names.find((e) => e.name.startsWith("slow.tmp"));
      if (t && [...Deno.readDirSync(`${cacheDir}/t/${t.name}`)].length > 0) temp = t.name;
    }
    child.kill("SIGKILL");
    await child.status;
    assert.ok(temp, "the child started its build");
    // A live build of this process must survive the cleaning.
    const live = `${cacheDir}/t/other.tmp-${Deno.hostname()}-${Deno.pid}-0123abcd`;
    await Deno.mkdir(live);
    const mk = (id: string): Case => ({
      id,
      shape: [1, 2, 2, 1],
      image: new Float32Array(4),
      foreground: new Uint8Array(4),
    });
    await openCaseStore({
      datasetId: "t",
      key: "next",
      cacheDir,
      splits: { train: ["x"], validation: [], test: [] },
      build: (id) => Promise.resolve(mk(id)),
    });
    const left = [...Deno.readDirSync(`${cacheDir}/t`)].map((e) => e.name).sort();
    assert.ok(!left.includes(temp!), `the killed build's ${temp} is gone: ${left}`);
    assert.ok(left.includes(live.split("/").at(-1)!), "a live build's temp folder is kept");
  });
});

/** Writes the small source files every file-backed dataset needs into `root`. */
async function writeSources(root: string): Promise<void> {
  for (const id of ["BraTS2021_00000", "BraTS2021_00001", "BraTS2021_00002"]) {
    await Deno.mkdir(`${root}/brats/${id}`, { recursive: true });
    const f = patientFiles(`${root}/brats`, id);
    for (const m of ["flair", "t1", "t1ce", "t2"]) await writeVolume(f[m]!, ball(), SHAPE);
    await writeVolume(f.seg!, lesion(), SHAPE);
  }
  await Deno.mkdir(`${root}/ct`);
  const hu = Float32Array.from(ball(), (x) => (x > 0 ? 40 : -1000));
  for (const id of ["h1", "h2", "h3"]) await writeVolume(`${root}/ct/${id}.nii.gz`, hu, SHAPE);
  await Deno.mkdir(`${root}/real`);
  await writeVolume(`${root}/real/colin27_t1.nii.gz`, ball(), SHAPE);
  await writeVolume(
    `${root}/real/colin27_brainmask.nii.gz`,
    Float32Array.from(ball(), (x) => (x > 0 ? 1 : 0)),
    SHAPE,
  );
  await Deno.mkdir(`${root}/folder`);
  await writeFolder(`${root}/folder`);
}

Deno.test("DatasetOptions.codeVersion is folded into every dataset's preprocessing hash", async () => {
  await withTempDir(async (root) => {
    await writeSources(root);
    const cases: [DatasetDefinition<unknown>, Record<string, unknown>, string | undefined][] = [
      [
        folderDataset as DatasetDefinition<unknown>,
        { manifest: `${root}/folder/manifest.csv`, size: 8 },
        undefined,
      ],
      [
        folder3dDataset as DatasetDefinition<unknown>,
        { manifest: `${root}/folder/manifest.csv`, size: 8 },
        undefined,
      ],
      [
        bratsDataset as DatasetDefinition<unknown>,
        { size: 8, trainFraction: 0.34, validationFraction: 0.33 },
        `${root}/brats`,
      ],
      [headctDataset as DatasetDefinition<unknown>, {
        shape: [8, 8, 8],
        trainFraction: 0.34,
        validationFraction: 0.33,
      }, `${root}/ct`],
      [realbrainDataset as DatasetDefinition<unknown>, {
        size: 8,
        trainCases: 1,
        validationCases: 1,
        testCases: 1,
      }, `${root}/real`],
      [realbrain3dDataset as DatasetDefinition<unknown>, {
        size: 8,
        trainCases: 1,
        validationCases: 1,
        testCases: 1,
      }, `${root}/real`],
      [phantom2dDataset as DatasetDefinition<unknown>, { size: 16 }, undefined],
    ];
    for (const [def, config, dataRoot] of cases) {
      const parsed = v.parse(def.schema as v.GenericSchema, config);
      const hash = async (codeVersion: string) =>
        (await def.load(parsed, { ...(dataRoot ? { dataRoot } : {}), codeVersion } as DatasetOptions))
          .preprocessingHash;
      const [a, a2, b] = [await hash("code-a"), await hash("code-a"), await hash("code-b")];
      assert.equal(a, a2, `${def.id}: the hash is stable`);
      assert.notEqual(a, b, `${def.id}: another preprocessing code version gives another hash`);
    }
  });
});
