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
