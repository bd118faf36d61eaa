import assert from "node:assert/strict";

Deno.test("plugins/mod.ts imports exactly the plugin folders", async () => {
  const folders: string[] = [];
  for await (const e of Deno.readDir(new URL(".", import.meta.url))) {
    if (e.isDirectory) folders.push(e.name);
  }
  const index = await Deno.readTextFile(new URL("./mod.ts", import.meta.url));
  const imported = [...index.matchAll(/^import "\.\/([^/]+)\/mod\.ts";$/gm)].map((m) => m[1]!);
  assert.deepEqual(imported.sort(), folders.sort());
});
