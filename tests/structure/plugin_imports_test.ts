/**
 * The layering rule, from the parsed imports of every file (static and dynamic imports, re-exports,
 * `new URL(…, import.meta.url)` assets): a plugin knows only the core and its own folder, the core knows no
 * plugin. A plugin's tests, benchmarks and scripts (files its `mod.ts` does not reach, so outside its code
 * version) may also import `plugins/mod.ts`, the index that registers every plugin, to get real plugins by id;
 * the index and its own test are the only files that name plugin folders.
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { importClosure } from "../../runner/code_identity.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const INDEX = "plugins/mod.ts";
const INDEX_FILES = new Set([INDEX, "plugins/mod_test.ts"]);

const SPECIFIERS = [
  /\b(?:import|export)\b[^;"'`]*?\bfrom\s*["']([^"']+)["']/g,
  /\bimport\s*["']([^"']+)["']/g,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  /\bnew URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g,
];

/** Every TypeScript/JavaScript file under `dir`, as paths relative to `root`. */
async function sources(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else if (/\.(ts|js|mjs)$/.test(e.name)) out.push(relative(root, p));
    }
  };
  await walk(join(root, dir));
  return out.sort();
}

/** The files some plugin's `mod.ts` reaches: the code that plugin versions run. */
async function pluginCode(root: string): Promise<Set<string>> {
  const code = new Set<string>();
  for await (const e of Deno.readDir(join(root, "plugins"))) {
    const mod = join(root, "plugins", e.name, "mod.ts");
    if (!e.isDirectory || !(await Deno.stat(mod).then(() => true, () => false))) continue;
    const rootUrl = pathToFileURL(root.endsWith("/") ? root : `${root}/`);
    for (const f of await importClosure([pathToFileURL(mod)], rootUrl)) code.add(f);
  }
  return code;
}

/** `file → target` for each import in the tree at `root` that breaks the rule. */
async function layeringViolations(root: string): Promise<string[]> {
  const code = await pluginCode(root);
  const bad: string[] = [];
  for (const file of [...(await sources(root, "plugins")), ...(await sources(root, "core"))]) {
    if (INDEX_FILES.has(file)) continue;
    const text = await Deno.readTextFile(join(root, file));
    const [top, name] = file.split("/");
    for (const re of SPECIFIERS) {
      for (const m of text.matchAll(re)) {
        const spec = m[1]!;
        if (/^(file:|https?:|\/)/.test(spec)) {
          bad.push(`${file} → ${spec}`);
          continue;
        }
        if (!spec.startsWith(".")) continue; // npm:, node: and mapped bare specifiers
        if (!/\.[a-z0-9]+$/i.test(spec)) continue; // a folder URL ("../") is a location, not code
        const target = relative(root, resolve(root, dirname(file), spec));
        if (target.startsWith("..")) continue; // data beside the project (../shared), not code
        const [tTop, tName] = target.split("/");
        // A plugin's code (what its mod.ts reaches) knows only the core and its folder; its tests and scripts
        // may use the runner, the index and files beside the project, but never another plugin directly.
        const otherPlugin = tTop === "plugins" && tName !== name && target !== INDEX;
        const ok = top === "core"
          ? tTop === "core"
          : code.has(file)
          ? tTop === "core" || (tTop === "plugins" && tName === name)
          : !otherPlugin;
        if (!ok) bad.push(`${file} → ${target}`);
      }
    }
  }
  return bad;
}

Deno.test("layering: the checker finds plugins importing other plugins (or the index from their code) and the core importing a plugin", async () => {
  const root = await Deno.makeTempDir();
  try {
    const put = async (path: string, text: string) => {
      await Deno.mkdir(join(root, dirname(path)), { recursive: true });
      await Deno.writeTextFile(join(root, path), text);
    };
    await put("core/a.ts", "export const a = 1;\n");
    await put("core/b.ts", 'import "../plugins/x/mod.ts";\n');
    await put(INDEX, 'import "./x/mod.ts";\nimport "./y/mod.ts";\n');
    await put("plugins/x/mod.ts", 'import { a } from "../../core/a.ts";\nimport { b } from "./b.ts";\n');
    await put("plugins/x/b.ts", 'export { c } from "../y/c.ts";\nimport "../mod.ts";\n');
    await put("plugins/y/mod.ts", 'const w = new URL("../x/w.wasm", import.meta.url);\n');
    await put("plugins/y/c.ts", "export const c = 2;\n");
    await put("plugins/y/c_test.ts", 'import "../mod.ts";\nconst m = await import("../x/b.ts");\n');
    // A test may use the runner; a folder URL is a location, not an import.
    await put(
      "plugins/y/d_test.ts",
      'import "../../runner/run.ts";\nconst here = new URL("../", import.meta.url);\n',
    );
    assert.deepEqual((await layeringViolations(root)).sort(), [
      "core/b.ts → plugins/x/mod.ts",
      "plugins/x/b.ts → plugins/mod.ts",
      "plugins/x/b.ts → plugins/y/c.ts",
      "plugins/y/c_test.ts → plugins/x/b.ts",
      "plugins/y/mod.ts → plugins/x/w.wasm",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("layering: every plugin imports only the core and its own folder; the core imports no plugin", async () => {
  assert.deepEqual(await layeringViolations(ROOT), []);
});
