/**
 * The code version a result was computed with: a hash of every TypeScript source file that can change a
 * result (core, plugins, runner), so that a code change invalidates finished bench cells.
 * @module
 */

/** SHA-256 (hex, 16 chars) over the sorted paths and contents of the `.ts` files under `roots`. */
export async function codeVersion(
  roots = ["core", "plugins", "runner"],
  base = new URL("..", import.meta.url),
): Promise<string> {
  const files: string[] = [];
  const walk = async (dir: URL, rel: string) => {
    for await (const e of Deno.readDir(dir)) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory) await walk(new URL(`${e.name}/`, dir), r);
      else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) files.push(r);
    }
  };
  for (const root of roots) await walk(new URL(`${root}/`, base), root);
  files.sort();
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const f of files) {
    parts.push(enc.encode(`${f}\n`));
    parts.push(await Deno.readFile(new URL(f, base)));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
}
