/**
 * Test support: a stand-in for `CudaRuntime` that runs the templated kernels on the host. The kernel
 * sources are compiled with g++ (CUDA qualifiers defined away) together with a dispatcher that takes the
 * arguments `CudaRuntime.launch` packs for cuLaunchKernel. Each block runs as `threads` host threads with
 * barriers standing in for `__syncthreads` and warp shuffles, blocks one after another (at most 64 threads a block). "Device memory" is a
 * host heap; each launch passes it to the emulator process and reads it back. cuBLAS and cuDNN are not
 * emulated (matmul and convolution kernels cannot run here).
 *
 * This checks the generated CUDA C, the host-side geometry and the backend's bookkeeping without a GPU; it
 * says nothing about device behaviour (NVRTC, launches, memory, speed).
 *
 * @module
 */
import { CachingAllocator } from "./allocator.ts";
import type { DeviceInfo, KernelArg } from "./runtime.ts";
import type { KernelSource } from "./template_prelude.ts";

const HOST_PRELUDE = `#include <algorithm>
#include <barrier>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>
using std::max;
using std::min;
struct HostDim { int x, y, z; };
// blockDim.x host threads run every block, one block after another.
static HostDim blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
static thread_local HostDim threadIdx = {0, 0, 0}, blockIdx = {0, 0, 0};
static std::barrier<>* block_barrier;
static std::vector<std::unique_ptr<std::barrier<>>> warp_barriers;
static unsigned long long warp_lanes[64][32];
#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__
#define __shared__ static
static inline void __syncthreads() { block_barrier->arrive_and_wait(); }
template <class T> static T __shfl_down_sync(unsigned, T v, int offset) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  std::memcpy(&warp_lanes[warp][lane], &v, sizeof(T));
  warp_barriers[warp]->arrive_and_wait();
  T out = v;
  if (lane + offset < 32 && warp * 32 + lane + offset < blockDim.x) std::memcpy(&out, &warp_lanes[warp][lane + offset], sizeof(T));
  warp_barriers[warp]->arrive_and_wait();
  return out;
}
static inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
static inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
`;

/** The g++ source of the emulator for `kernels`: the kernels, one wrapper each and a dispatcher main. */
export function emulatorSource(kernels: readonly KernelSource[]): string {
  const wrappers = kernels.map((k) => {
    const m = k.source.match(new RegExp(`extern "C" __global__ void ${k.name}\\(([^)]*)\\)`));
    if (m === null) throw new Error(`host emulator: no entry '${k.name}' in its source`);
    const types = m[1]!.split(",").map((p) => p.replace(/__restrict__/g, "").trim().replace(/\s*\b\w+$/, ""));
    const call = types.map((t, i) => `*(${t}*)p[${i}]`).join(", ");
    return `static void call_${k.name}(void** p) { ${k.name}(${call}); }`;
  });
  const table = kernels.map((k) => `  {"${k.name}", call_${k.name}},`).join("\n");
  return `${HOST_PRELUDE}
${kernels.map((k) => k.source).join("\n")}
${wrappers.join("\n")}
struct Entry { const char* name; void (*fn)(void**); };
static const Entry entries[] = {
${table}
};
// argv: heap file, launch file ("name blocks threads" then one "p <offset>" | "i <int>" | "f <bits>" |
// "g <count> <ints...>" per argument)
int main(int argc, char** argv) {
  if (argc != 3) return 2;
  FILE* h = std::fopen(argv[1], "rb");
  std::fseek(h, 0, SEEK_END);
  std::vector<unsigned char> heap(std::ftell(h));
  std::fseek(h, 0, SEEK_SET);
  if (std::fread(heap.data(), 1, heap.size(), h) != heap.size()) return 3;
  std::fclose(h);
  FILE* l = std::fopen(argv[2], "r");
  char name[256];
  int blocks, threads;
  if (std::fscanf(l, "%255s %d %d", name, &blocks, &threads) != 3 || threads > 2048) return 4;
  std::vector<std::vector<int>> slots;
  char kind;
  while (std::fscanf(l, " %c", &kind) == 1) {
    if (kind == 'p') {
      long long off; if (std::fscanf(l, "%lld", &off) != 1) return 5;
      void* ptr = heap.data() + off;
      std::vector<int> s(2); std::memcpy(s.data(), &ptr, sizeof ptr); slots.push_back(s);
    } else if (kind == 'g') {
      int n; if (std::fscanf(l, "%d", &n) != 1) return 6;
      std::vector<int> s(n); for (int& v : s) if (std::fscanf(l, "%d", &v) != 1) return 7;
      slots.push_back(s);
    } else {
      int v; if (std::fscanf(l, "%d", &v) != 1) return 8;
      slots.push_back(std::vector<int>(1, v));
    }
  }
  std::fclose(l);
  std::vector<void*> params;
  for (auto& s : slots) params.push_back(s.data());
  for (const Entry& e : entries) {
    if (std::strcmp(e.name, name) == 0) {
      gridDim.x = blocks;
      blockDim.x = threads;
      std::barrier<> block(threads);
      block_barrier = &block;
      for (int w = 0; w * 32 < threads; ++w) warp_barriers.emplace_back(new std::barrier<>(std::min(32, threads - w * 32)));
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
          threadIdx.x = t;
          for (int b = 0; b < blocks; ++b) {
            blockIdx.x = b;
            e.fn(params.data());
            // The next block reuses the __shared__ (static) arrays: wait until every thread left this one.
            block.arrive_and_wait();
          }
        });
      }
      for (auto& th : pool) th.join();
      h = std::fopen(argv[1], "wb");
      std::fwrite(heap.data(), 1, heap.size(), h);
      std::fclose(h);
      return 0;
    }
  }
  std::fprintf(stderr, "no kernel %s\\n", name);
  return 9;
}
`;
}

