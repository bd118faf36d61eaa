/**
 * A caching device allocator: freed blocks go to per-size free lists and are handed out again without a
 * driver call. Sizes are rounded to classes (512 B minimum, powers of two up to 1 MiB, then whole MiB) so
 * that tensors of nearby sizes share blocks. Stream-ordered reuse is safe because the backend runs every
 * kernel and copy on one stream. The raw allocation calls are injected, so the policy is tested on the host.
 *
 * @example
 * ```ts
 * import { CachingAllocator } from "./allocator.ts";
 * let next = 0x1000n;
 * const alloc = new CachingAllocator({ malloc: (n) => (next += BigInt(n)), free: () => {} });
 * const p = alloc.malloc(1000); // a 1024-byte block
 * alloc.free(p);
 * alloc.malloc(900) === p; // reused
 * ```
 * @module
 */

/** The raw allocation calls (cudaMallocAsync / cudaFreeAsync on the backend's stream). */
export interface RawAllocator {
  /** Allocates `bytes`; returns the device address, or throws. */
  malloc(bytes: number): bigint;
  /** Releases an address returned by `malloc`. */
  free(ptr: bigint): void;
}

/** Bytes of the size class `bytes` is served from. */
export function sizeClass(bytes: number): number {
  const MiB = 1 << 20;
  if (bytes <= 512) return 512;
  if (bytes <= MiB) return 2 ** Math.ceil(Math.log2(bytes));
  return Math.ceil(bytes / MiB) * MiB;
}

/** Counters of a {@link CachingAllocator}. */
export interface AllocatorStats {
  /** Bytes in blocks handed out and not freed. */
  readonly inUseBytes: number;
  /** Bytes in cached free blocks. */
  readonly cachedBytes: number;
  /** Raw allocations made (cache misses). */
  readonly rawAllocations: number;
}

/** The caching allocator; see the module doc. */
export class CachingAllocator {
  readonly #raw: RawAllocator;
  readonly #maxCachedBytes: number;
  readonly #free = new Map<number, bigint[]>();
  readonly #sizes = new Map<bigint, number>();
  #inUse = 0;
  #cached = 0;
  #rawAllocations = 0;

  /**
   * @param raw the raw allocation calls
   * @param maxCachedBytes cached bytes kept at most; beyond it freed blocks are released at once
   */
  constructor(raw: RawAllocator, maxCachedBytes = 4 * 2 ** 30) {
    this.#raw = raw;
    this.#maxCachedBytes = maxCachedBytes;
  }

  /**
   * A block of at least `bytes`. On a raw allocation failure the cache is emptied and the allocation retried
   * once.
   */
  malloc(bytes: number): bigint {
    const size = sizeClass(bytes);
    const cached = this.#free.get(size)?.pop();
    let ptr: bigint;
    if (cached !== undefined) {
      this.#cached -= size;
      ptr = cached;
    } else {
      try {
        ptr = this.#raw.malloc(size);
      } catch {
        this.emptyCache();
        ptr = this.#raw.malloc(size);
      }
      this.#rawAllocations++;
    }
    this.#sizes.set(ptr, size);
    this.#inUse += size;
    return ptr;
  }

  /**
   * Returns a block to the cache.
   *
   * @throws Error for an address this allocator did not hand out (or already freed).
   */
  free(ptr: bigint): void {
    const size = this.#sizes.get(ptr);
    if (size === undefined) {
      throw new Error(`cuda backend: free of unknown device address 0x${ptr.toString(16)}`);
    }
    this.#sizes.delete(ptr);
    this.#inUse -= size;
    if (this.#cached + size > this.#maxCachedBytes) {
      this.#raw.free(ptr);
      return;
    }
    let list = this.#free.get(size);
    if (list === undefined) this.#free.set(size, list = []);
    list.push(ptr);
    this.#cached += size;
  }

  /** Releases every cached block. */
  emptyCache(): void {
    for (const list of this.#free.values()) for (const ptr of list) this.#raw.free(ptr);
    this.#free.clear();
    this.#cached = 0;
  }

  /** Current counters. */
  get stats(): AllocatorStats {
    return { inUseBytes: this.#inUse, cachedBytes: this.#cached, rawAllocations: this.#rawAllocations };
  }
}
