import assert from "node:assert/strict";
import "../../plugins/mod.ts";
import { parseConfig } from "../../core/mod.ts";
import { gridSchema } from "../grid.ts";
import type { PlannedCell } from "../plan.ts";
import { cellResources, className, resourceProblems, sbatchOptions } from "./resources.ts";

const grid = (slurm?: unknown) =>
  parseConfig(gridSchema, {
    name: "g",
    datasets: [{ id: "phantom2d" }],
    methods: [{ id: "thresholding", label: "T" }, { id: "dae", label: "DAE" }, { id: "vae" }],
    noises: [{ id: "coarse" }],
    ...(slurm ? { slurm } : {}),
  }, "test grid");
const cell = (method: string, methodLabel: string) =>
  ({ spec: { method }, methodLabel }) as unknown as PlannedCell;

Deno.test("a method without resources asks for a GPU and the cluster's default memory", () => {
  assert.deepEqual(cellResources(cell("dae", "DAE"), grid()), { gpu: true });
});

Deno.test("the grid overrides resources by method id, then row label; unknown names are problems", () => {
  const g = grid({
    resources: {
      T: { gpu: false, memoryGiB: 4 },
      dae: { memoryGiB: 24, time: "2-00:00:00" },
      DAE: { cpus: 4 },
    },
  });
  assert.deepEqual(cellResources(cell("thresholding", "T"), g), { gpu: false, memoryGiB: 4 });
  assert.deepEqual(cellResources(cell("dae", "DAE"), g), {
    gpu: true,
    memoryGiB: 24,
    time: "2-00:00:00",
    cpus: 4,
  });
  assert.deepEqual(resourceProblems(g), []);
  assert.match(resourceProblems(grid({ resources: { unet: { gpu: false } } }))[0]!, /'unet' is neither/);
  assert.throws(() => grid({ resources: { T: { time: "two days" } } }), /a Slurm time limit/);
});

Deno.test("sbatch options: the GPU request only for GPU cells; the cell's partition and time over the command line's", () => {
  const cli = { partition: "gpu", gres: "gpu:1", time: "24:00:00" };
  assert.deepEqual(sbatchOptions({ gpu: true, memoryGiB: 16.5, cpus: 2 }, cli), [
    "--partition=gpu",
    "--gres=gpu:1",
    "--time=24:00:00",
    "--mem=16896M",
    "--cpus-per-task=2",
  ]);
  assert.deepEqual(sbatchOptions({ gpu: false, partition: "cpu", time: "30" }, cli), [
    "--partition=cpu",
    "--time=30",
  ]);
  assert.equal(className({ gpu: true, memoryGiB: 16, partition: "a100 big" }), "gpu-16G-p_a100_big");
});
