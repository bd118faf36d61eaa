/**
 * Samples read on demand from a dataset's cache files instead of held in memory: an index of (case file,
 * slice) for every sample, built in one pass over the split, and a bounded background read-ahead of the
 * batches the training loop announces. Batches are byte for byte those of `collectSamples` over the same
 * cases, so training is bit-identical either way; memory no longer grows with the number of cases.
 * @module
 */
import { closeSync, openSync, readSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { crc32 } from "node:zlib";
import type { Dims, StoredCase } from "./dataset.ts";
import type { Batch, SampleSet } from "./method.ts";
import { type SampleOptions, sampleShapeOf } from "./samples.ts";
import { tf } from "./tf.ts";

/** Batches announced ahead to `prefetch` by the training loop. */
const READ_AHEAD_BATCHES = 8;
/** Bytes of read-ahead buffer at most (at least one sample): 240 BraTS slices, 18 head-CT volumes. */
const READ_AHEAD_BYTES = 64 << 20;

/** How a {@linkcode StreamedSamples} got its samples so far. */
export interface ReadStats {
  /** Samples the read-ahead thread delivered before they were asked for (or while `batch` waited). */
  readonly prefetched: number;
  /** Samples `batch` read itself (not announced, or no room in the read-ahead buffer). */
  readonly readInPlace: number;
  /** The most samples the read-ahead buffer held (requested or delivered, not yet taken) at once. */
  readonly maxHeld: number;
  /** Samples the read-ahead buffer has room for. */
  readonly slots: number;
}

/** Options of {@linkcode indexStoredSamples} besides the sample choice. */
export interface StreamOptions {
  /** Bytes of read-ahead buffer (default 64 MiB; at least one sample's worth is always kept). */
  readonly readAheadBytes?: number;
}
/** How long `batch` waits for a sample the reader has not delivered before reading it itself. */
const STALL_MS = 60_000;

/** Slot states in the shared state array (the reader thread writes READY, or 3 when a read failed). */
const FREE = 0, PENDING = 1, READY = 2;

/** Where one case's arrays lie. */
interface CaseFile {
  readonly id: string;
  readonly file: string;
  readonly imageAt: number;
  readonly foregroundAt: number;
  readonly labelAt: number | undefined;
}

/** The read-ahead: a worker thread that reads samples into slots of a shared buffer. */
interface Reader {
  readonly worker: Worker;
  readonly ring: Uint8Array;
  readonly state: Int32Array;
  readonly free: number[];
  /** Sample index → slot, for samples requested and not yet taken. */
  readonly slotOf: Map<number, number>;
}

/** Samples of a split read from its cache files on demand (see the module doc). */
export class StreamedSamples implements SampleSet {
  /** Number of samples. */
  readonly size: number;
  /** Shape of one sample: [H, W, C] or [D, H, W, C]. */
  readonly sampleShape: readonly number[];
  /** Batches the training loop announces ahead. */
  readonly readAhead = READ_AHEAD_BATCHES;
  readonly #cases: readonly CaseFile[];
  readonly #caseOf: Uint32Array;
  readonly #unitOf: Uint32Array;
  readonly #crcOf: Uint32Array;
  readonly #withLabels: boolean;
  readonly #per: number;
  readonly #perMask: number;
  /** Bytes of one sample as read: image, foreground, label (when labels are wanted and the case has them). */
  readonly #slotBytes: number;
  #reader: Reader | undefined;
  #readerBroken = false;
  readonly #scratch: Uint8Array;
  readonly #slots: number;
  #stats = { prefetched: 0, readInPlace: 0, maxHeld: 0 };

  /** Use {@linkcode indexStoredSamples}. */
  constructor(
    sampleShape: readonly number[],
    cases: readonly CaseFile[],
    index: { caseOf: Uint32Array; unitOf: Uint32Array; crcOf: Uint32Array },
    withLabels: boolean,
    readAheadBytes = READ_AHEAD_BYTES,
  ) {
    this.sampleShape = sampleShape;
    this.#cases = cases;
    this.#caseOf = index.caseOf;
    this.#unitOf = index.unitOf;
    this.#crcOf = index.crcOf;
    this.size = index.caseOf.length;
    this.#withLabels = withLabels;
    this.#per = sampleShape.reduce((a, b) => a * b, 1);
    this.#perMask = this.#per / sampleShape[sampleShape.length - 1]!;
    this.#slotBytes = (4 * this.#per + this.#perMask * (withLabels ? 2 : 1) + 7) & ~7;
    this.#scratch = new Uint8Array(this.#slotBytes);
    this.#slots = Math.max(1, Math.min(Math.floor(readAheadBytes / this.#slotBytes), this.size));
  }

  /** How samples were read so far (for benchmarks and tests). */
  get stats(): ReadStats {
    return { ...this.#stats, slots: this.#slots };
  }

  /** Builds a batch from sample indices (each in [0, size)), reading what the read-ahead has not. */
  batch(indices: readonly number[]): Batch {
    const per = this.#per, perMask = this.#perMask;
    const img = new Float32Array(indices.length * per);
    const fg = new Float32Array(indices.length * perMask);
    const lab = this.#withLabels ? new Float32Array(indices.length * perMask) : undefined;
    indices.forEach((s, i) => {
      if (!(s >= 0 && s < this.size)) throw new Error(`sample index ${s} out of range 0..${this.size - 1}`);
      const [bytes, release] = this.#take(s);
      img.set(new Float32Array(bytes.buffer, bytes.byteOffset, per), i * per);
      fg.set(bytes.subarray(4 * per, 4 * per + perMask), i * perMask); // 0/1 bytes → floats
      if (lab && this.#cases[this.#caseOf[s]!]!.labelAt !== undefined) {
        lab.set(bytes.subarray(4 * per + perMask, 4 * per + 2 * perMask), i * perMask);
      }
      release();
    });
    const maskShape = [indices.length, ...this.sampleShape.slice(0, -1), 1];
    return {
      images: tf.tensor(img, [indices.length, ...this.sampleShape]),
      foreground: tf.tensor(fg, maskShape),
      ...(lab ? { labels: tf.tensor(lab, maskShape) } : {}),
    };
  }

  /**
   * Starts reading the samples of `upcoming` (in order) in a worker thread, as far as the read-ahead buffer
   * (64 MiB unless set, at least one sample) has room.
   */
  prefetch(upcoming: readonly (readonly number[])[]): void {
    const r = this.#readerOrNone();
    if (!r) return;
    const wanted = upcoming.flat();
    if (r.free.length === 0) this.#reclaim(r, new Set(wanted));
    for (const s of wanted) {
      if (r.slotOf.has(s) || !(s >= 0 && s < this.size)) continue;
      const slot = r.free.pop();
      if (slot === undefined) return;
      Atomics.store(r.state, slot, PENDING);
      r.slotOf.set(s, slot);
      const c = this.#cases[this.#caseOf[s]!]!;
      r.worker.postMessage({ slot, file: c.file, ranges: this.#ranges(s) });
      this.#stats.maxHeld = Math.max(this.#stats.maxHeld, r.slotOf.size);
    }
  }

  /** Stops the read-ahead thread (it does not keep the process alive; tests close it). */
  close(): void {
    this.#reader?.worker.terminate();
    this.#reader = undefined;
  }

  /** The sample's bytes (checked against the index) and a function that frees its slot. */
  #take(s: number): [Uint8Array, () => void] {
    const r = this.#reader;
    const slot = r?.slotOf.get(s);
    if (r && slot !== undefined) {
      r.slotOf.delete(s);
      if (Atomics.load(r.state, slot) === PENDING) Atomics.wait(r.state, slot, PENDING, STALL_MS);
      const state = Atomics.load(r.state, slot);
      if (state === READY) {
        const bytes = r.ring.subarray(slot * this.#slotBytes, (slot + 1) * this.#slotBytes);
        const release = () => (Atomics.store(r.state, slot, FREE), r.free.push(slot));
        try {
          this.#check(s, bytes);
        } catch (e) {
          release();
          throw e;
        }
        this.#stats.prefetched++;
        return [bytes, release];
      }
      if (state === PENDING) {
        // The reader stalled (a hung file system?): stop it and read in this thread from now on.
        this.#readerBroken = true;
        this.close();
      } else {
        Atomics.store(r.state, slot, FREE);
        r.free.push(slot); // the read failed: the read below reports the cause
      }
    }
    this.#readSync(s, this.#scratch);
    this.#check(s, this.#scratch);
    this.#stats.readInPlace++;
    return [this.#scratch, () => {}];
  }

  /** Byte ranges [file offset, length, offset in the sample's bytes] of sample `s`. */
  #ranges(s: number): number[][] {
    const c = this.#cases[this.#caseOf[s]!]!;
    const u = this.#unitOf[s]!;
    const per = this.#per, perMask = this.#perMask;
    const ranges = [
      [c.imageAt + u * 4 * per, 4 * per, 0],
      [c.foregroundAt + u * perMask, perMask, 4 * per],
    ];
    if (this.#withLabels && c.labelAt !== undefined) {
      ranges.push([c.labelAt + u * perMask, perMask, 4 * per + perMask]);
    }
    return ranges;
  }

  #readSync(s: number, into: Uint8Array): void {
    const file = this.#cases[this.#caseOf[s]!]!.file;
    let fd: number;
    try {
      fd = openSync(file, "r");
    } catch (e) {
      throw new Error(`${file}: cannot open cache file to read sample ${s} (${(e as Error).message})`);
    }
    try {
      for (const [at, length, to] of this.#ranges(s)) {
        let done = 0;
        while (done < length!) {
          const n = readSync(fd, into, to! + done, length! - done, at! + done);
          if (n === 0) throw new Error(`${file}: cache file ends early (truncated since it was checked?)`);
          done += n;
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Compares a sample's bytes with the CRC-32 taken when the split was indexed. */
  #check(s: number, bytes: Uint8Array): void {
    const length = this.#ranges(s).reduce((n, r) => n + r[1]!, 0);
    if (crc32(bytes.subarray(0, length)) === this.#crcOf[s]) return;
    const c = this.#cases[this.#caseOf[s]!]!;
    throw new Error(
      `${c.file}: sample ${this.#unitOf[s]} of case '${c.id}' changed since the split was indexed ` +
        `(checksum mismatch): the cache file was modified or damaged during the run; rerun to rebuild it`,
    );
  }

  #readerOrNone(): Reader | undefined {
    if (this.#reader || this.#readerBroken) return this.#reader;
    const slots = this.#slots;
    const ring = new SharedArrayBuffer(slots * this.#slotBytes);
    const state = new SharedArrayBuffer(4 * slots);
    const worker = new Worker(new URL("./sample_reader_worker.ts", import.meta.url));
    worker.unref(); // an idle reader never keeps the process alive
    worker.postMessage({ ring, state, slotBytes: this.#slotBytes });
    this.#reader = {
      worker,
      ring: new Uint8Array(ring),
      state: new Int32Array(state),
      free: Array.from({ length: slots }, (_, i) => slots - 1 - i),
      slotOf: new Map(),
    };
    return this.#reader;
  }

  /** Frees delivered slots of samples that are no longer announced (a caller that skipped them). */
  #reclaim(r: Reader, wanted: ReadonlySet<number>): void {
    for (const [s, slot] of r.slotOf) {
      if (wanted.has(s) || Atomics.load(r.state, slot) === PENDING) continue;
      r.slotOf.delete(s);
      Atomics.store(r.state, slot, FREE);
      r.free.push(slot);
    }
  }
}

/**
 * Indexes the samples of stored cases in one pass (one case in memory at a time), keeping for each sample its
 * case, its slice (2D; 3D: the case is the sample) and the CRC-32 of its bytes. Takes the same options, keeps
 * the same samples in the same order and throws the same errors as `collectSamples`.
 */
export async function indexStoredSamples(
  stored: AsyncIterable<StoredCase>,
  dims: Dims,
  { healthyOnly = false, withLabels = false, what = "the split" }: SampleOptions = {},
  { readAheadBytes }: StreamOptions = {},
): Promise<StreamedSamples> {
  const cases: CaseFile[] = [];
  const caseOf: number[] = [], unitOf: number[] = [], crcOf: number[] = [];
  let shape: number[] | undefined;
  for await (const sc of stored) {
    const c = sc.case;
    const s = sampleShapeOf(c, dims);
    if (shape && s.join() !== shape.join()) {
      throw new Error(`${what}: case ${c.id} has sample shape [${s}], others have [${shape}]`);
    }
    shape = s;
    const units = dims === 2 ? c.shape[0] : 1;
    const per = c.image.length / units;
    const perMask = c.foreground.length / units;
    const bytesOf = (a: Float32Array | Uint8Array, u: number, n: number) =>
      new Uint8Array(a.buffer, a.byteOffset + u * n * a.BYTES_PER_ELEMENT, n * a.BYTES_PER_ELEMENT);
    for (let u = 0; u < units; u++) {
      const lab = c.label?.subarray(u * perMask, (u + 1) * perMask);
      if (healthyOnly && lab?.some((v) => v !== 0)) continue;
      let crc = crc32(bytesOf(c.foreground, u, perMask), crc32(bytesOf(c.image, u, per)));
      if (withLabels && c.label) crc = crc32(bytesOf(c.label, u, perMask), crc);
      caseOf.push(cases.length);
      unitOf.push(u);
      crcOf.push(crc);
    }
    cases.push({
      id: c.id,
      file: sc.file,
      imageAt: sc.imageAt,
      foregroundAt: sc.foregroundAt,
      labelAt: sc.labelAt,
    });
  }
  if (!shape) throw new Error(`${what} has no cases`);
  if (caseOf.length === 0) {
    throw new Error(`${what} has no ${healthyOnly ? "lesion-free " : ""}samples (${dims}D)`);
  }
  const index = {
    caseOf: Uint32Array.from(caseOf),
    unitOf: Uint32Array.from(unitOf),
    crcOf: Uint32Array.from(crcOf),
  };
  return new StreamedSamples(shape, cases, index, withLabels, readAheadBytes);
}
