/**
 * The gpu-check end to end, as CI runs it: the dry run (tiny sizes; `--dry-run` also on a GPU machine,
 * so this stays a few minutes), a deliberately wrong kernel, and a budget too small for any part.
 */
import assert from "node:assert/strict";
import { probeWebgpuAdapter, SOFTWARE_WEBGPU_ENV, softwareWebgpuRequested } from "../core/webgpu_adapter.ts";
import type { GpuCheckReport } from "./report.ts";

const root = new URL("../", import.meta.url);
const main = new URL("./main.ts", import.meta.url).pathname;

/** Runs the gpu-check with `args` into a fresh folder; returns its exit code, stdout and report. */
async function gpuCheck(
  args: string[],
): Promise<{ code: number; stdout: string; report: GpuCheckReport; md: string }> {
  const out = await Deno.makeTempDir({ prefix: "gpu-check-test-" });
  try {
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", main, "--out", out, "--dry-run", ...args],
      cwd: root.pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(run.stdout);
    let report: GpuCheckReport;
    try {
      report = JSON.parse(await Deno.readTextFile(`${out}/report.json`));
    } catch (e) {
      throw new Error(`no report.json (${e}); stderr: ${new TextDecoder().decode(run.stderr).slice(-3000)}`);
    }
    return { code: run.code, stdout, report, md: await Deno.readTextFile(`${out}/report.md`) };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

const probe = await probeWebgpuAdapter();
const webgpu = probe.adapter !== undefined && (probe.class.kind === "hardware" || softwareWebgpuRequested());
const noWebgpu = probe.adapter
  ? `the adapter is ${probe.label}; set ${SOFTWARE_WEBGPU_ENV}=1 to check it`
  : probe.reason;
if (!webgpu) console.log(`gpu-check tests: webgpu not checked here (${noWebgpu})`);

const HEADER = /\| check +\| backend +\| result +\| figure +\| PyTorch figure +\| ratio +\|/;

Deno.test("gpu-check dry run: report files, printed table, every part, exit code from the failures", async () => {
  const { code, stdout, report, md } = await gpuCheck(["--budget-s", "300"]);
  assert.equal(report.mode, "dry-run");
  assert.equal(report.selection.mode, "dry-run", "a dry run never steers backend selection");
  assert.match(report.summary, /Dry run \(--dry-run\) at tiny sizes on cpu/);
  const failed = report.rows.filter((r) => r.result === "fail");
  assert.equal(
    code,
    failed.length ? 1 : 0,
    `exit code ${code}; failures: ${failed.map((r) => r.check).join("; ")}`,
  );
  assert.equal(report.exitCode, code);
  assert.match(stdout, failed.length ? /FAILED: a check failed/ : /no check failed/);
  // The same table in the terminal and in report.md, with the notes.
  assert.match(stdout, HEADER);
  assert.match(md, HEADER);
  for (const r of report.rows) {
    assert.ok(md.includes(r.check.replaceAll("|", "\\|")), `report.md lists ${r.check}`);
  }
  // Backends, speed on cpu, PyTorch where torch imports, convergence.
  assert.deepEqual(report.rows.filter((r) => r.part === "backends").map((r) => r.backend), [
    "cuda",
    "webgpu",
    "pytorch",
  ]);
  const step = report.rows.find((r) => r.backend === "cpu" && r.speedKey === "dae2d-train")!;
  assert.equal(step.result, "measured");
  assert.ok(step.value! > 0 && step.unit === "ms/step");
  const torch = report.rows.find((r) => r.part === "backends" && r.backend === "pytorch")!;
  const script = report.rows.find((r) => r.part === "pytorch" && /not found/.test(r.detail ?? ""));
  if (torch.result === "info" && script) {
    // torch imports but the reference script is neither in .device/ nor in ../shared/reference/.
    assert.equal(script.result, "unavailable");
    assert.equal(step.torch, undefined, "no PyTorch figure without the reference script");
  } else if (torch.result === "info") {
    assert.equal(step.torch?.mode, "fp32");
    assert.ok(step.ratio! > 0);
    assert.match(stdout, /ms\/step \(fp32\) +\| +\d+\.\d\d× \|/);
  }
  const conv = report.rows.find((r) => r.part === "convergence" && /validation loss falls/.test(r.check));
  assert.ok(conv && ["pass", "skipped"].includes(conv.result), JSON.stringify(conv));
  if (webgpu) {
    const kernels = report.rows.find((r) =>
      r.backend === "webgpu" && r.check === "kernels of the 2D step, one by one"
    );
    assert.equal(kernels?.result, "pass", JSON.stringify(kernels));
    assert.ok(report.rows.some((r) => r.backend === "webgpu" && r.speedKey === "dae2d-train"));
  } else {
    assert.ok(report.rows.some((r) => r.part === "correctness" && r.result === "skipped"));
  }
});

Deno.test({
  name: "gpu-check: a wrong kernel on the backend under test fails the check with a non-zero exit",
  ignore: !webgpu,
  async fn() {
    const { code, stdout, report } = await gpuCheck([
      "--only",
      "correctness",
      "--backends",
      "webgpu",
      "--fail-fast",
      "--fault",
      "Sigmoid=Tanh",
      "--budget-s",
      "300",
    ]);
    assert.equal(code, 1);
    assert.match(stdout, /FAILED: a check failed/);
    const loss = report.rows.find((r) => r.backend === "webgpu" && /2D DAE step .*: loss$/.test(r.check))!;
    assert.equal(loss.result, "fail");
    assert.ok(loss.value! > 1e-3);
    const stop = report.stops.find((s) => s.backend === "webgpu")!;
    assert.ok(stop.items.some((i) => i.reason === "--fail-fast: an earlier item failed"));
    assert.equal(report.selection.backends[0]?.passed, false);
  },
});

Deno.test("gpu-check: with no budget left every part stops and says what it did not run", async () => {
  const { code, stdout, report } = await gpuCheck(["--budget-s", "1", "--backends", "cpu"]);
  assert.equal(code, 0);
  for (const part of ["speed", "convergence"]) {
    const stop = report.stops.find((s) => s.part === part)!;
    assert.match(stop.items[0]!.reason, /share of the budget was used up/, part);
  }
  assert.ok(report.rows.some((r) => r.part === "pytorch" && r.result !== "measured"));
  assert.match(stdout, /Not run:\n {2}speed on cpu: all of speed on cpu: not started/);
});
