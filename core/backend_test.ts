import assert from "node:assert/strict";
import { selectBackend } from "./backend.ts";
import { sourceHash } from "./source_hash.ts";
import { tf } from "./tf.ts";

Deno.test("cpu selection activates the cpu backend", async () => {
  const cpu = await selectBackend("cpu");
  assert.equal(cpu.name, "cpu");
  assert.equal(tf.getBackend(), "cpu");
});

/** Runs `script` in a child Deno (a software Vulkan driver can crash at exit) and parses its last line. */
async function inChild<T>(script: string, env: Record<string, string> = {}): Promise<T> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
    stderr: "piped",
    env,
  }).output();
  const line = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`child printed '${line}'; stderr: ${new TextDecoder().decode(out.stderr).slice(-2000)}`);
  }
}

const here = (f: string) => JSON.stringify(new URL(f, import.meta.url).href);

Deno.test("auto never picks a software or GL-emulated GPU adapter and says what it chose and why", async () => {
  const chosen = await inChild<{ name: string; reason: string; details: string[]; kind?: string }>(
    `import { selectBackend } from ${here("./backend.ts")};
    import { probeWebgpuAdapter } from ${here("./webgpu_adapter.ts")};
    const probe = await probeWebgpuAdapter();
    const s = await selectBackend("auto");
    console.log(JSON.stringify({ ...s, kind: probe.adapter ? probe.class.kind : undefined }));`,
    { UAD_GPU_CHECK_REPORT: "/nonexistent/report.json" },
  );
  // The reason is one short line; the import errors behind it are details.
  assert.ok(chosen.reason.length < 200 && !chosen.reason.includes("\n"), chosen.reason);
  if (chosen.kind === "hardware") assert.equal(chosen.name, "webgpu");
  else {
    assert.equal(chosen.name, "cpu", `auto chose ${chosen.name}: ${chosen.reason}`);
    assert.match(chosen.reason, /tensorflow backend unavailable/);
    assert.match(chosen.details.join("\n"), /tfjs-node@4\.22\.0: /);
    if (chosen.kind) assert.match(chosen.reason, /only a (software|GL-emulated) WebGPU adapter/);
  }
});

Deno.test("auto ignores a gpu-check report whose device is not here, and says so", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const hash = await sourceHash(["core"], new URL("../", import.meta.url));
    const report = {
      selection: {
        mode: "gpu",
        createdAt: "2026-01-01T00:00:00Z",
        versions: { deno: Deno.version.deno, tfjs: tf.version_core, core: hash },
        backends: [{
          backend: "webgpu",
          passed: true,
          hardware: true,
          device: "webgpu 4318:8992 NVIDIA H100 80GB HBM3",
          trainStepMs: 25,
        }],
      },
    };
    await Deno.writeTextFile(`${dir}/report.json`, JSON.stringify(report));
    const chosen = await inChild<{ name: string; reason: string }>(
      `import { selectBackend } from ${here("./backend.ts")};
      console.log(JSON.stringify(await selectBackend("auto")));`,
      { UAD_GPU_CHECK_REPORT: `${dir}/report.json` },
    );
    assert.notEqual(chosen.name, "cuda");
    assert.match(
      chosen.reason,
      /report\.json ignored: webgpu device is now '.*', not 'webgpu 4318:8992 NVIDIA H100/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("unknown and unavailable backends are clear errors", async () => {
  await assert.rejects(
    () => selectBackend("metal" as never),
    /unknown backend 'metal'; choose one of auto, cpu, webgpu, tensorflow/,
  );
  await assert.rejects(() => selectBackend("tensorflow"), /use --backend webgpu .* or --backend cpu instead/);
  await selectBackend("cpu");
});
