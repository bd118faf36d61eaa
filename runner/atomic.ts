/**
 * Atomic file writes: write a temporary sibling, then rename, so a crash never leaves a half-written file.
 * @module
 */

/** Writes `data` to `path` atomically (temp file in the same folder, then rename). */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    // Deno appends the syscall and the temporary path ("…: writefile '/x.tmp-1234'"): the path named is enough.
    const why = (e instanceof Error ? e.message : String(e)).replace(/: \w+ '[^']*'$/, "");
    throw new Error(`could not write ${path}: ${why}`);
  }
}

/** Writes `value` as indented JSON to `path` atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}
