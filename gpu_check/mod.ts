/**
 * The gpu-check (`deno task gpu-check`): one command that proves the GPU backends on a GPU (correctness
 * against cpu, speed beside PyTorch on the same card, a convergence smoke test) and, without a GPU, runs the
 * same pipeline at tiny sizes as a dry run. See README.md in this folder.
 *
 * @example
 * ```ts
 * import { formatFigure, partDeadlines } from "./mod.ts";
 * console.assert(formatFigure(21.3, "ms/step") === "21.3 ms/step");
 * console.assert(partDeadlines(0, 480).correctness === 192_000);
 * ```
 * @module
 */
export { type CheckOptions, convergenceBackend, runGpuCheck } from "./check.ts";
export { DRY_RUN_PLAN, GPU_PLAN, type Part, partDeadlines, PARTS, type Plan, SHARES } from "./plan.ts";
export { formatFigure, type GpuCheckReport, renderMarkdown, renderTable, type Stop } from "./report.ts";
export { type Row, rowSchema } from "./rows.ts";
export { attachTorch, torchModeFor, torchRows } from "./torch_reference.ts";
