/**
 * A torch-free external method in a few lines of Deno: per-voxel z-scores. Training stores the mean and
 * standard deviation of every voxel and channel over the healthy training samples' foreground; the score
 * is the mean over channels of |x − mean| / std. It speaks protocol uad-external/1
 * (plugins/external/README.md) with nothing but the standard library, as a program in any language would:
 *
 * ```sh
 * deno run --allow-read --allow-write examples/zscore/zscore.ts train|score JOB
 * ```
 * @module
 */

/** A C-ordered array read from an `.npy` file (float32 or uint8 only: what the protocol writes). */
interface Npy {
  readonly shape: number[];
  readonly data: Float32Array | Uint8Array;
}

function readNpy(path: string): Npy {
  const bytes = Deno.readFileSync(path);
  const view = new DataView(bytes.buffer);
  const headerLength = bytes[6] === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = bytes[6] === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const dtype = /'descr': '([^']+)'/.exec(header)![1];
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!.split(",").filter((s) => s.trim()).map(Number);
  const body = bytes.slice(start + headerLength);
  if (dtype === "<f4") return { shape, data: new Float32Array(body.buffer) };
  if (dtype === "|u1") return { shape, data: body };
  throw new Error(`${path}: dtype ${dtype} is not float32 or uint8`);
}

function writeNpy(path: string, shape: number[], data: Float32Array): void {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(", ")}${
    shape.length === 1 ? "," : ""
  }), }`;
  const text = dict + " ".repeat(63 - ((10 + dict.length) % 64)) + "\n"; // data starts at a multiple of 64
  const head = new Uint8Array([
    0x93,
    0x4e,
    0x55,
    0x4d,
    0x50,
    0x59,
    1,
    0,
    text.length & 255,
    text.length >> 8,
  ]);
  Deno.writeFileSync(
    path,
    new Uint8Array([...head, ...new TextEncoder().encode(text), ...new Uint8Array(data.buffer)]),
  );
}

const [task, jobDir] = Deno.args;
const job = JSON.parse(Deno.readTextFileSync(`${jobDir}/job.json`));
if (job.protocol !== "uad-external/1") throw new Error(`unknown protocol ${job.protocol}`);
const channels: number = job.sampleShape.at(-1);
const eps: number = job.params.eps ?? 1e-3;

if (task === "train") {
  const images = readNpy(job.data.train.images), fg = readNpy(job.data.train.foreground);
  const voxels = fg.data.length / images.shape[0]!; // per sample
  const sum = new Float64Array(voxels * channels), sq = new Float64Array(voxels * channels);
  const count = new Float64Array(voxels);
  for (let s = 0; s < images.shape[0]!; s++) {
    for (let v = 0; v < voxels; v++) {
      if (!fg.data[s * voxels + v]) continue;
      count[v]!++;
      for (let c = 0; c < channels; c++) {
        const x = images.data[(s * voxels + v) * channels + c]!;
        sum[v * channels + c]! += x;
        sq[v * channels + c]! += x * x;
      }
    }
  }
  const stats = new Float32Array(2 * voxels * channels); // [2, ...S, C]: mean, then std
  for (let i = 0; i < voxels * channels; i++) {
    const n = count[Math.floor(i / channels)]!;
    const mean = n ? sum[i]! / n : 0;
    stats[i] = mean;
    stats[voxels * channels + i] = n ? Math.sqrt(Math.max(sq[i]! / n - mean * mean, 0)) : 1;
  }
  writeNpy(`${job.model}/stats.npy`, [2, ...job.sampleShape], stats);
  Deno.writeTextFileSync(job.summary, JSON.stringify({ steps: 1 }));
  console.log(`@progress ${JSON.stringify({ step: 1, steps: 1 })}`);
} else if (task === "score") {
  const stats = readNpy(`${job.model}/stats.npy`).data;
  const images = readNpy(job.images).data, fg = readNpy(job.foreground).data;
  const voxels = stats.length / 2 / channels;
  const scores = new Float32Array(fg.length); // [B, ...S]
  for (let i = 0; i < fg.length; i++) {
    const v = i % voxels;
    let z = 0;
    for (let c = 0; c < channels; c++) {
      const std = stats[voxels * channels + v * channels + c]!;
      z += Math.abs(images[i * channels + c]! - stats[v * channels + c]!) / (std + eps);
    }
    scores[i] = fg[i] ? z / channels : 0;
  }
  writeNpy(job.scores, [job.count, ...job.sampleShape.slice(0, -1)], scores);
} else {
  console.error("usage: zscore.ts train|score JOB");
  Deno.exit(2);
}