/** The g++ found on PATH, or undefined. */
export function findGpp(): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter(Boolean)) {
    try {
      if (Deno.statSync(`${dir}/g++`).isFile) return `${dir}/g++`;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** A `CudaRuntime` stand-in over a host heap; see the module doc. */
export class HostEmulatedRuntime {
  /** A fake device description. */
  readonly info: DeviceInfo = {
    name: "host emulation (g++)",
    computeCapability: [0, 0],
    multiprocessors: 1,
    runtimeVersion: 0,
    driverVersion: 0,
  };
  /** The caching allocator over the heap (a bump allocator underneath). */
  readonly allocator: CachingAllocator;
  /** Kernel launches so far, by kernel name. */
  readonly launches: string[] = [];
  readonly #binary: string;
  readonly #dir: string;
  readonly #names: Set<string>;
  #heap = new Uint8Array(1 << 16);
  #top = 256;

  private constructor(binary: string, dir: string, kernels: readonly KernelSource[]) {
    this.#binary = binary;
    this.#dir = dir;
    this.#names = new Set(kernels.map((k) => k.name));
    this.allocator = new CachingAllocator({ malloc: (bytes) => this.#bump(bytes), free: () => {} });
  }

  /**
   * Compiles the emulator for `kernels` with g++ into a temp dir.
   *
   * @throws Error with the compiler output when g++ fails.
   */
  static async build(gpp: string, kernels: readonly KernelSource[]): Promise<HostEmulatedRuntime> {
    const dir = await Deno.makeTempDir({ prefix: "cuda_host_emulator_" });
    await Deno.writeTextFile(`${dir}/emulator.cpp`, emulatorSource(kernels));
    const { code, stderr } = await new Deno.Command(gpp, {
      args: ["-O0", "-std=c++20", "-pthread", "-o", `${dir}/emulator`, `${dir}/emulator.cpp`],
      stderr: "piped",
    }).output();
    if (code !== 0) throw new Error(`host emulator: g++ failed:\n${new TextDecoder().decode(stderr)}`);
    return new HostEmulatedRuntime(`${dir}/emulator`, dir, kernels);
  }

  #bump(bytes: number): bigint {
    const at = this.#top;
    this.#top = Math.ceil((at + bytes) / 256) * 256;
    if (this.#top > this.#heap.length) {
      const grown = new Uint8Array(Math.max(this.#top, this.#heap.length * 2));
      grown.set(this.#heap);
      this.#heap = grown;
    }
    return BigInt(at);
  }

  /** Copies host bytes into the heap. */
  upload(dst: bigint, src: ArrayBufferView<ArrayBuffer>): void {
    this.#heap.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), Number(dst));
  }

  /** Copies heap bytes out. */
  download(dst: ArrayBufferView<ArrayBuffer>, src: bigint): void {
    new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength).set(
      this.#heap.subarray(Number(src), Number(src) + dst.byteLength),
    );
  }

  /** Copies within the heap. */
  copyDevice(dst: bigint, src: bigint, bytes: number): void {
    this.#heap.copyWithin(Number(dst), Number(src), Number(src) + bytes);
  }

  /** Zeroes heap bytes. */
  zero(dst: bigint, bytes: number): void {
    this.#heap.fill(0, Number(dst), Number(dst) + bytes);
  }

  /** Nothing to wait for. */
  synchronize(): void {}

  /** Nothing to wait for. */
  async synchronizeAsync(): Promise<void> {}

  /** Runs `f`; emulated time is 0. */
  time(f: () => void): Promise<number> {
    f();
    return Promise.resolve(0);
  }

  /** Heap size as "memory". */
  memInfo(): { free: number; total: number } {
    return { free: this.#heap.length - this.#top, total: this.#heap.length };
  }

  /** One block per launch: the grid-stride loops cover every element. */
  blocksFor(): number {
    return 1;
  }

  /**
   * Runs `kernel` in the emulator process over the heap.
   *
   * @throws Error for a kernel not compiled into the emulator or a failed run.
   */
  launch(kernel: KernelSource, blocks: number, threads: number, args: readonly KernelArg[]): void {
    if (!this.#names.has(kernel.name)) {
      throw new Error(`host emulator: kernel '${kernel.name}' is not emulated`);
    }
    this.launches.push(kernel.name);
    // Host threads are costly: blocks run with at most 64 threads (two warps), which the kernels handle.
    const lines = [
      `${kernel.name} ${blocks} ${Math.min(threads, 64)}`,
      ...args.map((a) => {
        if ("ptr" in a) return `p ${a.ptr}`;
        if ("i32" in a) return `i ${a.i32}`;
        if ("f32" in a) return `f ${new Int32Array(new Float32Array([a.f32]).buffer)[0]}`;
        return `g ${a.geo.length} ${Array.from(a.geo).join(" ")}`;
      }),
    ];
    Deno.writeFileSync(`${this.#dir}/heap.bin`, this.#heap.subarray(0, this.#top));
    Deno.writeTextFileSync(`${this.#dir}/launch.txt`, lines.join("\n"));
    const { code, stderr } = new Deno.Command(this.#binary, {
      args: [`${this.#dir}/heap.bin`, `${this.#dir}/launch.txt`],
      stderr: "piped",
    }).outputSync();
    if (code !== 0) {
      throw new Error(`host emulator: ${kernel.name} failed (${code}): ${new TextDecoder().decode(stderr)}`);
    }
    this.#heap.set(Deno.readFileSync(`${this.#dir}/heap.bin`));
  }

  /** Removes the emulator's temp dir. */
  dispose(): void {
    Deno.removeSync(this.#dir, { recursive: true });
  }
}
