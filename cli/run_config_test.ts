import assert from "node:assert/strict";
import "../plugins/mod.ts";
import { expandGrid, gridSchema } from "../bench/grid.ts";
import { ConfigError, getPreset, parseConfig } from "../core/mod.ts";
import { specIdentity } from "../runner/identity.ts";
import { resolveRun } from "../runner/spec.ts";
import { specFromFlags } from "./args.ts";
import { defaultGrid, runDefaults } from "./defaults.ts";
import { formatConfig, layeredSpec, printableSpec, readConfigFile } from "./run_config.ts";

const defaults = runDefaults();
const flags = (v: Record<string, unknown>) => specFromFlags(v);
const resolved = (file: Parameters<typeof layeredSpec>[1], f: Record<string, unknown>) =>
  resolveRun(layeredSpec(defaults, file, flags(f)));

Deno.test("the command line's defaults are the default bench's cells, read from its grid", () => {
  for (const cell of expandGrid(defaultGrid())) {
    const s = cell.spec;
    const r = resolved(undefined, { method: s.method, noise: s.noise, seed: String(s.seed) });
    assert.deepEqual(specIdentity(r), specIdentity(resolveRun(s)), `${s.method} ${s.noise} seed ${s.seed}`);
  }
  // A method the grid does not use gets its own defaults, on the grid's data.
  const vae = resolved(undefined, { method: "vae" });
  assert.deepEqual(vae.dataset.config, resolveRun(expandGrid(defaultGrid())[0]!.spec).dataset.config);
  assert.equal(vae.spec.preset, undefined);
});

Deno.test("defaults from a grid that sweeps a field take its first value", () => {
  const grid = parseConfig(gridSchema, {
    name: "swept",
    datasets: [{ id: "phantom2d", config: { size: 24 } }],
    methods: [{ id: "dae", preset: "dae-cpu-small", config: { lr: [1e-3, 1e-4] } }],
    noises: [{ id: "coarse", config: { resolution: [2, 4] } }],
  }, "test grid");
  const d = runDefaults(grid);
  assert.deepEqual(d.methodConfig("dae"), { preset: "dae-cpu-small", config: { lr: 1e-3 } });
  assert.deepEqual(d.noiseConfig("coarse"), { resolution: 2 });
  assert.deepEqual(d.datasetConfig("phantom2d"), { size: 24 });
  assert.equal(d.noiseConfig("gaussian"), undefined);
});

Deno.test("layers: a flag preset overrides the file's method config, --set overrides both", () => {
  const file = { method: "dae", noise: "coarse", methodConfig: { steps: 5, erodeKeep: 0.5 } };
  const r = resolved(file, { preset: "dae-paper-2d", set: ["lr=0.5"] });
  const paper = getPreset("dae-paper-2d").config;
  const cfg = r.method.config as Record<string, unknown>;
  assert.equal(cfg.steps, paper.steps, "the preset's steps win over the file's");
  assert.equal(cfg.erodeKeep, 0.5, "a file value the preset does not set survives");
  assert.equal(cfg.lr, 0.5, "--set wins over everything");
  assert.deepEqual(cfg.widths, paper.widths);
  // Without flags the file wins over the bench's preset.
  const fromFile = resolved(file, {}).method.config as Record<string, unknown>;
  assert.equal(fromFile.steps, 5);
  assert.deepEqual(fromFile.widths, getPreset(defaults.methodConfig("dae")!.preset!).config.widths);
});

Deno.test("layers: another dataset, method or noise on the command line drops the file's config of the old one", () => {
  const notes: string[] = [];
  const file = {
    dataset: "phantom2d",
    datasetConfig: { size: 48 },
    noise: "coarse",
    noiseConfig: { sigma: 0.4 },
  };
  const spec = layeredSpec(
    defaults,
    file,
    flags({ noise: "gaussian", "dataset-set": ["testSubjects=3"] }),
    (l) => notes.push(l),
  );
  const r = resolveRun(spec);
  assert.equal(r.spec.noise, "gaussian");
  assert.deepEqual(r.noise!.config, { sigma: 0.2 }, "the bench's gaussian, not the file's coarse sigma");
  assert.equal((r.dataset.config as { size: number }).size, 48, "same dataset: the file's config stays");
  assert.equal((r.dataset.config as { testSubjects: number }).testSubjects, 3);
  assert.deepEqual(notes, [
    "--noise gaussian replaces the config file's noise 'coarse': its noiseConfig is not used",
  ]);
});

Deno.test("printableSpec is complete and reads back as the same run", () => {
  const r = resolved(undefined, { method: "dae", noise: "coarse", preset: "dae-paper-3d", data: "some/dir" });
  const printed = printableSpec(r);
  assert.equal(printed.preset, undefined, "the preset is applied, not named");
  assert.deepEqual(printed.methodConfig, r.method.config);
  assert.equal(printed.dataRoot, `${Deno.cwd()}/some/dir`);
  const again = resolveRun(JSON.parse(formatConfig(printed)));
  assert.deepEqual(specIdentity(again), specIdentity(r));
});

Deno.test("a config file: relative dataRoot from its folder; errors name the file and the field", async () => {
  const dir = await Deno.makeTempDir();
  const write = async (name: string, content: unknown) => {
    await Deno.writeTextFile(
      `${dir}/${name}`,
      typeof content === "string" ? content : JSON.stringify(content),
    );
    return `${dir}/${name}`;
  };
  const ok = await readConfigFile(await write("ok.json", { method: "dae", dataRoot: "../data" }));
  assert.equal(ok.dataRoot, `${dir.slice(0, dir.lastIndexOf("/"))}/data`);
  const bad: [unknown, RegExp][] = [
    [{ methd: "dae" }, /bad\.json:\n {2}methd: unknown field \(known fields: dataset, /],
    [{ method: "dae", methodConfig: { widthz: [4] } }, /bad\.json:\n {2}methodConfig\.widthz: unknown field/],
    [{ method: "dae", methodConfig: { medianKernel: 4 } }, /methodConfig\.medianKernel: must be odd/],
    [{ method: "dae", preset: "vae-paper-2d" }, /preset: 'vae-paper-2d' configures method 'vae', not 'dae'/],
    [{ noise: "pink" }, /noise: unknown noise 'pink'; registered noises: /],
    [{ noiseConfig: { sigma: 1 } }, /noiseConfig: names no noise; add "noise" beside it/],
    [{ dataset: "phantom2d", datasetConfig: { size: 3 } }, /datasetConfig\.size: /],
    [{ metrics: ["auprc", "nope"] }, /metrics: unknown metric 'nope'/],
    [{ seed: 1.5 }, /seed: must be an integer/],
  ];
  for (const [content, message] of bad) {
    const err = await readConfigFile(await write("bad.json", content)).then(() => undefined, (e) => e);
    assert.ok(err instanceof ConfigError, `${JSON.stringify(content)}: ${err}`);
    assert.match(err.message, new RegExp(`${dir}/bad\\.json`));
    assert.match(err.message, message);
  }
  await assert.rejects(readConfigFile(await write("torn.json", '{"method": ')), /torn\.json: not valid JSON/);
  await assert.rejects(readConfigFile(`${dir}/absent.json`), /absent\.json: not found/);
  await Deno.remove(dir, { recursive: true });
});
