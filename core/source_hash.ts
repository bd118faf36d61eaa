/**
 * A hash of the project's TypeScript sources under some folders, so that a figure measured with one version
 * of the code is not applied to another (gpu-check reports and backend selection use it for `core/`).
 * @module
 */

/**
 * SHA-256 (hex, first 16 characters) over the sorted relative paths and contents of the `.ts` files
 * (tests excluded) under each of `roots`, relative to `base`.
 *
 * @param roots folders relative to `base`, e.g. ["core"]
 * @param base the project root as a file URL ending in "/"
 * @returns the hash
 * @throws when a root cannot be read
 * @example
 * ```ts
 * import { sourceHash } from "./source_hash.ts";
 * const h = await sourceHash(["core"], new URL("../", import.meta.url));
 * console.assert(/^[0-9a-f]{16}$/.test(h));
 * ```
 */
export async function sourceHash(roots: readonly string[], base: URL): Promise<string> {
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
  for (const f of files) parts.push(enc.encode(`${f}\n`), await Deno.readFile(new URL(f, base)));
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
}

/**
 * The project root (the folder holding `core/backend.ts`): beside this module when it runs from source,
 * else the working directory (a bundled entry run from the checkout's root). Undefined when neither holds
 * the sources or they may not be read.
 */
export function projectRoot(): URL | undefined {
  const candidates: URL[] = [];
  if (import.meta.url.startsWith("file:")) candidates.push(new URL("../", import.meta.url));
  try {
    candidates.push(new URL(`file://${Deno.cwd()}/`));
  } catch {
    // No read permission for the working directory.
  }
  for (const base of candidates) {
    const probe = new URL("core/backend.ts", base);
    if (Deno.permissions.querySync({ name: "read", path: probe }).state !== "granted") continue;
    try {
      if (Deno.statSync(probe).isFile) return base;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
