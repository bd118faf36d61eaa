/**
 * A reviewer's checks of the bench, end to end through the command line: a failed cell is visible in every
 * leaderboard, another backend reruns the cells, a new plugin folder reruns nothing while an edited plugin
 * reruns its own cells only (and the report shows the old ones as stale), and two benches into one folder
 * run each cell once.
 */
import assert from "node:assert/strict";
import "../../plugins/mod.ts";
import { resolveRun } from "../../runner/spec.ts";
import { sharedModelPath } from "../../runner/run.ts";

const root = new URL("../../", import.meta.url).pathname;

async function bench(cwd: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${cwd}/cli/main.ts`, "bench", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const tinyPhantom = {
  id: "phantom2d",
  config: { size: 32, trainSubjects: 2, validationSubjects: 1, testSubjects: 2, slicesPerSubject: 3 },
};

async function gridFile(dir: string, grid: Record<string, unknown>): Promise<string> {
  const path = `${dir}/${grid.name}.json`;
  await Deno.writeTextFile(path, JSON.stringify({ datasets: [tinyPhantom], backend: "cpu", ...grid }));
  return path;
}

Deno.test("a failing cell is shown, with its reason, in the md, csv and html leaderboards", async () => {
  const dir = await Deno.makeTempDir();
  const grid = await gridFile(dir, {
    name: "fails",
    methods: [
      { id: "thresholding", label: "T" },
      // A patch larger than the 32×32 slices: the DAE refuses it when the cell starts.
      { id: "dae", label: "DAE", config: { widths: [4, 8], steps: 2, batchSize: 2, patchSize: [48, 48] } },
    ],
    noises: [{ id: "gaussian" }],
    seeds: [0],
  });
  const r = await bench(root, "--grid", grid, "--out", dir);
  assert.notEqual(r.code, 0, "a grid with a failed cell exits non-zero");
  assert.match(r.stderr, /1 cell\(s\) failed; the reasons are in the leaderboards/);
  const md = await Deno.readTextFile(`${dir}/fails/leaderboard.md`);
  assert.match(md, /1 of 2 cells finished, 1 failed\./);
  assert.match(md, /\| DAE \| gaussian \| — \| — \| — \| — \| none \(0 failed\) \|/);
  assert.match(md, /- DAE · gaussian, seed 0: dae: patchSize \[48, 48\] must have 2 sizes, each at most/);
  const csv = await Deno.readTextFile(`${dir}/fails/leaderboard.csv`);
  assert.match(
    csv,
    /,DAE,gaussian,0,(,)+1,0,1,0,0,dae: patchSize \[48; 48\]|,DAE,gaussian,0,.*,1,0,1,0,0,"?dae: patchSize/,
  );
  const html = await Deno.readTextFile(`${dir}/fails/leaderboard.html`);
  assert.match(html, /1 of 2 cells finished, 1 failed/);
  assert.match(html, /<h3>Failed cells<\/h3>[\s\S]*dae: patchSize \[48, 48\]/);
});

Deno.test("another backend reruns a finished grid's cells (and the same backend does not)", async (t) => {
  const adapter = await (navigator as { gpu?: GPU }).gpu?.requestAdapter().catch(() => null);
  if (!adapter) {
    t.step({ name: "skipped: no WebGPU adapter (install mesa-vulkan-drivers)", ignore: true, fn: () => {} });
    return;
  }
  const dir = await Deno.makeTempDir();
  const grid = await gridFile(dir, { name: "backends", methods: [{ id: "thresholding" }], seeds: [0] });
  const cpu = await bench(root, "--grid", grid, "--out", dir);
  assert.equal(cpu.code, 0, cpu.stderr);
  const again = await bench(root, "--grid", grid, "--out", dir);
  assert.match(again.stderr, /1 cells, 1 already finished, 0 to run/);
  const webgpu = await bench(root, "--grid", grid, "--out", dir, "--backend", "webgpu");
  assert.equal(webgpu.code, 0, webgpu.stderr);
  assert.match(webgpu.stderr, /1 cells, 0 already finished, 1 to run .*backend webgpu/);
  const md = await Deno.readTextFile(`${dir}/backends/leaderboard.md`);
  assert.match(md, /1 of 1 cells finished; 1 stale result left out/);
  assert.match(md, /\| thresholding \| - \| [0-9a-f]{16} \| [0-9a-f]{16} \| webgpu \|/);
});

/** Copies the project (sources only) into a fresh folder, so that its code can be edited by a test. */
async function copyProject(): Promise<string> {
  const dest = await Deno.makeTempDir();
  for (const entry of Deno.readDirSync(root)) {
    if ([".git", "results", "runs", ".cache", "docs", "node_modules"].includes(entry.name)) continue;
    const out = await new Deno.Command("cp", { args: ["-r", `${root}/${entry.name}`, dest] }).output();
    assert.ok(out.success, `copy ${entry.name}`);
  }
  return dest;
}

Deno.test("a new plugin folder reruns no cell; an edited plugin reruns its own cells; the report shows stale ones", async () => {
  const project = await copyProject();
  const grid = await gridFile(project, {
    name: "code",
    methods: [{ id: "thresholding" }, { id: "dae", config: { widths: [4, 8], steps: 2, batchSize: 2 } }],
    noises: [{ id: "gaussian" }],
    seeds: [0],
  });
  const first = await bench(project, "--grid", grid);
  assert.equal(first.code, 0, first.stderr);
  // A method author adds a plugin folder and its line in plugins/mod.ts.
  await Deno.mkdir(`${project}/plugins/zzz`);
  await Deno.writeTextFile(
    `${project}/plugins/zzz/mod.ts`,
    'import { registerNoise, tf } from "../../core/mod.ts";\nimport * as v from "valibot";\n' +
      'registerNoise({ id: "zzz", description: "zeros", schema: v.strictObject({}), ' +
      'create: () => ({ id: "zzz", sample: (s) => tf.zeros([...s]) }) });\n',
  );
  await Deno.writeTextFile(
    `${project}/plugins/mod.ts`,
    `${await Deno.readTextFile(`${project}/plugins/mod.ts`)}import "./zzz/mod.ts";\n`,
  );
  const second = await bench(project, "--grid", grid);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /2 cells, 2 already finished, 0 to run/);
  // An edit (even a comment) in the thresholding plugin: its cell is stale until rerun, the DAE's is not.
  const file = `${project}/plugins/thresholding/thresholding.ts`;
  await Deno.writeTextFile(file, `// an edit\n${await Deno.readTextFile(file)}`);
  const report = await bench(project, "--grid", "results/code", "--report");
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /1 of 2 cells finished, 1 not run yet; 1 stale result left out/);
  assert.doesNotMatch(
    report.stdout,
    /\| thresholding \| - \| [0-9.]+ ±/,
    "the stale row is not shown as current",
  );
  const third = await bench(project, "--grid", grid);
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stderr, /2 cells, 1 already finished, 1 to run/);
  assert.match(third.stderr, /start {2}thresholding/);
  await Deno.remove(project, { recursive: true });
});

