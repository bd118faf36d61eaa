/**
 * Runs a project test file's `Deno.test` cases outside `deno test`: the gpu-check runs the cuda backend's
 * device tests (core/backends/cuda/cuda_gpu_test.ts) as they are written, in its own process, bundle
 * included. `Deno.test` is swapped for a collector while the file is imported.
 * @module
 */

/** A collected test case. */
export interface CollectedTest {
  /** The test's name. */
  readonly name: string;
  /** Its body. */
  readonly fn: () => void | Promise<void>;
  /** Why it is ignored, when its definition says so. */
  readonly ignore: boolean;
}

type TestDefinition = { name: string; fn: () => void | Promise<void>; ignore?: boolean };

/**
 * Imports a test module through `load` while `Deno.test` collects instead of registering, and returns the
 * cases in definition order. Supports `Deno.test(def)`, `Deno.test(name, fn)` and `Deno.test(name, opts, fn)`.
 *
 * @example
 * ```ts
 * import { collectTests } from "./device_tests.ts";
 * const tests = await collectTests(() => Promise.resolve(Deno.test("adds", () => {})));
 * console.assert(tests.length === 1 && tests[0]!.name === "adds");
 * ```
 */
export async function collectTests(load: () => Promise<unknown>): Promise<CollectedTest[]> {
  const tests: CollectedTest[] = [];
  const holder = Deno as unknown as { test: unknown };
  const original = holder.test;
  holder.test = (a: string | TestDefinition, b?: unknown, c?: unknown) => {
    if (typeof a !== "string") return void tests.push({ name: a.name, fn: a.fn, ignore: a.ignore ?? false });
    const fn = (typeof b === "function" ? b : c) as TestDefinition["fn"];
    const opts = (typeof b === "object" && b !== null ? b : {}) as { ignore?: boolean };
    tests.push({ name: a, fn, ignore: opts.ignore ?? false });
  };
  try {
    await load();
  } finally {
    holder.test = original;
  }
  return tests;
}
