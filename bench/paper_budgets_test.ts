import assert from "node:assert/strict";
import "../plugins/mod.ts";
import { getMethod } from "../core/mod.ts";
import { resolveRun } from "../runner/spec.ts";
import { expandGrid } from "./grid.ts";
import { effectiveValues, type MethodBudget, paperBudgets } from "./paper_budgets.ts";
import { withBudgetTables } from "./paper_budgets_readme.ts";
import { gridPresets } from "./presets.ts";

const paperGrids = Object.values(gridPresets).filter((g) => g.name.startsWith("paper-"));

/** The resolved method config of every cell of a paper grid, with the budget the table gives its method. */
function resolvedCells(): { where: string; config: Record<string, unknown>; budget: MethodBudget }[] {
  return paperGrids.flatMap((grid) =>
    expandGrid(grid).map((cell) => {
      const where = `${grid.name} × ${cell.methodLabel} × ${cell.noiseLabel} × seed ${cell.spec.seed}`;
      const budget = paperBudgets[grid.name]?.[cell.spec.method];
      assert.ok(budget, `${where}: method '${cell.spec.method}' has no entry in paper_budgets.ts`);
      return { where, config: resolveRun(cell.spec).method.config as Record<string, unknown>, budget };
    })
  );
}

Deno.test("the budget table covers exactly the methods of the paper grids", () => {
  assert.deepEqual(paperGrids.map((g) => g.name).sort(), Object.keys(paperBudgets).sort());
  for (const grid of paperGrids) {
    const methods = [...new Set(grid.methods.map((m) => m.id))].sort();
    assert.deepEqual(Object.keys(paperBudgets[grid.name]!).sort(), methods, grid.name);
  }
});

Deno.test("every cell of every paper grid resolves to the table's values", () => {
  const cells = resolvedCells();
  assert.ok(cells.length >= 36 + 24 + 12 + 18, `only ${cells.length} cells`);
  for (const { where, config, budget } of cells) {
    for (const [field, { value }] of Object.entries(effectiveValues(budget))) {
      assert.ok(field in config, `${where}: '${field}' is not a field of the resolved config`);
      assert.deepEqual(config[field], value, `${where}: ${field}`);
    }
  }
});

Deno.test("every trained method states its length, batch and model selection, each with a source", () => {
  for (const { where, config, budget } of resolvedCells()) {
    const values = effectiveValues(budget);
    for (const [field, { source }] of Object.entries(values)) {
      assert.ok(source.trim().length > 0, `${where}: ${field} has no source`);
    }
    const trained = "steps" in config || "ganSteps" in config;
    if (!trained) continue;
    const length = "steps" in config ? ["steps"] : ["ganSteps", "encoderSteps"];
    for (const field of [...length, "batchSize", "validateEvery", "keepBest"]) {
      assert.ok(field in values, `${where}: the table lacks '${field}'`);
    }
    assert.equal(values.validateEvery!.value, 32, where);
    assert.equal(values.keepBest!.value, true, where);
  }
});

Deno.test("in the BraTS grids the diffusion model, the VAE and the U-Net train the DAE's steps × slices", () => {
  for (const name of ["paper-noise-inference", "paper-brats-models"]) {
    const budgets = paperBudgets[name]!;
    const samples = (method: string) => {
      const v = effectiveValues(budgets[method]!);
      return (v.steps!.value as number) * (v.batchSize!.value as number);
    };
    const dae = samples("dae");
    assert.equal(dae, 2100 * 32 * 16);
    for (const method of Object.keys(budgets)) {
      const family = getMethod(method).meta.sharedModel?.family;
      if (family === "diffusion" || family === "vae" || method === "unet") {
        assert.equal(samples(method), dae, `${name}: ${method}`);
      }
    }
  }
});

Deno.test("bench/README.md shows exactly the budget tables of paper_budgets.ts", async () => {
  const readme = await Deno.readTextFile(new URL("./README.md", import.meta.url));
  const expected = await withBudgetTables(readme);
  assert.ok(
    readme === expected,
    "bench/README.md's budget tables differ from paper_budgets.ts: run `deno run -A bench/paper_budgets_readme.ts`",
  );
});
