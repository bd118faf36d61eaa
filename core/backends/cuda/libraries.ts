/**
 * Opening the CUDA libraries found by `discovery.ts` with the symbol tables of `ffi.ts`, and turning their
 * status codes into errors that name the call. Needs `--allow-ffi` (and `--allow-read`, `--allow-env` for
 * discovery); nothing here runs on import.
 *
 * @module
 */
import { type CudaLibraryPaths, discoverCudaLibraries } from "./discovery.ts";
import { CUBLAS_SYMBOLS, CUDA_DRIVER_SYMBOLS, CUDART_SYMBOLS, CUDNN_SYMBOLS, NVRTC_SYMBOLS } from "./ffi.ts";

/** The opened libraries. */
export interface CudaLibraries {
  readonly cudart: Deno.DynamicLibrary<typeof CUDART_SYMBOLS>["symbols"];
  readonly driver: Deno.DynamicLibrary<typeof CUDA_DRIVER_SYMBOLS>["symbols"];
  readonly cublas: Deno.DynamicLibrary<typeof CUBLAS_SYMBOLS>["symbols"];
  readonly cudnn: Deno.DynamicLibrary<typeof CUDNN_SYMBOLS>["symbols"];
  readonly nvrtc: Deno.DynamicLibrary<typeof NVRTC_SYMBOLS>["symbols"];
  /** Where each came from. */
  readonly paths: CudaLibraryPaths;
  /** Closes every library opened (the backend's dispose). */
  close(): void;
}

/**
 * Finds and opens the libraries. Helper libraries (cuBLASLt, cuDNN sub-libraries, NVRTC builtins) are opened
 * first by full path so the main ones resolve them whatever LD_LIBRARY_PATH says.
 *
 * @throws Error from discovery when a library is missing, or naming the file `dlopen` refused.
 */
export function openCudaLibraries(paths: CudaLibraryPaths = discoverCudaLibraries()): CudaLibraries {
  const opened: { close(): void }[] = [];
  const open = <S extends Deno.ForeignLibraryInterface>(path: string, symbols: S): Deno.DynamicLibrary<S> => {
    try {
      const lib = Deno.dlopen(path, symbols);
      opened.push(lib);
      return lib;
    } catch (e) {
      for (const lib of opened) lib.close();
      throw new Error(`cuda backend: cannot open ${path}: ${e instanceof Error ? e.message : e}`);
    }
  };
  for (const helper of paths.preload) open(helper, {});
  const driver = open(paths.paths.cuda, CUDA_DRIVER_SYMBOLS).symbols;
  const cudart = open(paths.paths.cudart, CUDART_SYMBOLS).symbols;
  const cublas = open(paths.paths.cublas, CUBLAS_SYMBOLS).symbols;
  const cudnn = open(paths.paths.cudnn, CUDNN_SYMBOLS).symbols;
  const nvrtc = open(paths.paths.nvrtc, NVRTC_SYMBOLS).symbols;
  return {
    cudart,
    driver,
    cublas,
    cudnn,
    nvrtc,
    paths,
    close: () => opened.reverse().forEach((lib) => lib.close()),
  };
}

/** Reads a C string returned by a library (empty for NULL). */
export function cString(ptr: Deno.PointerValue): string {
  return ptr === null ? "" : Deno.UnsafePointerView.getCString(ptr);
}

/** A NUL-terminated UTF-8 copy of `s`, for `const char*` parameters. */
export function toCString(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${s}\0`);
}

/** Throws when a CUDA runtime call failed. */
export function checkCuda(libs: CudaLibraries, status: number, call: string): void {
  if (status !== 0) {
    throw new Error(
      `cuda backend: ${call} failed: ${cString(libs.cudart.cudaGetErrorString(status))} (${status})`,
    );
  }
}

/** Throws when a CUDA driver call failed. */
export function checkDriver(libs: CudaLibraries, status: number, call: string): void {
  if (status === 0) return;
  const out = new BigUint64Array(1);
  libs.driver.cuGetErrorString(status, out);
  throw new Error(`cuda backend: ${call} failed: ${cString(Deno.UnsafePointer.create(out[0]!))} (${status})`);
}

/** Throws when a cuBLAS call failed. */
export function checkCublas(libs: CudaLibraries, status: number, call: string): void {
  if (status !== 0) {
    throw new Error(
      `cuda backend: ${call} failed: ${cString(libs.cublas.cublasGetStatusString(status))} (${status})`,
    );
  }
}

/** Throws when a cuDNN call failed. */
export function checkCudnn(libs: CudaLibraries, status: number, call: string): void {
  if (status !== 0) {
    throw new Error(
      `cuda backend: ${call} failed: ${cString(libs.cudnn.cudnnGetErrorString(status))} (${status})`,
    );
  }
}

/** Throws when an NVRTC call failed. */
export function checkNvrtc(libs: CudaLibraries, status: number, call: string, log = ""): void {
  if (status !== 0) {
    throw new Error(
      `cuda backend: ${call} failed: ${cString(libs.nvrtc.nvrtcGetErrorString(status))} (${status})${
        log ? `\n${log}` : ""
      }`,
    );
  }
}

/** A handle returned through an out-parameter (`T *out`), as a pointer. */
export function outHandle(fill: (out: BigUint64Array<ArrayBuffer>) => void): Deno.PointerValue {
  const out = new BigUint64Array(1);
  fill(out);
  return Deno.UnsafePointer.create(out[0]!);
}
