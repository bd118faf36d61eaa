import assert from "node:assert/strict";
import "../plugins/mod.ts";
import { pluginSource } from "../core/mod.ts";
import { codeVersionOf, importClosure, relativeSpecifiers } from "./code_identity.ts";

/** A miniature project: core, runner, two plugins, a plugin index, a lock file. */
async function miniProject(): Promise<URL> {
  const root = await Deno.makeTempDir();
  const files: Record<string, string> = {
    "deno.lock": '{"version":"5"}',
    "core/mod.ts": 'export * from "./nn.ts";\n',
    "core/nn.ts": "export const nn = 1;\n",
    "runner/run.ts": 'import { nn } from "../core/mod.ts";\nexport const run = nn;\n',
    "plugins/a/mod.ts":
      'import "./model.ts";\nimport { nn } from "../../core/mod.ts";\nexport const a = nn;\n',
    "plugins/a/model.ts": 'const w = new URL("./kernel.wasm", import.meta.url);\nexport { w };\n',
    "plugins/a/kernel.wasm": "\0asm",
    "plugins/b/mod.ts": 'export const b = await import("./lazy.ts");\n',
    "plugins/b/lazy.ts": "export const lazy = 2;\n",
    "plugins/mod.ts": 'import "./a/mod.ts";\nimport "./b/mod.ts";\n',
  };
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(`${root}/${path.slice(0, path.lastIndexOf("/") + 1) || "."}`, { recursive: true });
    await Deno.writeTextFile(`${root}/${path}`, text);
  }
  return new URL(`file://${root}/`);
}

const version = (root: URL, ...entries: string[]) =>
  codeVersionOf(entries.map((e) => new URL(e, root)), root).then((v) => v.version);

Deno.test("import closure: static, side-effect and dynamic imports, import.meta.url assets; not the index", async () => {
  const root = await miniProject();
  const a = await importClosure([new URL("runner/run.ts", root), new URL("plugins/a/mod.ts", root)], root);
  assert.deepEqual(a, [
    "core/mod.ts",
    "core/nn.ts",
    "plugins/a/kernel.wasm",
    "plugins/a/mod.ts",
    "plugins/a/model.ts",
    "runner/run.ts",
  ]);
  assert.deepEqual(await importClosure([new URL("plugins/b/mod.ts", root)], root), [
    "plugins/b/lazy.ts",
    "plugins/b/mod.ts",
  ]);
  assert.deepEqual(
    relativeSpecifiers(
      `import { type X, y } from "./x.ts";\nimport type { T } from "./types.ts";\n` +
        `export type { U } from "./u.ts";\nexport * from "../y.ts"; new URL("../", import.meta.url);`,
    ),
    ["./x.ts", "../y.ts"],
    "type-only imports are erased at run time; a mixed import is not",
  );
});

Deno.test("code versions: a new plugin folder or an edit of another plugin changes no other version", async () => {
  const root = await miniProject();
  const before = await version(root, "runner/run.ts", "plugins/a/mod.ts");
  const beforeB = await version(root, "runner/run.ts", "plugins/b/mod.ts");
  // A new plugin, registered in the index: a's cells keep their version.
  await Deno.mkdir(new URL("plugins/c/", root));
  await Deno.writeTextFile(new URL("plugins/c/mod.ts", root), "export const c = 3;\n");
  await Deno.writeTextFile(
    new URL("plugins/mod.ts", root),
    'import "./a/mod.ts";\nimport "./b/mod.ts";\nimport "./c/mod.ts";\n',
  );
  assert.equal(await version(root, "runner/run.ts", "plugins/a/mod.ts"), before);
  // Editing b (even a comment) changes b's version only.
  await Deno.writeTextFile(new URL("plugins/b/lazy.ts", root), "// tuned\nexport const lazy = 2;\n");
  assert.equal(await version(root, "runner/run.ts", "plugins/a/mod.ts"), before);
  assert.notEqual(await version(root, "runner/run.ts", "plugins/b/mod.ts"), beforeB);
  // An asset a plugin loads, the core, and the lock file change a's version.
  await Deno.writeTextFile(new URL("plugins/a/kernel.wasm", root), "\0asm2");
  const afterAsset = await version(root, "runner/run.ts", "plugins/a/mod.ts");
  assert.notEqual(afterAsset, before);
  await Deno.writeTextFile(new URL("core/nn.ts", root), "export const nn = 2;\n");
  const afterCore = await version(root, "runner/run.ts", "plugins/a/mod.ts");
  assert.notEqual(afterCore, afterAsset);
  await Deno.writeTextFile(new URL("deno.lock", root), '{"version":"5","npm":{}}');
  assert.notEqual(await version(root, "runner/run.ts", "plugins/a/mod.ts"), afterCore);
});

Deno.test("code versions: a missing imported file is an error, not a silent version", async () => {
  const root = await miniProject();
  await Deno.remove(new URL("core/nn.ts", root));
  await assert.rejects(() => version(root, "runner/run.ts"), /code version: cannot read .*core\/nn\.ts/);
});

Deno.test("the real tree: a DAE cell's code covers its plugins, the core, runner, stats and the lock file, and no other plugin", async () => {
  const root = new URL("../", import.meta.url);
  const entries = [
    new URL("./run.ts", import.meta.url),
    new URL(pluginSource("method", "dae")),
    new URL(pluginSource("noise", "coarse")),
    new URL(pluginSource("dataset", "phantom2d")),
    new URL(pluginSource("metric", "auprc")),
  ];
  const { files } = await codeVersionOf(entries, root);
  for (const f of ["runner/run.ts", "core/nn/unet.ts", "stats/pr_curve.ts", "deno.lock", "deno.json"]) {
    assert.ok(files.includes(f), `${f} is part of a DAE cell's code`);
  }
  assert.ok(
    files.some((f) => f.startsWith("plugins/dae/")) && files.some((f) => f.startsWith("plugins/noise/")),
  );
  const foreign = files.filter((f) =>
    f === "plugins/mod.ts" || /^plugins\/(vae|unet|fanogan|diffusion|thresholding|brats|headct)\//.test(f) ||
    f.endsWith("_test.ts") || f.startsWith("bench/") || f.startsWith("tests/")
  );
  assert.deepEqual(foreign, [], "another plugin's code (or a test, or the index) would rerun DAE cells");
});

Deno.test("plugin sources are the registering modules in each plugin's folder", () => {
  assert.match(pluginSource("method", "dae"), /\/plugins\/dae\/mod\.ts$/);
  assert.match(pluginSource("dataset", "phantom2d"), /\/plugins\/phantom2d\/[a-z_]+\.ts$/);
  assert.match(pluginSource("metric", "dice-max"), /\/plugins\/metrics\/[a-z_]+\.ts$/);
});
