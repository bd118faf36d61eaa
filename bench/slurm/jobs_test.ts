import assert from "node:assert/strict";
import type { PlannedCell } from "../plan.ts";
import { planJobs, type SubmitCell } from "./jobs.ts";

const cell = (id: string) => ({ cellId: id, label: id }) as unknown as PlannedCell;
const gpu = { gpu: true };
const cpu = { gpu: false };

Deno.test("cells without a shared model go into one array per resource class", () => {
  const jobs = planJobs([
    { cell: cell("t"), resources: cpu },
    { cell: cell("d0"), resources: gpu },
    { cell: cell("d1"), resources: gpu },
    { cell: cell("big"), resources: { gpu: true, memoryGiB: 32 } },
  ]);
  assert.deepEqual(jobs.map((j) => [j.name, j.cells.map((c) => c.cellId), j.after]), [
    ["cpu", ["t"], []],
    ["gpu", ["d0", "d1"], []],
    ["gpu-32G", ["big"], []],
  ]);
});

Deno.test("a shared model is trained by the first of its cells; the others wait for that task", () => {
  const cells: SubmitCell[] = [
    { cell: cell("dae"), resources: gpu },
    { cell: cell("vae"), resources: gpu, sharedModel: "m/vae-1" },
    { cell: cell("anoddpm"), resources: gpu, sharedModel: "m/diffusion-1" },
    { cell: cell("vae-restoration"), resources: gpu, sharedModel: "m/vae-1" },
    { cell: cell("kl-inpaint"), resources: gpu, sharedModel: "m/diffusion-1" },
    { cell: cell("kl"), resources: gpu, sharedModel: "m/diffusion-1" },
  ];
  const jobs = planJobs(cells);
  assert.deepEqual(jobs.map((j) => [j.name, j.cells.map((c) => c.cellId), j.after]), [
    ["gpu", ["dae", "vae", "anoddpm"], []],
    ["gpu-after-gpu.1", ["vae-restoration"], [{ job: 0, task: 1 }]],
    ["gpu-after-gpu.2", ["kl-inpaint", "kl"], [{ job: 0, task: 2 }]],
  ]);
});

Deno.test("a shared model being trained by an earlier submission's task: its cells wait for that task", () => {
  const jobs = planJobs(
    [{ cell: cell("vae-restoration"), resources: gpu, sharedModel: "m/vae-1" }],
    new Map([["m/vae-1", "41_3"]]),
  );
  assert.deepEqual(jobs.map((j) => [j.name, j.after]), [["gpu-after-41_3", [{ slurm: "41_3" }]]]);
});
