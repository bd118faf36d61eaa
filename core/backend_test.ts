import assert from "node:assert/strict";
import { selectBackend } from "./backend.ts";
import { tf } from "./tf.ts";

Deno.test("cpu selection registers the fast kernels; auto never picks a software GPU adapter", async () => {
  const cpu = await selectBackend("cpu");
  assert.equal(cpu.name, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  const auto = await selectBackend("auto");
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter || adapter.info.isFallbackAdapter) {
    assert.equal(auto.name, "cpu", `auto chose ${auto.name}: ${auto.reason}`);
    assert.match(auto.reason, /tensorflow backend unavailable/);
  }
  await selectBackend("cpu");
});

Deno.test("unknown and unavailable backends are clear errors", async () => {
  await assert.rejects(
    () => selectBackend("metal" as never),
    /unknown backend 'metal'; choose one of auto, cpu, webgpu, tensorflow/,
  );
  await assert.rejects(() => selectBackend("tensorflow"), /use --backend webgpu .* or --backend cpu instead/);
  await selectBackend("cpu");
});
