/**
 * NumPy `.npy`/`.npz` files: reading (numeric dtypes → Float32Array) and writing float32/uint8 arrays.
 *
 * @example
 * ```ts
 * import { encodeNpy, parseNpy } from "./mod.ts";
 * const bytes = encodeNpy("|u1", [2, 2], new Uint8Array([0, 1, 1, 0]));
 * console.assert(parseNpy(bytes, "mask.npy").data[1] === 1);
 * ```
 * @module
 */
export * from "./read.ts";
export * from "./write.ts";
