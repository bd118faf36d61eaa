/**
 * Quiet GPU probing on headless machines. When WebGPU looks for an adapter, Mesa's Vulkan drivers load
 * libwayland, which prints "error: XDG_RUNTIME_DIR is invalid or not set in the environment." wherever that
 * variable is unset or not an absolute path (ssh sessions, containers, CI). The message means only that no
 * Wayland display can be found, which a headless run does not need; the user should not see it.
 * @module
 */
import { tmpdir } from "node:os";

/**
 * Where `XDG_RUNTIME_DIR` is unset or not absolute, sets it for this process (and the processes it starts)
 * to a private folder: `<tmp>/uad-runtime-<uid>`, kept between runs as a runtime folder is, when it is a
 * real folder of this user with mode 0700; else a new one removed when the process exits. Returns the
 * folder, or undefined when the variable was already usable. Call it before the first adapter request.
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
  const uid = Deno.uid();
  const shared = `${tmpdir()}/uad-runtime-${uid ?? "user"}`;
  const dir = usable(shared, uid) ? shared : temporary();
  Deno.env.set("XDG_RUNTIME_DIR", dir);
  return dir;
}

/** Whether `dir` is (or has just been made) a folder of user `uid` that only it can enter. */
function usable(dir: string, uid: number | null): boolean {
  try {
    Deno.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) return false;
  }
  const s = Deno.lstatSync(dir); // lstat: a symbolic link planted there is refused
  return s.isDirectory && (uid === null || s.uid === uid) && (s.mode! & 0o777) === 0o700;
}

/** A new private folder, removed when the process exits ("unload" also fires on Deno.exit). */
function temporary(): string {
  const dir = Deno.makeTempDirSync({ prefix: "uad-runtime-" }); // created with mode 0700
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // already gone: nothing to clean
    }
  });
  return dir;
}
