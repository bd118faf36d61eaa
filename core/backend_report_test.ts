import assert from "node:assert/strict";
import { type BackendSelectionReport, loadBackendReport, rankReport } from "./backend_report.ts";
import { sourceHash } from "./source_hash.ts";

const versions = { deno: "2.9.6", tfjs: "4.22.0", core: "0123456789abcdef" };
const report = (over: Partial<BackendSelectionReport> = {}): BackendSelectionReport => ({
  mode: "gpu",
  createdAt: "2026-01-01T00:00:00Z",
  versions,
  backends: [
    { backend: "webgpu", passed: true, hardware: true, device: "webgpu 4318:8992 H100", trainStepMs: 40 },
    { backend: "cuda", passed: true, hardware: true, device: "cuda H100 (sm_90)", trainStepMs: 20 },
  ],
  ...over,
});

Deno.test("rankReport: passing hardware backends, fastest first", () => {
  const r = rankReport(report(), versions);
  assert.ok("candidates" in r);
  assert.deepEqual(r.candidates.map((c) => c.backend), ["cuda", "webgpu"]);
});

Deno.test("rankReport: failed, software, unmeasured backends and other versions or dry runs are not used", () => {
  const failedCuda = report({
    backends: [
      { backend: "cuda", passed: false, hardware: true, device: "cuda X", trainStepMs: 10 },
      { backend: "webgpu", passed: true, hardware: false, device: "webgpu 65541:0 llvmpipe", trainStepMs: 5 },
      { backend: "webgpu", passed: true, hardware: true, device: "webgpu 1:2 G" },
    ],
  });
  assert.deepEqual(rankReport(failedCuda, versions), {
    ignored: "no backend in it passed every check on GPU hardware",
  });
  assert.deepEqual(rankReport(report({ mode: "dry-run" }), versions), { ignored: "it is a dry run" });
  const otherCore = rankReport(report(), { ...versions, core: "fedcba9876543210" });
  assert.ok("ignored" in otherCore && /other core\/ sources/.test(otherCore.ignored));
  const otherTfjs = rankReport(report(), { ...versions, tfjs: "4.21.0" });
  assert.ok("ignored" in otherTfjs && /other tfjs \(4\.22\.0, now 4\.21\.0\)/.test(otherTfjs.ignored));
});

Deno.test("loadBackendReport: missing, malformed and stale files are ignored with the reason", async () => {
  const dir = await Deno.makeTempDir();
  const root = new URL(`file://${dir}/`);
  try {
    await Deno.mkdir(`${dir}/core`);
    await Deno.writeTextFile(`${dir}/core/a.ts`, "export const a = 1;\n");
    assert.deepEqual(await loadBackendReport(root, "4.22.0"), {
      path: `${dir}/gpu-check/report.json`,
      ignored: "there is none",
    });
    await Deno.mkdir(`${dir}/gpu-check`);
    const path = `${dir}/gpu-check/report.json`;
    await Deno.writeTextFile(path, "{");
    assert.match((await loadBackendReport(root, "4.22.0") as { ignored: string }).ignored, /not JSON/);
    await Deno.writeTextFile(path, JSON.stringify({ selection: { ...report(), mode: "fast" } }));
    assert.match(
      (await loadBackendReport(root, "4.22.0") as { ignored: string }).ignored,
      /selection\.mode is malformed \(Invalid type/,
    );
    const core = await sourceHash(["core"], root);
    const good = { selection: report({ versions: { deno: Deno.version.deno, tfjs: "4.22.0", core } }) };
    await Deno.writeTextFile(path, JSON.stringify({ rows: [], ...good }));
    const loaded = await loadBackendReport(root, "4.22.0");
    assert.ok("candidates" in loaded, JSON.stringify(loaded));
    assert.equal(loaded.candidates[0]!.backend, "cuda");
    // Any change to core/ makes the report stale.
    await Deno.writeTextFile(`${dir}/core/a.ts`, "export const a = 2;\n");
    assert.match((await loadBackendReport(root, "4.22.0") as { ignored: string }).ignored, /other core/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