Deno.test("two benches into one folder run each cell once", async () => {
  const dir = await Deno.makeTempDir();
  const grid = await gridFile(dir, {
    name: "twice",
    methods: [{ id: "dae", config: { widths: [4, 8], steps: 12, batchSize: 2 } }],
    noises: [{ id: "gaussian" }],
    seeds: [0, 1, 2, 3],
  });
  const [a, b] = await Promise.all([
    bench(root, "--grid", grid, "--out", dir, "--jobs", "1"),
    bench(root, "--grid", grid, "--out", dir, "--jobs", "1"),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const done = (s: string) => (s.match(/ done {3}dae/g) ?? []).length;
  assert.equal(done(a.stderr) + done(b.stderr), 4, `${a.stderr}\n---\n${b.stderr}`);
  const md = await Deno.readTextFile(`${dir}/twice/leaderboard.md`);
  assert.match(md, /\| 0,1,2,3 \|/);
});

Deno.test("editing an external method's program reruns its cells and no other", async () => {
  const dir = await Deno.makeTempDir();
  const script = `${dir}/zscore.ts`;
  await Deno.copyFile(`${root}/examples/zscore/zscore.ts`, script);
  const run = [Deno.execPath(), "run", "--allow-read", "--allow-write", script];
  const grid = await gridFile(dir, {
    name: "ext",
    methods: [{ id: "thresholding" }, {
      id: "external",
      config: { train: [...run, "train"], score: [...run, "score"] },
    }],
    seeds: [0],
  });
  const first = await bench(root, "--grid", grid, "--out", dir);
  assert.equal(first.code, 0, first.stderr);
  assert.match(
    (await bench(root, "--grid", grid, "--out", dir)).stderr,
    /2 cells, 2 already finished, 0 to run/,
  );
  await Deno.writeTextFile(script, `${await Deno.readTextFile(script)}\n// an edit\n`);
  const again = await bench(root, "--grid", grid, "--out", dir);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /2 cells, 1 already finished, 1 to run/);
  assert.match(again.stderr, /start {2}external/);
});

Deno.test("a finished cell whose result file was lost is recovered from its run, not trained again", async () => {
  const dir = await Deno.makeTempDir();
  const grid = await gridFile(dir, {
    name: "lost",
    methods: [{ id: "dae", config: { widths: [4, 8], steps: 3, batchSize: 2 } }],
    noises: [{ id: "gaussian" }],
    seeds: [0],
  });
  const first = await bench(root, "--grid", grid, "--out", dir);
  assert.equal(first.code, 0, first.stderr);
  const cells = `${dir}/lost/cells`;
  const [file] = [...Deno.readDirSync(cells)].map((e) => e.name).filter((n) => /^[^.]+\.json$/.test(n));
  const row = await Deno.readTextFile(`${cells}/${file}`);
  const id = file!.slice(0, -5);
  const model = (await Deno.stat(`${dir}/lost/runs/${id}/model.state`)).mtime!.getTime();
  await Deno.remove(`${cells}/${file}`);
  const again = await bench(root, "--grid", grid, "--out", dir);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /train \d+\/3/, "no training step ran");
  assert.equal((await Deno.stat(`${dir}/lost/runs/${id}/model.state`)).mtime!.getTime(), model);
  const back = JSON.parse(await Deno.readTextFile(`${cells}/${file}`));
  assert.deepEqual(back.metrics, JSON.parse(row).metrics);
});

Deno.test("shared models are keyed by code, data and backend like cells", async () => {
  const r = resolveRun({ dataset: "phantom2d", method: "vae", seed: 0 });
  const identity = { code: "c1", data: "d1", backend: "cpu", external: {} };
  const base = await sharedModelPath(r, identity, "m");
  assert.ok(base);
  for (const change of [{ code: "c2" }, { data: "d2" }, { backend: "webgpu" }]) {
    assert.notEqual(await sharedModelPath(r, { ...identity, ...change }, "m"), base, JSON.stringify(change));
  }
});
