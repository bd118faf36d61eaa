import assert from "node:assert/strict";
import "../plugins/mod.ts";
import { ConfigError, parseConfig } from "../core/mod.ts";
import { resolveRun } from "../runner/spec.ts";
import { expandGrid, gridProblems, gridSchema } from "./grid.ts";
import { parseSeeds } from "./main.ts";
import { planGrid } from "./plan.ts";

const base = {
  name: "g",
  datasets: [{ id: "phantom2d", config: { size: 32 } }],
  methods: [{ id: "thresholding" }],
};

Deno.test("grid: two entries with one row label, or one dataset twice, are errors before any cell runs", async () => {
  const same = parseConfig(
    gridSchema,
    { ...base, methods: [{ id: "thresholding" }, { id: "thresholding" }] },
    "g",
  );
  assert.deepEqual(gridProblems(same), [
    "methods: two entries share the row label 'thresholding'; give each a distinct \"label\"",
  ]);
  const labelled = parseConfig(gridSchema, {
    ...base,
    methods: [{ id: "dae", label: "X" }, { id: "thresholding", label: "X" }],
    noises: [{ id: "gaussian", label: "n" }, { id: "coarse", label: "n" }],
  }, "g");
  assert.equal(gridProblems(labelled).length, 2);
  const twice = parseConfig(gridSchema, { ...base, datasets: [base.datasets[0], base.datasets[0]] }, "g");
  assert.deepEqual(gridProblems(twice), ["datasets: 'phantom2d' is listed twice with one config"]);
  await assert.rejects(
    () => planGrid(same),
    (e) => e instanceof ConfigError && /share the row label/.test(e.message),
  );
  // Distinct labels are fine and expand to distinct rows.
  const fine = parseConfig(gridSchema, {
    ...base,
    methods: [{ id: "thresholding", label: "A" }, { id: "thresholding", label: "B" }],
  }, "g");
  assert.deepEqual(gridProblems(fine), []);
  assert.deepEqual(expandGrid(fine).map((c) => c.methodLabel), ["A", "A", "A", "B", "B", "B"]);
});

Deno.test("grid and run seeds: each once, integers in [0, 2^32)", () => {
  for (const seeds of [[0, 0], [-1], [1.5], [2 ** 32], []]) {
    assert.throws(() => parseConfig(gridSchema, { ...base, seeds }, "g"), ConfigError, JSON.stringify(seeds));
  }
  assert.deepEqual(parseConfig(gridSchema, { ...base, seeds: [0, 2 ** 32 - 1] }, "g").seeds, [
    0,
    2 ** 32 - 1,
  ]);
  assert.throws(
    () => resolveRun({ dataset: "phantom2d", method: "thresholding", seed: 4294967296 }),
    /seed: must be < 2\^32/,
  );
  assert.equal(
    resolveRun({ dataset: "phantom2d", method: "thresholding", seed: 4294967295 }).spec.seed,
    4294967295,
  );
});

Deno.test("--seeds: empty items, repeats and out-of-range seeds are usage errors naming the item", () => {
  assert.deepEqual(parseSeeds("0,1, 2"), [0, 1, 2]);
  assert.throws(() => parseSeeds("0,,1"), /item 2 \(''\) is not a non-negative integer/);
  assert.throws(() => parseSeeds("0,0"), /0 is listed twice/);
  assert.throws(() => parseSeeds("4294967296"), /not below 2\^32/);
  assert.throws(() => parseSeeds("1e3"), /is not a non-negative integer/);
  assert.throws(() => parseSeeds("-1"), /is not a non-negative integer/);
});

Deno.test("sweeps: a list of values a field would not take as one expands into one labelled row per value", () => {
  const grid = parseConfig(gridSchema, {
    ...base,
    methods: [{
      id: "dae",
      label: "DAE",
      config: { lr: [1e-3, 1e-4], widths: [[8, 16, 32], [16, 32, 64]], steps: 5 },
    }, { id: "dae", label: "plain", config: { widths: [8, 16, 32] } }],
    noises: [{ id: "coarse", config: { resolution: [4, 8] } }],
    seeds: [0],
  }, "g");
  assert.deepEqual(gridProblems(grid), []);
  const cells = expandGrid(grid);
  assert.equal(cells.length, (4 + 1) * 2);
  assert.deepEqual([...new Set(cells.map((c) => c.methodLabel))], [
    "DAE (lr=0.001, widths=[8,16,32])",
    "DAE (lr=0.001, widths=[16,32,64])",
    "DAE (lr=0.0001, widths=[8,16,32])",
    "DAE (lr=0.0001, widths=[16,32,64])",
    "plain",
  ]);
  assert.deepEqual([...new Set(cells.map((c) => c.noiseLabel))], [
    "coarse (resolution=4)",
    "coarse (resolution=8)",
  ]);
  const first = cells[0]!.spec;
  assert.deepEqual([first.methodConfig.lr, first.methodConfig.widths, first.noiseConfig.resolution], [
    1e-3,
    [8, 16, 32],
    4,
  ]);
  // Every expanded cell resolves: the swept values are real config values.
  for (const c of cells) resolveRun(c.spec);
});

Deno.test("compare: reference rows must name a row of the grid", () => {
  const grid = parseConfig(gridSchema, {
    ...base,
    methods: [{ id: "dae", label: "DAE" }],
    noises: [{ id: "gaussian", label: "G" }, { id: "coarse", label: "C" }],
    compare: [{ method: "DAE", noise: "G" }, { method: "DAE", noise: "pink" }],
  }, "g");
  const problems = gridProblems(grid);
  assert.equal(problems.length, 1);
  assert.match(
    problems[0]!,
    /compare: no row is labelled method 'DAE', noise 'pink' \(row labels: DAE · G; DAE · C\)/,
  );
});
