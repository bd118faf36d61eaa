import assert from "node:assert/strict";

const helper = JSON.stringify(new URL("./runtime_dir.ts", import.meta.url).href);

/** Runs `script` in a child Deno without XDG_RUNTIME_DIR, with `env` added; returns its output. */
async function child(script: string, env: Record<string, string> = {}) {
  const all: Record<string, string> = { ...Deno.env.toObject(), ...env };
  if (!("XDG_RUNTIME_DIR" in env)) delete all.XDG_RUNTIME_DIR;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    env: all,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { stdout: dec.decode(out.stdout).trim(), stderr: dec.decode(out.stderr) };
}

const probe = `const a = await navigator.gpu?.requestAdapter().catch(() => null);
console.log(JSON.stringify({ adapter: a ? a.info.description || "unnamed" : null,
  dir: Deno.env.get("XDG_RUNTIME_DIR") ?? null }));`;
const fixed = `import { ensureRuntimeDir } from ${helper};\nensureRuntimeDir();\n${probe}`;

Deno.test("a GPU probe without XDG_RUNTIME_DIR prints nothing once ensureRuntimeDir ran", async (t) => {
  const tmp = await Deno.makeTempDir();
  try {
    // The control: the same probe without the fix must show the message, or this machine cannot tell.
    const control = await child(probe);
    if (!/XDG_RUNTIME_DIR is invalid/.test(control.stderr)) {
      console.log(
        `  skipped: probing WebGPU here prints no XDG_RUNTIME_DIR message (no Vulkan driver that loads ` +
          `libwayland; adapter: ${JSON.parse(control.stdout).adapter})`,
      );
      return;
    }
    await t.step(
      "no message; the adapter is still found; one private folder, kept between runs",
      async () => {
        const first = await child(fixed, { TMPDIR: tmp });
        assert.doesNotMatch(first.stderr, /XDG_RUNTIME_DIR/, first.stderr);
        const { adapter, dir } = JSON.parse(first.stdout);
        assert.ok(adapter, "the adapter is still found");
        assert.equal(dir, `${tmp}/uad-runtime-${Deno.uid()}`);
        assert.equal(Deno.statSync(dir).mode! & 0o777, 0o700);
        assert.equal(
          JSON.parse((await child(fixed, { TMPDIR: tmp })).stdout).dir,
          dir,
          "the same folder again",
        );
        assert.deepEqual([...Deno.readDirSync(tmp)].map((e) => e.name), [`uad-runtime-${Deno.uid()}`]);
      },
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("a shared folder others could enter is not used: a private one is made and removed at exit", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${tmp}/uad-runtime-${Deno.uid()}`, { mode: 0o755 });
    await Deno.chmod(`${tmp}/uad-runtime-${Deno.uid()}`, 0o755);
    const r = await child(
      `import { ensureRuntimeDir } from ${helper};\nconst d = ensureRuntimeDir()!;\n` +
        `console.log(JSON.stringify({ d, mode: Deno.statSync(d).mode! & 0o777 }));`,
      { TMPDIR: tmp },
    );
    const { d, mode } = JSON.parse(r.stdout);
    assert.notEqual(d, `${tmp}/uad-runtime-${Deno.uid()}`);
    assert.equal(mode, 0o700);
    assert.throws(() => Deno.statSync(d), Deno.errors.NotFound, `${d} left behind`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("ensureRuntimeDir keeps a usable XDG_RUNTIME_DIR and replaces a relative one", async () => {
  const keep = await child(
    `import { ensureRuntimeDir } from ${helper};\nconsole.log(String(ensureRuntimeDir()));`,
    {
      XDG_RUNTIME_DIR: "/run/user/12345",
    },
  );
  assert.equal(keep.stdout, "undefined");
  const tmp = await Deno.makeTempDir();
  const relative = await child(
    `import { ensureRuntimeDir } from ${helper};\nconst d = ensureRuntimeDir();\n` +
      `console.log(d === Deno.env.get("XDG_RUNTIME_DIR") ? d : "x");`,
    { XDG_RUNTIME_DIR: "run/user", TMPDIR: tmp },
  );
  assert.equal(relative.stdout, `${tmp}/uad-runtime-${Deno.uid()}`);
  await Deno.remove(tmp, { recursive: true });
});
