/**
 * A cpu reference of one DAE step (its inputs, outputs and recorded kernel calls) saved to a file, so that
 * the workers of the second GPU backend load what the first computed: at the paper's widths the cpu step
 * takes tens of seconds and its recording is gigabytes. Format: 8 bytes (little-endian header length), a
 * JSON header, then every array's bytes in header order.
 * @module
 */
import type { tf } from "../core/mod.ts";
import type { StepInputs, StepOutputs } from "./dae_step.ts";
import type { KernelCall, TensorRecord } from "./kernel_record.ts";

/** A cpu reference: what the step was given, what it gave, and every kernel call it made. */
export interface Reference {
  /** The step's inputs. */
  readonly inputs: StepInputs;
  /** Its results on cpu. */
  readonly outputs: StepOutputs;
  /** The kernel calls recorded. */
  readonly calls: KernelCall[];
}

type Values = Float32Array | Int32Array | Uint8Array;
type ArrayMeta = { dtype: tf.DataType; length: number };

/** Writes `ref` to `path` (through a temporary name, so a stopped writer leaves no partial file). */
export async function saveReference(path: string, ref: Reference): Promise<void> {
  const arrays: Values[] = [];
  const meta = (values: Values, dtype: tf.DataType): ArrayMeta => {
    arrays.push(values);
    return { dtype, length: values.length };
  };
  const record = (r: TensorRecord) => ({ shape: r.shape, ...meta(r.values, r.dtype) });
  const header = {
    inputs: {
      shape: ref.inputs.shape,
      images: meta(ref.inputs.images, "float32"),
      foreground: meta(ref.inputs.foreground, "float32"),
      noise: meta(ref.inputs.noise, "float32"),
    },
    outputs: {
      loss: ref.outputs.loss,
      gradNorms: ref.outputs.gradNorms,
      globalNorm: ref.outputs.globalNorm,
      scores: meta(ref.outputs.scores, "float32"),
    },
    calls: ref.calls.map((c) => ({
      name: c.name,
      attrs: c.attrs,
      label: c.label,
      array: c.inputs.array,
      inputs: c.inputs.entries.map(([k, r]) => [k, record(r)] as const),
      outputs: c.outputs.map(record),
    })),
  };
  const json = new TextEncoder().encode(
    JSON.stringify(header, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)),
  );
  const size = new Uint8Array(8);
  new DataView(size.buffer).setBigUint64(0, BigInt(json.length), true);
  {
    using file = await Deno.open(`${path}.part`, { write: true, create: true, truncate: true });
    for (
      const chunk of [
        size,
        json,
        ...arrays.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)),
      ]
    ) {
      for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
    }
  }
  await Deno.rename(`${path}.part`, path);
}

/** Reads a reference written by {@linkcode saveReference}; undefined when the file does not exist. */
export async function loadReference(path: string): Promise<Reference | undefined> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  using f = file;
  const readExactly = async (bytes: Uint8Array) => {
    for (let off = 0; off < bytes.length;) {
      const n = await f.read(bytes.subarray(off));
      if (n === null) throw new Error(`${path}: truncated reference file`);
      off += n;
    }
  };
  const size = new Uint8Array(8);
  await readExactly(size);
  const json = new Uint8Array(Number(new DataView(size.buffer).getBigUint64(0, true)));
  await readExactly(json);
  const header = JSON.parse(new TextDecoder().decode(json));
  // Arrays follow in the order the header names them, which is the order saveReference wrote them.
  const take = async (m: ArrayMeta): Promise<Values> => {
    const values = m.dtype === "int32"
      ? new Int32Array(m.length)
      : m.dtype === "bool"
      ? new Uint8Array(m.length)
      : new Float32Array(m.length);
    await readExactly(new Uint8Array(values.buffer));
    return values;
  };
  const record = async (r: ArrayMeta & { shape: number[] }): Promise<TensorRecord> => ({
    shape: r.shape,
    dtype: r.dtype,
    values: await take(r),
  });
  const inputs: StepInputs = {
    shape: header.inputs.shape,
    images: await take(header.inputs.images) as Float32Array,
    foreground: await take(header.inputs.foreground) as Float32Array,
    noise: await take(header.inputs.noise) as Float32Array,
  };
  const outputs: StepOutputs = {
    loss: header.outputs.loss,
    gradNorms: header.outputs.gradNorms,
    globalNorm: header.outputs.globalNorm,
    scores: await take(header.outputs.scores) as Float32Array,
  };
  const calls: KernelCall[] = [];
  for (const c of header.calls) {
    const entries: [string, TensorRecord][] = [];
    for (const [k, r] of c.inputs) entries.push([k, await record(r)]);
    const outs: TensorRecord[] = [];
    for (const r of c.outputs) outs.push(await record(r));
    calls.push({
      name: c.name,
      attrs: c.attrs,
      label: c.label,
      inputs: { array: c.array, entries },
      outputs: outs,
    });
  }
  return { inputs, outputs, calls };
}
