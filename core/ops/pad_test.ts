import assert from "node:assert/strict";
import { tf } from "../tf.ts";
import { axisView, padAxis, padSpatial } from "./pad.ts";

Deno.test("axisView puts the axis second and folds the rest around it", () => {
  assert.deepEqual(axisView([2, 3, 4, 5, 6], 1), [2, 3, 20, 6]);
  assert.deepEqual(axisView([2, 3, 4, 5, 6], 2), [6, 4, 5, 6]);
  assert.deepEqual(axisView([2, 3, 4, 5, 6], 3), [24, 5, 1, 6]);
});

Deno.test("padSpatial on volumes equals a direct rank-5 pad, zeros and reflect", () => {
  const x = tf.randomNormal([2, 4, 5, 6, 3], 0, 1, "float32", 7);
  const pads: [number, number][] = [[0, 0], [2, 2], [2, 2], [2, 2], [0, 0]];
  for (
    const [mode, direct] of [
      ["constant", tf.pad(x, pads)],
      ["reflect", tf.mirrorPad(x, pads, "reflect")],
    ] as const
  ) {
    const y = padSpatial(x, 2, mode);
    assert.deepEqual(y.shape, [2, 8, 9, 10, 3]);
    assert.deepEqual(Array.from(y.dataSync()), Array.from(direct.dataSync()), mode);
  }
});

Deno.test("padAxis pads one axis only, asymmetric amounts", () => {
  const x = tf.reshape(tf.range(0, 24), [1, 2, 3, 4, 1]);
  const y = padAxis(x, 3, 1, 2, "reflect");
  assert.deepEqual(y.shape, [1, 2, 3, 7, 1]);
  // Row 0, 1, 2, 3 → 1 | 0 1 2 3 | 2 1
  assert.deepEqual(Array.from(y.dataSync()).slice(0, 7), [1, 0, 1, 2, 3, 2, 1]);
});
