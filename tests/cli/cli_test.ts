/**
 * The command line as a user meets it: clear errors that leave no run behind, a tiny real training run, score
 * and eval on it, a resumable bench grid, and the plugin listing.
 */
import assert from "node:assert/strict";
import { readNifti } from "../../core/nifti/mod.ts";

const main = new URL("../../cli/main.ts", import.meta.url).pathname;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, ...args],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const tinyData = [
  "size=32",
  "trainSubjects=3",
  "validationSubjects=1",
  "testSubjects=2",
  "slicesPerSubject=4",
]
  .flatMap((s) => ["--dataset-set", s]);
const tinyDae = ["widths=[4,8]", "steps=3", "batchSize=4"].flatMap((s) => ["--set", s]);

function listDir(path: string): string[] {
  try {
    return [...Deno.readDirSync(path)].map((e) => e.name);
  } catch {
    return [];
  }
}

Deno.test("bad names and values are clear errors and leave no run directory", async () => {
  const runs = await Deno.makeTempDir();
  const cases: [string[], RegExp][] = [
    [["--method", "nope", "--noise", "coarse"], /unknown method 'nope'; registered methods: .*dae/],
    [["--noise", "pink"], /unknown noise 'pink'; registered noises: .*coarse/],
    [["--noise", "coarse", "--set", "lr=-1"], /method 'dae'[\s\S]*lr:/],
    [["--noise", "coarse", "--dataset-set", "size=3"], /dataset 'phantom2d'[\s\S]*size/],
    [["--noise", "coarse", "--seed", "x"], /--seed/],
    [["--noise", "coarse", "--bogus"], /bogus/],
    [
      ["--dataset", "realbrain", "--noise", "coarse", "--data", "/nonexistent/folder"],
      /\/nonexistent\/folder/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = await cli("train", "--backend", "cpu", "--runs-dir", runs, ...args);
    assert.notEqual(r.code, 0, `expected failure for ${args.join(" ")}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /^\s+at /m, "a user error should not print a stack trace");
  }
  assert.deepEqual(listDir(runs), [], "no run directory may be created for a rejected command");
});

Deno.test("a tiny run trains, records everything, and can be scored and re-evaluated", async () => {
  const runs = await Deno.makeTempDir();
  const r = await cli(
    "train",
    "--backend",
    "cpu",
    "--noise",
    "coarse",
    "--runs-dir",
    runs,
    ...tinyData,
    ...tinyDae,
  );
  assert.equal(r.code, 0, r.stderr);
  const [id] = listDir(runs);
  const dir = `${runs}/${id}`;
  const record = JSON.parse(await Deno.readTextFile(`${dir}/run.json`));
  assert.equal(record.status, "complete");
  assert.equal(record.spec.backend, "cpu");
  assert.equal(record.identity.backend, "cpu");
  assert.match(record.identity.code, /^[0-9a-f]{16}$/);
  assert.match(record.identity.data, /^[0-9a-f]{16}$/);
  assert.equal(record.resolved.methodConfig.steps, 3);
  assert.match(record.preprocessingHash, /^[0-9a-f]+$/);
  assert.ok(record.versions.tfjs && record.versions.deno);
  const metrics = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));
  for (const id of ["auprc", "dice-max", "auroc"]) {
    assert.ok(
      metrics.metrics[id].value >= 0 && metrics.metrics[id].value <= 1,
      `${id} = ${metrics.metrics[id].value}`,
    );
  }
  assert.equal(metrics.training.steps, 3);
  for (const f of ["model.state", "examples.png"]) assert.ok((await Deno.stat(`${dir}/${f}`)).size > 0, f);
  assert.match(r.stderr, /backend: cpu/);

  const ev = await cli("eval", "--run", dir, "--backend", "cpu");
  assert.equal(ev.code, 0, ev.stderr);
  const again = JSON.parse(await Deno.readTextFile(`${dir}/eval.json`));
  assert.ok(
    Math.abs(again.metrics.auprc.value - metrics.metrics.auprc.value) < 1e-9,
    "eval must reproduce the run's AUPRC",
  );

  const sc = await cli("score", "--run", dir, "--backend", "cpu", "--masks");
  assert.equal(sc.code, 0, sc.stderr);
  const written = listDir(`${dir}/heatmaps`);
  assert.equal(written.filter((f) => f.endsWith(".png")).length, 2);
  const maps = written.filter((f) => f.endsWith(".nii.gz") && !f.endsWith("_mask.nii.gz"));
  assert.equal(maps.length, 2, `score maps: ${written.join(", ")}`);
  for (const f of maps) {
    const map = await readNifti(`${dir}/heatmaps/${f}`);
    const mask = await readNifti(`${dir}/heatmaps/${f.replace(".nii.gz", "_mask.nii.gz")}`);
    assert.deepEqual(map.shape, [32, 32, 4], f);
    assert.equal(map.datatype, "float32");
    assert.ok(map.data.every((x) => x >= 0) && map.data.some((x) => x > 0), `${f}: scores ≥ 0, not all 0`);
    assert.deepEqual(mask.shape, map.shape);
    assert.ok(mask.data.every((x) => x === 0 || x === 1) && mask.data.some((x) => x === 1), `${f}: mask`);
    // phantom2d is generated: a diagonal affine from its spacing, first voxel at the origin.
    assert.deepEqual(map.affine.map((r) => r[3]), [0, 0, 0, 1]);
    assert.ok(map.affine[0]![0]! > 0 && map.affine[0]![1] === 0 && map.affine[2]![2]! > 0);
  }
});

Deno.test("score and eval refuse a directory that is not a complete run", async () => {
  const dir = await Deno.makeTempDir();
  const r = await cli("eval", "--run", dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /run\.json not found/);
  const record = { runId: "x", status: "interrupted", spec: {}, preprocessingHash: "h" };
  await Deno.writeTextFile(`${dir}/run.json`, JSON.stringify(record));
  const s = await cli("score", "--run", dir);
  assert.notEqual(s.code, 0);
  assert.match(s.stderr, /not a complete run \(status: interrupted\); resume it: deno task train --resume/);
  await Deno.writeTextFile(`${dir}/run.json`, JSON.stringify(record).slice(0, 30));
  const torn = await cli("eval", "--run", dir);
  assert.match(torn.stderr, new RegExp(`${dir}/run\\.json: not valid JSON .*damaged or truncated`));
});

Deno.test("bench runs a grid, writes the leaderboard, and resumes without redoing finished cells", async () => {
  const out = await Deno.makeTempDir();
  const grid = {
    name: "tiny",
    datasets: [{
      id: "phantom2d",
      config: { size: 32, trainSubjects: 3, validationSubjects: 1, testSubjects: 2, slicesPerSubject: 4 },
    }],
    methods: [{ id: "dae", config: { widths: [4, 8], steps: 2, batchSize: 4 } }],
    noises: [{ id: "gaussian" }, { id: "coarse", config: { resolution: 4 } }],
    seeds: [0],
    backend: "cpu",
  };
  await Deno.writeTextFile(`${out}/grid.json`, JSON.stringify(grid));
  const first = await cli("bench", "--grid", `${out}/grid.json`, "--out", out, "--jobs", "2");
  assert.equal(first.code, 0, first.stderr);
  const cells = listDir(`${out}/tiny/cells`).filter((f) => f.endsWith(".json"));
  assert.equal(cells.length, 2);
  const md = await Deno.readTextFile(`${out}/tiny/leaderboard.md`);
  assert.match(md, /\| Method \| Noise \| AUPRC \| Dice/);
  assert.match(md, /2 of 2 cells finished\./);
  assert.match(md, /gaussian/);
  assert.match(md, /coarse/);
  assert.match(
    await Deno.readTextFile(`${out}/tiny/leaderboard.csv`),
    /^dataset,data_identity,preprocessing_hash,method,noise,seeds,auprc_mean/,
  );
  const second = await cli("bench", "--grid", `${out}/grid.json`, "--out", out);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /2 cells, 2 already finished, 0 to run/);
  const row = JSON.parse(await Deno.readTextFile(`${out}/tiny/cells/${cells[0]}`));
  assert.ok(Object.keys(row.perCaseAp).length > 0, "per-case AP recorded for the paired statistics");
  assert.ok(row.prCurve.recall.length > 1, "PR curve recorded");
  assert.match(row.codeVersion, /^[0-9a-f]{16}$/);
  assert.match(row.dataIdentity, /^[0-9a-f]{16}$/);
  // --report rebuilds the same leaderboards from the grid's folder alone.
  for (const f of ["md", "csv", "html"]) await Deno.remove(`${out}/tiny/leaderboard.${f}`);
  const report = await cli("bench", "--grid", `${out}/tiny`, "--report");
  assert.equal(report.code, 0, report.stderr);
  assert.equal(await Deno.readTextFile(`${out}/tiny/leaderboard.md`), md);
  assert.match(await Deno.readTextFile(`${out}/tiny/leaderboard.html`), /<table/);
  // Each row's rerun command reproduces its cell's metrics bit for bit.
  assert.match(row.rerun, /^deno task train --from .*\/tiny\/runs\/[0-9a-f]{16}\/run\.json$/);
  const rerun = await cli("train", "--from", row.rerun.split(" --from ")[1], "--runs-dir", `${out}/reruns`);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stderr, /reproduced: 6 metrics identical to .*metrics\.json/);
  const extra = await cli("train", "--from", row.rerun.split(" --from ")[1], "--seed", "3");
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /--from takes no --seed/);
});

Deno.test("plugins --json lists every kind with config schemas", async () => {
  const r = await cli("plugins", "--json");
  assert.equal(r.code, 0, r.stderr);
  const entries = JSON.parse(r.stdout) as {
    kind: string;
    id: string;
    configSchema?: { properties?: Record<string, unknown> };
  }[];
  const dae = entries.find((e) => e.kind === "method" && e.id === "dae");
  assert.ok(dae?.configSchema?.properties?.widths, "dae's schema lists its fields");
  for (const kind of ["method", "noise", "dataset", "metric", "preset"]) {
    assert.ok(entries.some((e) => e.kind === kind), `no ${kind} listed`);
  }
});
