import assert from "node:assert/strict";
import type { Case } from "../core/mod.ts";
import { decodeExamples, encodeExamples, ExampleCollector, formatScore, renderExamples } from "./examples.ts";

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

Deno.test("renderExamples: titled columns, no empty reconstruction column, lesion pixels red, a colour bar", () => {
  const c = new ExampleCollector(1);
  c.offer(testCase("a", 1), new Float32Array(192));
  const { width, height, rgb } = renderExamples(c.take());
  const zoom = 16; // 8 px slices are enlarged to 128
  assert.equal(width, 3 * 128 + 2 * 2, "input | score | truth: no reconstruction column without one");
  assert.equal(height, 14 + 128 + 22);
  assert.ok(rgb.subarray(0, width * 14 * 3).some((v) => v === 40), "title text drawn");
  const px = (x: number, y: number) => Array.from(rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3));
  // label index 20..29 of slice 1: row 2, columns 4..7 → inside the truth column (the third)
  assert.deepEqual(px(2 * 130 + 5 * zoom, 14 + 2 * zoom + 1), [230, 40, 40]);
  assert.deepEqual(px(2 * 130 + 1, 14 + 1), [64, 64, 64], "non-lesion truth pixels are the dimmed input");
  // The colour bar under the score column runs from the map's bottom colour (black) to its top (white).
  const barY = height - 22 + 3;
  assert.deepEqual(px(130, barY), [0, 0, 0]);
  assert.deepEqual(px(130 + 127, barY), [255, 255, 255]);
});

Deno.test("renderExamples: truth false (a new scan) draws no ground-truth column", () => {
  const c = new ExampleCollector(1);
  c.offer(testCase("a", 1), new Float32Array(192));
  const { width, rgb } = renderExamples(c.take(), { truth: false });
  assert.equal(width, 2 * 128 + 2, "input | score");
  for (let i = 0; i < rgb.length; i += 3) {
    assert.ok(!(rgb[i] === 230 && rgb[i + 1] === 40 && rgb[i + 2] === 40), "no lesion pixel drawn");
  }
});

Deno.test("renderExamples: a common scale maps equal scores to equal colours across pictures", () => {
  const example = (peak: number) => {
    const c = new ExampleCollector(1);
    const scores = new Float32Array(192);
    scores[64] = peak; // slice 1, first pixel
    scores[65] = 0.5;
    c.offer(testCase("a", 1), scores);
    return c.take();
  };
  const pixel = (r: { width: number; rgb: Uint8Array }, x: number) =>
    Array.from(r.rgb.subarray(((14 + 1) * r.width + x) * 3, ((14 + 1) * r.width + x) * 3 + 3));
  const own = [renderExamples(example(1)), renderExamples(example(2))];
  assert.notDeepEqual(pixel(own[0]!, 130 + 16), pixel(own[1]!, 130 + 16), "own scales: 0.5 differs");
  const shared = [renderExamples(example(1), { scoreMax: 2 }), renderExamples(example(2), { scoreMax: 2 })];
  assert.deepEqual(pixel(shared[0]!, 130 + 16), pixel(shared[1]!, 130 + 16), "one scale: 0.5 is one colour");
  assert.equal(formatScore(0.0123456), "0.0123");
  assert.equal(formatScore(1.5e-7), "1.5e-7");
});

Deno.test("examples JSON round-trips and names its file when damaged", () => {
  const c = new ExampleCollector(2);
  c.offer(
    testCase("a", 1),
    Float32Array.from({ length: 192 }, (_, i) => i / 192),
    new Float32Array(384).fill(0.25),
  );
  const back = decodeExamples(encodeExamples(c.take()), "x.json");
  assert.deepEqual(back, c.take());
  assert.throws(() => decodeExamples("[{", "x.json"), /x\.json: not valid JSON/);
  assert.throws(
    () => decodeExamples('[{"height":2,"width":2,"image":"AAAA"}]', "x.json"),
    /x\.json: field 'image' holds 3 bytes, not 4 float32 values/,
  );
});

Deno.test("renderExamples: a training log adds a loss panel with both curves", () => {
  const c = new ExampleCollector(1);
  c.offer(testCase("a", 1), new Float32Array(192));
  const log = Array.from({ length: 200 }, (_, i) => ({
    step: i + 1,
    loss: 1 / (i + 1),
    ...((i + 1) % 40 === 0 ? { validationLoss: 2 / (i + 1) } : {}),
  }));
  const plain = renderExamples(c.take());
  const withLog = renderExamples(c.take(), { trainLog: log });
  assert.equal(withLog.height, plain.height + 96);
  const panel = withLog.rgb.subarray(plain.height * withLog.width * 3);
  const count = (r: number, g: number, b: number) => {
    let n = 0;
    for (let i = 0; i < panel.length; i += 3) {
      if (panel[i] === r && panel[i + 1] === g && panel[i + 2] === b) n++;
    }
    return n;
  };
  assert.ok(count(150, 150, 150) > 100, "training loss drawn");
  assert.ok(count(47, 109, 181) > 20, "validation loss drawn");
});
