import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { crc32, encodePng } from "./png.ts";

interface Chunk {
  type: string;
  data: Uint8Array;
  crc: number;
}

/** Splits a PNG into chunks, checking the signature. */
function readChunks(png: Uint8Array): Chunk[] {
  assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Chunk[] = [];
  let at = 8;
  while (at < png.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    chunks.push({ type, data: png.subarray(at + 8, at + 8 + length), crc: view.getUint32(at + 8 + length) });
    assert.equal(
      view.getUint32(at + 8 + length),
      crc32(png.subarray(at + 4, at + 8 + length)),
      `${type} CRC`,
    );
    at += 12 + length;
  }
  assert.equal(at, png.length);
  return chunks;
}

Deno.test("crc32 matches the standard check values", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  // The CRC of an empty IEND chunk's type, as every PNG ends with.
  assert.equal(crc32(new TextEncoder().encode("IEND")), 0xae426082);
});

for (const channels of [1, 3] as const) {
  Deno.test(`encodePng round-trips a ${channels === 1 ? "grayscale" : "RGB"} image`, () => {
    const width = 7, height = 5;
    const pixels = Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 37) % 256);
    const chunks = readChunks(encodePng(pixels, width, height, channels));
    assert.deepEqual(chunks.map((c) => c.type), ["IHDR", "IDAT", "IEND"]);
    const ihdr = new DataView(chunks[0]!.data.buffer, chunks[0]!.data.byteOffset, 13);
    assert.equal(ihdr.getUint32(0), width);
    assert.equal(ihdr.getUint32(4), height);
    assert.deepEqual([...chunks[0]!.data.subarray(8)], [8, channels === 1 ? 0 : 2, 0, 0, 0]);
    const raw = new Uint8Array(inflateSync(chunks[1]!.data));
    const stride = width * channels;
    assert.equal(raw.length, (stride + 1) * height);
    for (let y = 0; y < height; y++) {
      assert.equal(raw[y * (stride + 1)], 0, "filter type 0");
      assert.deepEqual(
        raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)),
        pixels.subarray(y * stride, (y + 1) * stride),
      );
    }
  });
}

Deno.test("encodePng rejects mismatched buffers and bad sizes", () => {
  assert.throws(() => encodePng(new Uint8Array(10), 4, 4, 1), /expected 16 bytes/);
  assert.throws(() => encodePng(new Uint8Array(0), 0, 4, 1), /positive integers/);
  assert.throws(() => encodePng(new Uint8Array(16), 4, 4, 2 as 1), /channels must be 1 or 3/);
});
