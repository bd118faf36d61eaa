import assert from "node:assert/strict";
import { noiseShape } from "./shape.ts";

Deno.test("noiseShape splits 2D and 3D shapes", () => {
  assert.deepEqual(noiseShape([2, 8, 6, 3], "x"), { batch: 2, spatial: [8, 6], channels: 3, size: 288 });
  assert.deepEqual(noiseShape([1, 4, 5, 6, 1], "x"), {
    batch: 1,
    spatial: [4, 5, 6],
    channels: 1,
    size: 120,
  });
});

Deno.test("noiseShape rejects bad ranks and extents, naming the noise", () => {
  for (const bad of [[4, 4, 4], [1, 2, 3, 4, 5, 6], [1, 0, 4, 1], [1, 2.5, 4, 1], [1, -2, 4, 1]]) {
    assert.throws(() => noiseShape(bad, "coarse"), /noise 'coarse': shape must be/);
  }
});
