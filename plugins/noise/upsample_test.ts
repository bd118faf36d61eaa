import assert from "node:assert/strict";
import { Rng } from "../../core/rng.ts";
import { upsampleRolled } from "./upsample.ts";

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `index ${i}: ${a[i]} vs ${b[i]}`);
  }
}

Deno.test("aligned corners: a 1D ramp stays a ramp with exact end points", () => {
  const out = upsampleRolled(new Float32Array([0, 3]), 1, [1, 2], 1, [1, 4], [[0, 0]]);
  close(out, [0, 1, 2, 3]);
  const out2 = upsampleRolled(new Float32Array([1, 5, 3]), 1, [1, 3], 1, [1, 5], [[0, 0]]);
  close(out2, [1, 3, 5, 4, 3]);
});

Deno.test("bilinear 2x2 to 3x3 gives the centre average and keeps corners", () => {
  // [B=1, 2, 2, C=1]
  const out = upsampleRolled(new Float32Array([0, 1, 2, 3]), 1, [2, 2], 1, [3, 3], [[0, 0]]);
  close(out, [0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3]);
});

Deno.test("the shift is a circular roll of the unshifted result, per sample and axis", () => {
  const rng = new Rng(3);
  // [B=2, 4, 5, C=2] to [B=2, 9, 7, C=2]
  const src = Float32Array.from({ length: 2 * 4 * 5 * 2 }, () => rng.normal());
  const plain = upsampleRolled(src, 2, [4, 5], 2, [9, 7], [[0, 0], [0, 0]]);
  const shifts = [[2, 6], [8, 1]];
  const rolled = upsampleRolled(src, 2, [4, 5], 2, [9, 7], shifts);
  for (let b = 0; b < 2; b++) {
    for (let y = 0; y < 9; y++) {
      for (let x = 0; x < 7; x++) {
        for (let c = 0; c < 2; c++) {
          const ys = (y - shifts[b]![0]! + 9) % 9, xs = (x - shifts[b]![1]! + 7) % 7;
          const got = rolled[((b * 9 + y) * 7 + x) * 2 + c]!;
          assert.equal(got, plain[((b * 9 + ys) * 7 + xs) * 2 + c]!);
        }
      }
    }
  }
});

Deno.test("trilinear: corners of a 2x2x2 cube land on the volume corners, centre is the mean", () => {
  const src = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]); // [1, 2, 2, 2, 1]
  const out = upsampleRolled(src, 1, [2, 2, 2], 1, [3, 3, 3], [[0, 0, 0]]);
  const at = (z: number, y: number, x: number) => out[(z * 3 + y) * 3 + x]!;
  assert.deepEqual([at(0, 0, 0), at(0, 0, 2), at(0, 2, 0), at(2, 2, 2)], [0, 1, 2, 7]);
  assert.ok(Math.abs(at(1, 1, 1) - 3.5) < 1e-6);
});

Deno.test("channels are interpolated independently", () => {
  // [1, 1, 2, C=2]: channel 0 goes 0 -> 2, channel 1 goes 10 -> 4.
  const out = upsampleRolled(new Float32Array([0, 10, 2, 4]), 1, [1, 2], 2, [1, 3], [[0, 0]]);
  close(out, [0, 10, 1, 7, 2, 4]);
});

Deno.test("mismatched shifts are rejected", () => {
  assert.throws(() => upsampleRolled(new Float32Array(4), 1, [2, 2], 1, [4, 4], []), /shift vectors/);
});
