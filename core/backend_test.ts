import assert from "node:assert/strict";
import { selectBackend } from "./backend.ts";
import { tf } from "./tf.ts";

Deno.test("cpu selection activates the cpu backend", async () => {
  const cpu = await selectBackend("cpu");
  assert.equal(cpu.name, "cpu");
  assert.equal(tf.getBackend(), "cpu");
});

Deno.test("auto never picks a software GPU adapter and says what it chose and why", async () => {
  // In a child process: a software Vulkan driver (llvmpipe) can crash while the process exits, which must
  // not take the test runner down with it.
  const script = `import { selectBackend } from ${
    JSON.stringify(new URL("./backend.ts", import.meta.url).href)
  };
    const adapter = await navigator.gpu?.requestAdapter();
    const s = await selectBackend("auto");
    console.log(JSON.stringify({ ...s, software: !adapter || adapter.info.isFallbackAdapter }));`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const line = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  const chosen = JSON.parse(line) as { name: string; reason: string; software: boolean };
  if (chosen.software) {
    assert.equal(chosen.name, "cpu", `auto chose ${chosen.name}: ${chosen.reason}`);
    assert.match(chosen.reason, /tensorflow backend unavailable/);
  } else {
    assert.equal(chosen.name, "webgpu");
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
