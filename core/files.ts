/**
 * Checking that a source path is a regular file before anything opens it: opening a FIFO blocks until a
 * writer comes, and reading `/dev/zero` never ends, so such paths are named for what they are instead.
 * @module
 */

/**
 * Stats `path` and returns its info when it is a regular file (symlinks followed); otherwise throws an Error
 * `<path>: <what it is> (<context>; <what to do>)`. `context` says why the path was read, e.g.
 * "listed by manifest.csv" or "segmentation of patient BraTS2021_00001".
 *
 * @example
 * ```ts
 * import { statRegularFile } from "./files.ts";
 * const message = await statRegularFile("/dev/zero").catch((e) => e.message);
 * console.assert(message.startsWith("/dev/zero: is a character device"));
 * ```
 */
export async function statRegularFile(path: string, context?: string): Promise<Deno.FileInfo> {
  const fail = (what: string, todo: string) =>
    new Error(`${path}: ${what} (${[context, todo].filter(Boolean).join("; ")})`);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      const link = await Deno.readLink(path).catch(() => undefined);
      if (link !== undefined) {
        throw fail(`broken symlink to ${link}, which does not exist`, "fix or remove the link");
      }
      throw fail("file not found", "check the path");
    }
    if (e instanceof Deno.errors.FilesystemLoop) {
      throw fail("symlink loop (the link resolves back to itself)", "fix or remove the link");
    }
    if (e instanceof Deno.errors.PermissionDenied) throw fail("permission denied", "make it readable");
    throw fail(`cannot be read: ${(e as Error).message}`, "check the path and its permissions");
  }
  if (info.isFile) return info;
  if (info.isDirectory) throw fail("is a directory, not a file", "name the file inside it");
  if (info.isFifo) {
    throw fail(
      "is a FIFO (named pipe), not a regular file; reading it could wait forever",
      "copy the data to a file",
    );
  }
  if (info.isCharDevice) {
    throw fail("is a character device (like /dev/zero), not a regular file", "give a regular file");
  }
  if (info.isBlockDevice) throw fail("is a block device, not a regular file", "give a regular file");
  if (info.isSocket) throw fail("is a socket, not a regular file", "give a regular file");
  throw fail("is not a regular file", "give a regular file");
}
