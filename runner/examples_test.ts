import assert from "node:assert/strict";
import type { Case } from "../core/mod.ts";
import { ExampleCollector, renderExamples } from "./examples.ts";

const testCase = (id: string, lesionSlice: number | undefined): Case => {
  const [d, h, w] = [3, 8, 8];
  const label = new Uint8Array(d * h * w);
  if (lesionSlice !== undefined) label.fill(1, lesionSlice * 64 + 20, lesionSlice * 64 + 30);
  return {
    id,
    shape: [d, h, w, 2],
    image: new Float32Array(d * h * w * 2).fill(0.5),
    foreground: new Uint8Array(d * h * w).fill(1),
    label,
  };
};

Deno.test("the collector keeps each case's lesion-richest slice, skipping healthy cases, up to the limit", () => {
  const c = new ExampleCollector(2);
  c.offer(testCase("healthy", undefined), new Float32Array(192));
  c.offer(testCase("a", 2), new Float32Array(192).fill(0.1));
  c.offer(testCase("b", 1), new Float32Array(192));
  c.offer(testCase("c", 0), new Float32Array(192));
  const kept = c.take();
  assert.deepEqual(kept.map((e) => [e.caseId, e.slice]), [["a", 2], ["b", 1]]);
  assert.equal(kept[0]!.label.reduce((a, b) => a + b, 0), 10);
});

Deno.test("renderExamples draws titled columns; lesion pixels are red in the truth column", () => {
  const c = new ExampleCollector(1);
  c.offer(testCase("a", 1), new Float32Array(192));
  const { width, height, rgb } = renderExamples(c.take());
  const zoom = 16; // 8 px slices are enlarged to 128
  assert.equal(width, 4 * 128 + 3 * 2);
  assert.equal(height, 14 + 128);
  assert.ok(rgb.subarray(0, width * 14 * 3).some((v) => v === 40), "title text drawn");
  const px = (x: number, y: number) => Array.from(rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3));
  // label index 20..29 of slice 1: row 2, columns 4..7 → inside the truth column
  assert.deepEqual(px(3 * 130 + 5 * zoom, 14 + 2 * zoom + 1), [230, 40, 40]);
  assert.deepEqual(
    px(3 * 130 + 1, 14 + 1),
    [64, 64, 64],
    "non-lesion truth pixels are the dimmed input (128 >> 1)",
  );
});
