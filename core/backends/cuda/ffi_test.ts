import assert from "node:assert/strict";
import { CUBLAS_SYMBOLS, CUDA_DRIVER_SYMBOLS, CUDART_SYMBOLS, CUDNN_SYMBOLS, NVRTC_SYMBOLS } from "./ffi.ts";

const PARAMETER_TYPES = new Set([
  "i8",
  "u8",
  "i16",
  "u16",
  "i32",
  "u32",
  "i64",
  "u64",
  "usize",
  "isize",
  "f32",
  "f64",
  "pointer",
  "buffer",
  "function",
  "bool",
]);
const TABLES: [string, Deno.ForeignLibraryInterface, RegExp][] = [
  ["cudart", CUDART_SYMBOLS, /^cuda[A-Z]/],
  ["driver", CUDA_DRIVER_SYMBOLS, /^cu[A-Z]/],
  ["cublas", CUBLAS_SYMBOLS, /^cublas[A-Z]/],
  ["cudnn", CUDNN_SYMBOLS, /^cudnn[A-Z]/],
  ["nvrtc", NVRTC_SYMBOLS, /^nvrtc[A-Z]/],
];

Deno.test("ffi tables: every symbol has valid parameter and result types and a library-prefixed C name", () => {
  for (const [lib, table, prefix] of TABLES) {
    assert.ok(Object.keys(table).length > 0, lib);
    for (const [key, def] of Object.entries(table)) {
      assert.ok(!("type" in def), `${lib}.${key} is a static, not a function`);
      const fn = def as Deno.ForeignFunction;
      assert.ok(Array.isArray(fn.parameters), `${lib}.${key}: parameters`);
      for (const p of fn.parameters) {
        assert.ok(PARAMETER_TYPES.has(p as string), `${lib}.${key}: parameter ${p}`);
      }
      const result = fn.result as string;
      assert.ok(result === "void" || PARAMETER_TYPES.has(result), `${lib}.${key}: result ${result}`);
      // Every call returns a status code (i32), a string or version (pointer/usize).
      assert.ok(["i32", "pointer", "usize"].includes(result), `${lib}.${key}: result ${result}`);
      assert.match(fn.name ?? key, prefix, `${lib}.${key}: C name`);
    }
  }
});

Deno.test("ffi tables: arities match the C prototypes of the calls that matter most", () => {
  const arity = (t: Deno.ForeignLibraryInterface, k: string) =>
    (t[k] as Deno.ForeignFunction).parameters.length;
  assert.equal(arity(CUDART_SYMBOLS, "cudaMemcpyAsyncHtoD"), 5);
  assert.equal(arity(CUDA_DRIVER_SYMBOLS, "cuLaunchKernel"), 11);
  assert.equal(arity(CUBLAS_SYMBOLS, "cublasSgemm_v2"), 14);
  assert.equal(arity(CUBLAS_SYMBOLS, "cublasSgemmStridedBatched"), 18);
  for (
    const k of ["cudnnConvolutionForward", "cudnnConvolutionBackwardData", "cudnnConvolutionBackwardFilter"]
  ) {
    assert.equal(arity(CUDNN_SYMBOLS, k), 13, k);
  }
  for (const k of Object.keys(CUDNN_SYMBOLS).filter((k) => k.startsWith("cudnnFind"))) {
    assert.equal(arity(CUDNN_SYMBOLS, k), 13, k);
  }
  assert.equal(arity(NVRTC_SYMBOLS, "nvrtcCreateProgram"), 6);
  // The strides of gemmStridedBatched are long long.
  const batched = CUBLAS_SYMBOLS.cublasSgemmStridedBatched.parameters;
  assert.deepEqual([batched[9], batched[12], batched[16]], ["i64", "i64", "i64"]);
});
