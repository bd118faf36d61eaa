/**
 * A model folder (whatever files an external train command wrote) as a MethodState and back. State files
 * hold float32 values only, so each file's bytes are packed three to a value (an integer below 2^24, exact
 * in float32); the byte count and a SHA-256 check the files on the way back.
 * @module
 */
import { dirname, join, relative, sep } from "node:path";
import type { MethodState } from "../../core/mod.ts";

/** What `meta.files` records per file. */
interface FileEntry {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** The state's tensor holding a file. */
const tensorName = (path: string) => `file:${path}`;

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes → float32 values, three bytes each. */
export function packBytes(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(Math.ceil(bytes.length / 3));
  for (let i = 0, j = 0; i < bytes.length; i += 3, j++) {
    out[j] = bytes[i]! + 256 * (bytes[i + 1] ?? 0) + 65536 * (bytes[i + 2] ?? 0);
  }
  return out;
}

/** Float32 values from {@linkcode packBytes} → the first `length` bytes. */
export function unpackBytes(values: Float32Array, length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(values.length * 3);
  values.forEach((v, j) => {
    out[3 * j] = v & 0xff;
    out[3 * j + 1] = (v >> 8) & 0xff;
    out[3 * j + 2] = (v >> 16) & 0xff;
  });
  return out.subarray(0, length);
}

/** Every regular file under `dir`, as '/'-separated paths relative to it, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const full = join(d, e.name);
      if (e.isDirectory) await walk(full);
      else if (e.isFile) files.push(relative(dir, full).split(sep).join("/"));
      else throw new Error(`${full}: the model folder may hold only files and folders (found a link)`);
    }
  };
  await walk(dir);
  return files.sort();
}

/** The files of a model folder as a state; `meta` is added to the state's meta. */
export async function folderToState(dir: string, meta: Record<string, unknown> = {}): Promise<MethodState> {
  const tensors: Record<string, { shape: number[]; values: Float32Array }> = {};
  const files: FileEntry[] = [];
  for (const path of await listFiles(dir)) {
    const bytes = await Deno.readFile(join(dir, path));
    const values = packBytes(bytes);
    tensors[tensorName(path)] = { shape: [values.length], values };
    files.push({ path, bytes: bytes.length, sha256: await sha256(bytes) });
  }
  return { tensors, meta: { ...meta, files } };
}

/** Writes the files of a state from {@linkcode folderToState} into `dir`, checking each one's hash. */
export async function stateToFolder(state: MethodState, dir: string): Promise<void> {
  const files = state.meta?.files;
  if (!Array.isArray(files)) throw new Error("external: the saved state lists no model files (meta.files)");
  for (const f of files as FileEntry[]) {
    const t = state.tensors[tensorName(f.path)];
    if (
      typeof f.path !== "string" || f.path.split("/").some((p) => p === ".." || p === "") ||
      f.path.startsWith("/")
    ) {
      throw new Error(`external: the saved state names a bad model file path '${f.path}'`);
    }
    if (!t) throw new Error(`external: the saved state lacks the bytes of model file '${f.path}'`);
    const bytes = unpackBytes(t.values, f.bytes);
    if (bytes.length !== f.bytes || (await sha256(bytes)) !== f.sha256) {
      throw new Error(`external: model file '${f.path}' in the saved state is damaged (its SHA-256 differs)`);
    }
    const path = join(dir, ...f.path.split("/"));
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeFile(path, bytes);
  }
}
