/**
 * Configs in files through the command line: `--print-config` prints a run that `--config` reads back
 * unchanged, and training from that file is the same run (same resolved config and cell id) as training
 * from the flags; a bad file is refused naming the file and the field before anything is written.
 */
import assert from "node:assert/strict";
import "../../plugins/mod.ts";
import { expandGrid } from "../../bench/grid.ts";
import { defaultGrid } from "../../cli/defaults.ts";
import { specIdentity } from "../../runner/identity.ts";
import { resolveRun } from "../../runner/spec.ts";

const main = new URL("../../cli/main.ts", import.meta.url).pathname;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const tiny = [
  "--backend",
  "cpu",
  "--noise",
  "coarse",
  "--seed",
  "3",
  ...["size=32", "trainSubjects=3", "validationSubjects=1", "testSubjects=2", "slicesPerSubject=4"]
    .flatMap((s) => ["--dataset-set", s]),
  ...["widths=[4,8]", "steps=3", "batchSize=4"].flatMap((s) => ["--set", s]),
  "--noise-set",
  "sigma=0.3",
];

async function onlyRun(runsDir: string) {
  const [id, ...more] = [...Deno.readDirSync(runsDir)].map((e) => e.name);
  assert.equal(more.length, 0);
  return JSON.parse(await Deno.readTextFile(`${runsDir}/${id}/run.json`));
}

Deno.test("print-config → file → train --config is the run the flags gave", async () => {
  const dir = await Deno.makeTempDir();
  const printed = await cli("train", ...tiny, "--print-config");
  assert.equal(printed.code, 0, printed.stderr);
  const config = JSON.parse(printed.stdout);
  assert.equal(config.methodConfig.steps, 3);
  assert.equal(config.methodConfig.lr, 1e-3, "the default bench's preset filled in");
  assert.equal(config.noiseConfig.resolution, 6, "the default bench's coarse resolution");
  assert.equal(config.noiseConfig.sigma, 0.3);
  assert.equal(config.datasetConfig.noiseStd, 0.02, "every dataset default filled in");
  await Deno.writeTextFile(`${dir}/run.json`, printed.stdout);
  const again = await cli("train", "--config", `${dir}/run.json`, "--print-config");
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, printed.stdout, "the file reads back as the same run");

  const byFlags = await cli("train", ...tiny, "--runs-dir", `${dir}/flags`);
  assert.equal(byFlags.code, 0, byFlags.stderr);
  const byFile = await cli("train", "--config", `${dir}/run.json`, "--runs-dir", `${dir}/file`);
  assert.equal(byFile.code, 0, byFile.stderr);
  const [a, b] = [await onlyRun(`${dir}/flags`), await onlyRun(`${dir}/file`)];
  assert.deepEqual(b.resolved, a.resolved);
  assert.equal(b.specHash, a.specHash, "same cell id: configuration, data, backend and code");
  assert.deepEqual(JSON.parse(byFile.stdout).metrics, JSON.parse(byFlags.stdout).metrics);

  // Flags override the file: --set over its methodConfig, --seed over its seed.
  const over = await cli(
    "train",
    "--config",
    `${dir}/run.json`,
    "--set",
    "steps=9",
    "--seed",
    "4",
    "--print-config",
  );
  assert.equal(over.code, 0, over.stderr);
  const o = JSON.parse(over.stdout);
  assert.deepEqual([o.methodConfig.steps, o.seed, o.methodConfig.widths], [9, 4, [4, 8]]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("train --method dae --noise coarse prints the default bench's dae/coarse cell", async () => {
  const r = await cli("train", "--method", "dae", "--noise", "coarse", "--print-config");
  assert.equal(r.code, 0, r.stderr);
  // The cell of the grid `deno task bench` runs (read from the grid: its budget may change).
  const cell = expandGrid(defaultGrid()).find((c) => c.spec.method === "dae" && c.spec.noise === "coarse");
  assert.ok(cell, "the default grid has a dae/coarse cell");
  const printed = JSON.parse(r.stdout);
  assert.deepEqual(specIdentity(resolveRun(printed)), specIdentity(resolveRun({ ...cell.spec, seed: 0 })));
  assert.equal(printed.datasetConfig.size, (cell.spec.datasetConfig as { size: number }).size);
});

Deno.test("a bad config file is refused naming the file and the field, leaving no run", async () => {
  const dir = await Deno.makeTempDir();
  const cases: [unknown, RegExp][] = [
    [{ method: "dae", noise: "coarse", metod: 1 }, /cfg\.json:\n {2}metod: unknown field/],
    [{ method: "dae", noise: "coarse", methodConfig: { steps: 0 } }, /cfg\.json:\n {2}methodConfig\.steps: /],
    [{ method: "nope" }, /cfg\.json:\n {2}method: unknown method 'nope'/],
  ];
  for (const [content, message] of cases) {
    await Deno.writeTextFile(`${dir}/cfg.json`, JSON.stringify(content));
    const r = await cli(
      "train",
      "--config",
      `${dir}/cfg.json`,
      "--backend",
      "cpu",
      "--runs-dir",
      `${dir}/runs`,
    );
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  }
  const missing = await cli("train", "--config", `${dir}/absent.json`);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /config file .*absent\.json: not found/);
  assert.equal([...Deno.readDirSync(dir)].some((e) => e.name === "runs"), false, "no run directory");
  await Deno.remove(dir, { recursive: true });
});
