/**
 * Quiet GPU probing on headless machines. When WebGPU looks for an adapter, Mesa's Vulkan drivers load
 * libwayland, which prints "error: XDG_RUNTIME_DIR is invalid or not set in the environment." wherever that
 * variable is unset or not an absolute path (ssh sessions, containers, CI). The message means only that no
 * Wayland display can be found, which a headless run does not need; the user should not see it.
 * @module
 */

/**
 * Where `XDG_RUNTIME_DIR` is unset or not absolute, sets it for this process (and the processes it starts)
 * to a new private folder (mode 0700) that is removed when the process exits; returns that folder, or
 * undefined when the variable was already usable. Call it before the first adapter request.
 *
 * @example
 * ```ts
 * import { ensureRuntimeDir } from "./runtime_dir.ts";
 * ensureRuntimeDir();
 * console.assert(Deno.env.get("XDG_RUNTIME_DIR")?.startsWith("/"));
 * ```
 */
export function ensureRuntimeDir(): string | undefined {
  if (Deno.env.get("XDG_RUNTIME_DIR")?.startsWith("/")) return undefined;
  const dir = Deno.makeTempDirSync({ prefix: "uad-runtime-" }); // created with mode 0700
  Deno.env.set("XDG_RUNTIME_DIR", dir);
  // "unload" also fires on Deno.exit.
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // already gone: nothing to clean
    }
  });
  return dir;
}
