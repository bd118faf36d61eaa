/**
 * The read-ahead thread of `StreamedSamples`: reads the byte ranges of each requested sample from its cache
 * file into the request's slot of a shared buffer, in request order, then marks the slot delivered (or failed:
 * the main thread then reads the sample itself and reports the cause).
 * @module
 */
import { closeSync, openSync, readSync } from "node:fs";
import { parentPort } from "node:worker_threads";

const READY = 2, FAILED = 3;

/** The first message: the shared buffers. */
interface Setup {
  readonly ring: SharedArrayBuffer;
  readonly state: SharedArrayBuffer;
  readonly slotBytes: number;
}

/** A request: [file offset, length, offset in the slot] ranges of one sample. */
interface Request {
  readonly slot: number;
  readonly file: string;
  readonly ranges: readonly (readonly number[])[];
}

let ring: Uint8Array, state: Int32Array, slotBytes: number;

parentPort!.on("message", (m: Setup | Request) => {
  if ("ring" in m) {
    ring = new Uint8Array(m.ring);
    state = new Int32Array(m.state);
    slotBytes = m.slotBytes;
    return;
  }
  let ok = true;
  try {
    const fd = openSync(m.file, "r");
    try {
      for (const [at, length, to] of m.ranges) {
        let done = 0;
        while (ok && done < length!) {
          const n = readSync(fd, ring, m.slot * slotBytes + to! + done, length! - done, at! + done);
          ok = n > 0;
          done += n;
        }
      }
    } finally {
      closeSync(fd);
    }
  } catch {
    ok = false;
  }
  Atomics.store(state, m.slot, ok ? READY : FAILED);
  Atomics.notify(state, m.slot);
});
