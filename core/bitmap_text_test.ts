import assert from "node:assert/strict";
import { drawText, textWidth } from "./bitmap_text.ts";

Deno.test("drawText sets exactly the glyph's pixels, in colour, clipped to the canvas", () => {
  const canvas = new Uint8Array(8 * 6 * 3);
  drawText(canvas, 8, 3, "t", 0, 0, { scale: 1, color: [10, 20, 30] });
  const lit = (x: number, y: number) => canvas[(y * 8 + x) * 3] === 10 && canvas[(y * 8 + x) * 3 + 2] === 30;
  assert.ok(lit(0, 0) && lit(1, 0) && lit(2, 0), "T's bar");
  assert.ok(lit(1, 4) && !lit(0, 4) && !lit(2, 4), "T's stem");
  drawText(canvas, 8, 3, "HH", 6, 4); // runs off the edge without throwing
  assert.equal(textWidth("ABC", 2), 24);
  assert.throws(() => drawText(canvas, 8, 3, "é", 0, 0), /no glyph for 'É'/);
});
