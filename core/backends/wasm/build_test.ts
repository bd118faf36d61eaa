import assert from "node:assert/strict";
import { buildKernels, CLANG, compilerVersion, renderModule } from "./build.ts";
import { KERNELS_WASM_COMPILER } from "./kernels_wasm.ts";

const compiler = await compilerVersion();
const why = compiler === undefined
  ? `${CLANG} not installed (apt-get install clang-19 lld-19)`
  : compiler !== KERNELS_WASM_COMPILER
  ? `${CLANG} is '${compiler}', the committed module was built with '${KERNELS_WASM_COMPILER}'`
  : "";
if (why) console.log(`build_test: skipped: ${why}`);

Deno.test({
  name: "the committed WebAssembly module is the build of src/*.c",
  ignore: why !== "",
  fn: async () => {
    const committed = await Deno.readTextFile(new URL("./kernels_wasm.ts", import.meta.url));
    const built = renderModule(await buildKernels(), compiler!);
    assert.ok(
      committed === built,
      "core/backends/wasm/kernels_wasm.ts is stale: run deno run -A core/backends/wasm/build.ts",
    );
  },
});
