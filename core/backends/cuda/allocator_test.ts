import assert from "node:assert/strict";
import { CachingAllocator, sizeClass } from "./allocator.ts";

/** Raw calls over a fake device of `limit` bytes, recording frees. */
function fakeRaw(limit = Infinity) {
  let next = 0x10000n;
  const sizes = new Map<bigint, number>();
  const freed: bigint[] = [];
  const live = () => [...sizes.values()].reduce((a, b) => a + b, 0);
  return {
    freed,
    malloc(bytes: number): bigint {
      if (live() + bytes > limit) throw new Error("out of memory");
      const p = next;
      next += BigInt(bytes);
      sizes.set(p, bytes);
      return p;
    },
    free(ptr: bigint): void {
      sizes.delete(ptr);
      freed.push(ptr);
    },
  };
}

Deno.test("sizeClass rounds to 512 B, powers of two below 1 MiB, whole MiB above", () => {
  assert.equal(sizeClass(1), 512);
  assert.equal(sizeClass(513), 1024);
  assert.equal(sizeClass(300_000), 524288);
  assert.equal(sizeClass(2 ** 20), 2 ** 20);
  assert.equal(sizeClass(2 ** 20 + 1), 2 * 2 ** 20);
});

Deno.test("freed blocks are reused by size class without a raw allocation", () => {
  const raw = fakeRaw();
  const alloc = new CachingAllocator(raw);
  const a = alloc.malloc(1000);
  alloc.free(a);
  assert.equal(alloc.malloc(900), a);
  assert.notEqual(alloc.malloc(1000), a);
  assert.equal(alloc.stats.rawAllocations, 2);
  assert.equal(alloc.stats.inUseBytes, 2048);
  assert.throws(() => alloc.free(0x1n), /unknown device address 0x1/);
});

Deno.test("blocks beyond the cache limit are released at once; emptyCache releases the rest", () => {
  const raw = fakeRaw();
  const alloc = new CachingAllocator(raw, 2048);
  const a = alloc.malloc(2048), b = alloc.malloc(1024);
  alloc.free(a);
  alloc.free(b);
  assert.deepEqual(raw.freed, [b]);
  assert.equal(alloc.stats.cachedBytes, 2048);
  alloc.emptyCache();
  assert.deepEqual(raw.freed, [b, a]);
  assert.deepEqual(alloc.stats, { inUseBytes: 0, cachedBytes: 0, rawAllocations: 2 });
});

Deno.test("an allocation that fails empties the cache and is retried once", () => {
  const raw = fakeRaw(4096);
  const alloc = new CachingAllocator(raw);
  const a = alloc.malloc(2048);
  alloc.free(a);
  const b = alloc.malloc(4096); // 2048 cached + 4096 exceed the device until the cache is released
  assert.deepEqual(raw.freed, [a]);
  assert.equal(alloc.stats.cachedBytes, 0);
  alloc.free(b);
  assert.throws(() => alloc.malloc(8192), /out of memory/);
});
