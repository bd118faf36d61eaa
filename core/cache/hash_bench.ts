/**
 * Source content hashing throughput (the cost every dataset load pays for a content-keyed cache): writes a
 * BraTS-like folder of random bytes (per patient four 2.6 MB modalities and a 0.1 MB segmentation, the sizes
 * of BraTS 2021's .nii.gz files), then times `fingerprintFiles` over it, twice (the second pass reads from the
 * page cache), and prints MB/s. `--dir DIR` hashes every file under an existing folder instead.
 *
 * Usage: deno run -A core/cache/hash_bench.ts [--patients 40] [--dir /data/BraTS2021_Training_Data]
 * @module
 */
import { parseArgs } from "node:util";
import { fingerprintFiles } from "./key.ts";

const { values } = parseArgs({
  options: { patients: { type: "string", default: "40" }, dir: { type: "string" } },
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...(await listFiles(p)));
    else if (e.isFile) out.push(p);
  }
  return out.sort();
}

const dir = values.dir ?? (await Deno.makeTempDir({ prefix: "hash_bench_" }));
if (!values.dir) {
  const chunk = new Uint8Array(65536);
  const random = (n: number) => {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += chunk.length) {
      out.set(crypto.getRandomValues(chunk).subarray(0, n - at), at);
    }
    return out;
  };
  for (let p = 0; p < Number(values.patients); p++) {
    const id = `BraTS2021_${String(p).padStart(5, "0")}`;
    await Deno.mkdir(`${dir}/${id}`);
    for (const m of ["flair", "t1", "t1ce", "t2"]) {
      await Deno.writeFile(`${dir}/${id}/${id}_${m}.nii.gz`, random(2_600_000));
    }
    await Deno.writeFile(`${dir}/${id}/${id}_seg.nii.gz`, random(100_000));
  }
}
const files = await listFiles(dir);
let bytes = 0;
for (const f of files) bytes += (await Deno.stat(f)).size;
for (const pass of ["first pass", "second pass"]) {
  const t = performance.now();
  await fingerprintFiles(files, dir);
  const s = (performance.now() - t) / 1000;
  console.log(
    `${pass}: ${files.length} files, ${(bytes / 1e6).toFixed(0)} MB in ${s.toFixed(2)} s: ` +
      `${(bytes / 1e6 / s).toFixed(0)} MB/s`,
  );
}
if (!values.dir) await Deno.remove(dir, { recursive: true });
