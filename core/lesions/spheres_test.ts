import assert from "node:assert/strict";
import { Rng } from "../rng.ts";
import { addDiskLesions, addSphereLesions } from "./spheres.ts";

/** A [d, h, w, 2] volume with a central ball of foreground, values varying by voxel. */
function phantom(d: number, h: number, w: number) {
  const n = d * h * w;
  const fg = new Uint8Array(n);
  const image = new Float32Array(2 * n);
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = (z * h + y) * w + x;
        fg[v] =
          ((z - d / 2) / (d / 2)) ** 2 + ((y - h / 2) / (h / 2)) ** 2 + ((x - w / 2) / (w / 2)) ** 2 < 0.8
            ? 1
            : 0;
        image[2 * v] = 0.1 + 0.001 * (v % 97);
        image[2 * v + 1] = 0.3;
      }
    }
  }
  return { fg, image, shape: [d, h, w, 2] as const };
}

Deno.test("spheres: exact mask = ball ∩ foreground in mm, ×factor inside, unchanged outside", () => {
  const { fg, image, shape } = phantom(16, 24, 20);
  const spacing = [3, 1.5, 2] as const;
  const out = addSphereLesions(image, shape, fg, spacing, new Rng(3), {
    count: 2,
    diameterMm: [10, 20],
    factor: 2.5,
  });
  assert.equal(out.lesions.length, 2);
  let inside = 0;
  for (let z = 0; z < 16; z++) {
    for (let y = 0; y < 24; y++) {
      for (let x = 0; x < 20; x++) {
        const v = (z * 24 + y) * 20 + x;
        const inBall = out.lesions.some(({ centre: [cz, cy, cx], diameterMm }) =>
          ((z - cz) * 3) ** 2 + ((y - cy) * 1.5) ** 2 + ((x - cx) * 2) ** 2 <= (diameterMm / 2) ** 2
        );
        const want = inBall && fg[v] === 1 ? 1 : 0;
        assert.equal(out.label[v], want, `voxel ${[z, y, x]}`);
        for (let c = 0; c < 2; c++) {
          assert.ok(Math.abs(out.image[2 * v + c]! - image[2 * v + c]! * (want ? 2.5 : 1)) < 1e-6);
        }
        inside += want;
      }
    }
  }
  assert.ok(inside > 0);
  for (const l of out.lesions) {
    assert.ok(l.diameterMm >= 10 && l.diameterMm < 20);
    const [z, y, x] = l.centre;
    assert.equal(fg[(z * 24 + y) * 20 + x], 1, "centred inside the foreground");
  }
});

Deno.test("spheres: same seed, same lesions; other seed, other lesions; empty foreground is an error", () => {
  const { fg, image, shape } = phantom(12, 12, 12);
  const a = addSphereLesions(image, shape, fg, [1, 1, 1], new Rng(9));
  const b = addSphereLesions(image, shape, fg, [1, 1, 1], new Rng(9));
  const c = addSphereLesions(image, shape, fg, [1, 1, 1], new Rng(10));
  assert.deepEqual(a.lesions, b.lesions);
  assert.notDeepEqual(a.lesions, c.lesions);
  assert.throws(
    () => addSphereLesions(image, shape, new Uint8Array(fg.length), [1, 1, 1], new Rng(1)),
    /empty foreground/,
  );
  assert.throws(
    () => addSphereLesions(image, shape, fg.subarray(1), [1, 1, 1], new Rng(1)),
    /do not match shape/,
  );
});

Deno.test("disks: one per slice with foreground, confined to that slice", () => {
  const { fg, image, shape } = phantom(6, 30, 30);
  fg.fill(0, 0, 900); // slice 0 has no foreground
  const out = addDiskLesions(image, shape, fg, [5, 1, 1], new Rng(4), { diameterMm: [8, 12] });
  assert.deepEqual(out.lesions.map((l) => l.centre[0]), [1, 2, 3, 4, 5]);
  for (let z = 0; z < 6; z++) {
    const slice = out.label.subarray(z * 900, (z + 1) * 900);
    const n = slice.reduce((s, v) => s + v, 0);
    if (z === 0) assert.equal(n, 0);
    else assert.ok(n > 0 && n <= Math.PI * 36 + 8, `slice ${z}: ${n} pixels`);
  }
});
