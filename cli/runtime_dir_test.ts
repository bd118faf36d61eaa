import assert from "node:assert/strict";

const helper = JSON.stringify(new URL("./runtime_dir.ts", import.meta.url).href);

/** Runs `script` in a child Deno without XDG_RUNTIME_DIR; returns its stdout and stderr. */
async function withoutRuntimeDir(script: string): Promise<{ stdout: string; stderr: string }> {
  const env = Deno.env.toObject();
  delete env.XDG_RUNTIME_DIR;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const probe = `const a = await navigator.gpu?.requestAdapter().catch(() => null);
console.log(JSON.stringify({ adapter: a ? a.info.description || "unnamed" : null,
  dir: Deno.env.get("XDG_RUNTIME_DIR") ?? null }));`;

Deno.test("a GPU probe without XDG_RUNTIME_DIR prints nothing once ensureRuntimeDir ran", async (t) => {
  // The control: the same probe without the fix must show the message, or this machine cannot tell.
  const control = await withoutRuntimeDir(probe);
  if (!/XDG_RUNTIME_DIR is invalid/.test(control.stderr)) {
    console.log(
      `  skipped: probing WebGPU here prints no XDG_RUNTIME_DIR message (no Vulkan driver that loads ` +
        `libwayland; adapter: ${JSON.parse(control.stdout).adapter})`,
    );
    return;
  }
  await t.step("with the fix: no message, a private folder, removed at exit", async () => {
    const fixed = await withoutRuntimeDir(
      `import { ensureRuntimeDir } from ${helper};\nensureRuntimeDir();\n${probe}`,
    );
    assert.doesNotMatch(fixed.stderr, /XDG_RUNTIME_DIR/, fixed.stderr);
    const { adapter, dir } = JSON.parse(fixed.stdout);
    assert.ok(adapter, "the adapter is still found");
    assert.match(dir, /^\/.*uad-runtime-/);
    await assert.rejects(Deno.stat(dir), Deno.errors.NotFound, `${dir} left behind`);
  });
});

Deno.test("ensureRuntimeDir keeps a usable XDG_RUNTIME_DIR and replaces a relative one", async () => {
  const keep = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `import { ensureRuntimeDir } from ${helper};\nconsole.log(String(ensureRuntimeDir()));`],
    env: { XDG_RUNTIME_DIR: "/run/user/12345" },
    stdout: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(keep.stdout).trim(), "undefined");
  const relative = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { ensureRuntimeDir } from ${helper};\nconst d = ensureRuntimeDir();\n` +
      `console.log(d === Deno.env.get("XDG_RUNTIME_DIR") ? (Deno.statSync(d!).mode! & 0o777).toString(8) : "x");`,
    ],
    env: { XDG_RUNTIME_DIR: "run/user" },
    stdout: "piped",
  }).output();
  assert.equal(new TextDecoder().decode(relative.stdout).trim(), "700");
});
