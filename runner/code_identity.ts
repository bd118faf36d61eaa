/**
 * Code versions of exactly the code a computation runs: the static import closure of its entry modules
 * (relative imports, dynamic imports with a literal path, and files opened through
 * `new URL("./x", import.meta.url)`, e.g. workers and WebAssembly), plus `deno.json` and `deno.lock` (the
 * npm dependencies). Adding or editing one plugin folder changes the version of that plugin's cells only;
 * editing the core, the runner or the statistics changes every version.
 *
 * @example
 * ```ts
 * import { codeVersionOf } from "./code_identity.ts";
 * const v = await codeVersionOf([new URL("./run.ts", import.meta.url)]);
 * console.assert(/^[0-9a-f]{16}$/.test(v.version) && v.files.includes("runner/run.ts"));
 * ```
 * @module
 */
import { fileURLToPath } from "node:url";

/** The project's root folder (the parent of `runner/`). */
export const PROJECT_ROOT: URL = new URL("../", import.meta.url);

/** Files outside the import graph that change results: the configuration and the locked dependencies. */
const ALWAYS = ["deno.json", "deno.lock"];

/** A code version and the files it covers (paths relative to the root, sorted). */
export interface CodeVersion {
  /** 16 hex characters of a SHA-256 over the files' paths and contents. */
  readonly version: string;
  /** The files hashed. */
  readonly files: readonly string[];
}

// Specifiers of static imports/exports, side-effect imports, dynamic imports and import.meta.url assets.
const PATTERNS = [
  /\b(?:import|export)\b[^;"'`]*?\bfrom\s*["']([^"']+)["']/g,
  /\bimport\s*["']([^"']+)["']/g,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  /\bnew URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g,
];

/**
 * Relative specifiers a module's source refers to at run time: `import type` / `export type` lines are
 * erased before running, so the types they name (e.g. the registry's view of the Method contract) are not
 * part of what a dataset or method executes.
 */
export function relativeSpecifiers(source: string): string[] {
  const out = new Set<string>();
  source = source.replace(/^\s*(?:import|export)\s+type\b[^;]*;/gm, "");
  for (const re of PATTERNS) {
    // Relative paths to files (a folder URL such as "../" is a location, not code).
    for (const m of source.matchAll(re)) if (/^\.\.?\/.*[^/]\.[a-z0-9]+$/i.test(m[1]!)) out.add(m[1]!);
  }
  return [...out];
}

/**
 * The files reachable from `entries` through relative references, as paths relative to `root`. A reference
 * to a missing file is an error (a stale version must never be computed silently).
 */
export async function importClosure(entries: readonly URL[], root: URL = PROJECT_ROOT): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const url = queue.pop()!;
    if (seen.has(url.href)) continue;
    seen.add(url.href);
    if (!/\.(ts|js|mjs)$/.test(url.pathname)) continue; // assets (wasm, json) are hashed, not parsed
    let source: string;
    try {
      source = await Deno.readTextFile(url);
    } catch (e) {
      throw new Error(
        `code version: cannot read ${fileURLToPath(url)}: ${e instanceof Error ? e.message : e}`,
      );
    }
    for (const spec of relativeSpecifiers(source)) queue.push(new URL(spec, url));
  }
  const rootPath = root.href;
  return [...seen].map((href) => {
    if (!href.startsWith(rootPath)) {
      throw new Error(`code version: ${href} lies outside ${fileURLToPath(root)}`);
    }
    return href.slice(rootPath.length);
  }).sort();
}

/** SHA-256 (hex) of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hashes `files` (relative to `root`) by path and content; missing files are errors. */
export async function hashFiles(files: readonly string[], root: URL = PROJECT_ROOT): Promise<string> {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const f of [...files].sort()) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(new URL(f, root));
    } catch (e) {
      throw new Error(`code version: cannot read ${f}: ${e instanceof Error ? e.message : e}`);
    }
    parts.push(enc.encode(`${f}\n${bytes.length}\n`), bytes);
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return (await sha256Hex(all)).slice(0, 16);
}

/** The code version of the closure of `entries`, with deno.json and deno.lock. */
export async function codeVersionOf(entries: readonly URL[], root: URL = PROJECT_ROOT): Promise<CodeVersion> {
  const closure = await importClosure(entries, root);
  const always: string[] = [];
  for (const f of ALWAYS) {
    try {
      await Deno.stat(new URL(f, root));
      always.push(f);
    } catch {
      // a tree without a lock file (tests' miniature projects) hashes without it
    }
  }
  const files = [...new Set([...closure, ...always])].sort();
  return { version: await hashFiles(files, root), files };
}
