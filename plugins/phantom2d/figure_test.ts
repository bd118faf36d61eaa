import assert from "node:assert/strict";
import type { Case } from "../../core/dataset.ts";
import { renderFigure } from "./figure.ts";

// Two 2 × 2 slices of 4 channels; slice 1 has a lesion pixel at (0, 1).
const image = new Float32Array(2 * 4 * 4);
for (let q = 0; q < 8; q++) for (let c = 0; c < 4; c++) image[q * 4 + c] = (c + 1) * 0.2;
const CASE: Case = {
  id: "toy",
  shape: [2, 2, 2, 4],
  image,
  foreground: Uint8Array.from([1, 1, 0, 1, 1, 1, 1, 0]),
  label: Uint8Array.from([0, 0, 0, 0, 0, 1, 0, 0]),
};

Deno.test("renderFigure tiles channels and the label for each chosen slice", () => {
  const fig = renderFigure(CASE, [1], 2);
  assert.deepEqual([fig.width, fig.height], [5 * 2 * 2, 2 * 2]);
  const at = (x: number, y: number) => fig.pixels[y * fig.width + x];
  for (let tile = 0; tile < 4; tile++) assert.equal(at(tile * 4, 0), Math.round((tile + 1) * 0.2 * 255));
  // Label tile: lesion white at (0, 1) scaled to x 2–3; foreground grey; background black.
  assert.equal(at(16 + 2, 0), 255);
  assert.equal(at(16 + 3, 1), 255);
  assert.equal(at(16, 0), Math.round(0.35 * 255));
  assert.equal(at(16 + 2, 2), 0);
});

Deno.test("renderFigure rejects slices the case lacks", () => {
  assert.throws(() => renderFigure(CASE, [2], 1), /no slice 2 in toy/);
});
