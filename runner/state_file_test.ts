import assert from "node:assert/strict";
import { decodeState, encodeState, readState, writeState } from "./state_file.ts";

Deno.test("state files round-trip tensors and meta exactly", async () => {
  const state = {
    tensors: {
      "a.w": { shape: [2, 3], values: Float32Array.from([1, -2, 3.5, 1e-8, 0, 7]) },
      b: { shape: [1], values: new Float32Array([42]) },
    },
    meta: { step: 3 },
  };
  const dir = await Deno.makeTempDir();
  await writeState(`${dir}/m.state`, state);
  const back = await readState(`${dir}/m.state`);
  assert.deepEqual(back.tensors["a.w"]!.values, state.tensors["a.w"].values);
  assert.deepEqual(back.tensors["a.w"]!.shape, [2, 3]);
  assert.deepEqual(back.meta, { step: 3 });
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["m.state"], "no temp file left behind");
});

Deno.test("corrupt state files are refused with the file named", async () => {
  const bytes = encodeState({ tensors: { w: { shape: [4], values: new Float32Array([1, 2, 3, 4]) } } });
  assert.throws(() => decodeState(bytes.subarray(0, bytes.length - 4), "x.state"), /x\.state.*truncated/);
  assert.throws(() => decodeState(new Uint8Array(3), "y.state"), /y\.state/);
  const garbage = bytes.slice();
  garbage[10] = 0x7b;
  garbage[11] = 0x7b;
  assert.throws(() => decodeState(garbage, "z.state"), /z\.state: not a valid state file/);
  await assert.rejects(
    () => readState("/nonexistent/m.state"),
    /\/nonexistent\/m\.state: file not found/,
  );
});
