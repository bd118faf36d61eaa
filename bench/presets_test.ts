import assert from "node:assert/strict";
import "../plugins/mod.ts";
import { getMethod } from "../core/mod.ts";
import { resolveRun } from "../runner/spec.ts";
import { expandGrid } from "./grid.ts";
import { gridPresets } from "./presets.ts";
import { binOf, parseStratum } from "./strata.ts";

Deno.test("every built-in grid expands into cells whose configurations resolve", () => {
  for (const [name, grid] of Object.entries(gridPresets)) {
    assert.equal(grid.name, name);
    const cells = expandGrid(grid);
    assert.ok(cells.length > 0, name);
    for (const c of cells) assert.doesNotThrow(() => resolveRun(c.spec), `${name}: ${c.methodLabel}`);
  }
});

Deno.test("the Table 2 grid crosses every noise with the DAE and the three diffusion inference methods", () => {
  const cells = expandGrid(gridPresets["paper-noise-inference"]!);
  const methods = new Set(cells.map((c) => c.spec.method));
  assert.deepEqual([...methods].sort(), ["anoddpm", "dae", "diffusion-kl", "diffusion-kl-inpaint"]);
  assert.deepEqual([...new Set(cells.map((c) => c.spec.noise))].sort(), ["coarse", "gaussian", "simplex"]);
  // The three diffusion methods share one trained model: their training settings must agree.
  const family = cells.filter((c) =>
    c.spec.method !== "dae" && c.spec.noise === "coarse" && c.spec.seed === 0
  );
  const keys = getMethod("anoddpm").meta.sharedModel!.trainingKeys;
  const training = family.map((c) => {
    const config = resolveRun(c.spec).method.config as Record<string, unknown>;
    return JSON.stringify(keys.map((k) => config[k]));
  });
  assert.equal(new Set(training).size, 1, "diffusion presets train different models");
});

Deno.test("the noise-resolution sweep stratifies one test split by the paper's lesion size ranges", () => {
  const grid = gridPresets["paper-noise-resolution"]!;
  assert.deepEqual(grid.datasets.map((d) => d.config.lesionDiameterMm), [[5, 50]]);
  const diameter = parseStratum(grid.strata[0]!);
  assert.equal(diameter.key, "lesionDiameterMm");
  assert.deepEqual([10, 20, 40].map((d) => binOf(diameter, d)), ["<15", "15-30", ">30"]);
  // The volume bins are the volumes of spheres of 15 and 30 mm.
  const volume = parseStratum(grid.strata[1]!);
  const sphere = (d: number) => (Math.PI / 6) * d ** 3 / 1000;
  assert.deepEqual(
    volume.bins!.slice(1).map((b) => b.lo),
    [sphere(15), sphere(30)].map((v) => +v.toFixed(2)),
  );
  assert.equal(expandGrid(grid).length, 6 * grid.seeds.length);
});
