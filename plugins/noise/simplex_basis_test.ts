import assert from "node:assert/strict";
import { createNoise3D, createNoise4D } from "simplex-noise";
import { Rng } from "../../core/rng.ts";
import { SIMPLEX_BASIS_STD } from "./simplex.ts";
import { LATTICE_PERIOD, randomPermutation, SimplexNoise3, SimplexNoise4 } from "./simplex_basis.ts";
import { meanStd } from "./stats.ts";

const identity = Uint8Array.from({ length: LATTICE_PERIOD }, (_, i) => i);

Deno.test("simplex basis matches the simplex-noise package for the same permutation", () => {
  // simplex-noise shuffles its table with `random`; always returning 0 leaves it the identity.
  const ref3 = createNoise3D(() => 0), ref4 = createNoise4D(() => 0);
  const ours3 = new SimplexNoise3(identity), ours4 = new SimplexNoise4(identity);
  const rng = new Rng(1);
  for (let n = 0; n < 20_000; n++) {
    const [x, y, z, w] = [0, 0, 0, 0].map(() => rng.uniform(-300, 300)) as [number, number, number, number];
    assert.ok(Math.abs(ours3.at(x, y, z) - ref3(x, y, z)) < 1e-9, `3D at ${x}, ${y}, ${z}`);
    assert.ok(Math.abs(ours4.at(x, y, z, w) - ref4(x, y, z, w)) < 1e-9, `4D at ${x}, ${y}, ${z}, ${w}`);
  }
});

Deno.test("simplex basis is 0 at lattice vertices", () => {
  const rng = new Rng(2);
  const s3 = new SimplexNoise3(randomPermutation(rng)), s4 = new SimplexNoise4(randomPermutation(rng));
  const g3 = 1 / 6, g4 = (5 - Math.sqrt(5)) / 20;
  for (let n = 0; n < 200; n++) {
    const [i, j, k, l] = [0, 0, 0, 0].map(() => rng.int(600) - 300) as [number, number, number, number];
    const t3 = (i + j + k) * g3, t4 = (i + j + k + l) * g4;
    assert.ok(Math.abs(s3.at(i - t3, j - t3, k - t3)) < 1e-9);
    assert.ok(Math.abs(s4.at(i - t4, j - t4, k - t4, l - t4)) < 1e-9);
  }
});

Deno.test("simplex basis stays in [-1, 1] with mean 0 and the std the simplex noise normalises by", () => {
  const rng = new Rng(3);
  const s3 = new SimplexNoise3(randomPermutation(rng)), s4 = new SimplexNoise4(randomPermutation(rng));
  const u = () => rng.uniform(0, LATTICE_PERIOD);
  const v3 = Float64Array.from({ length: 200_000 }, () => s3.at(u(), u(), u()));
  const v4 = Float64Array.from({ length: 200_000 }, () => s4.at(u(), u(), u(), u()));
  for (const [values, std] of [[v3, SIMPLEX_BASIS_STD[3]], [v4, SIMPLEX_BASIS_STD[4]]] as const) {
    assert.ok(values.every((x) => Math.abs(x) <= 1));
    const m = meanStd(values);
    assert.ok(Math.abs(m.mean) < 0.01, `mean ${m.mean}`);
    assert.ok(Math.abs(m.std / std - 1) < 0.03, `std ${m.std} vs ${std}`);
  }
});

Deno.test("addRow adds amplitude times the pointwise values along a row", () => {
  const s3 = new SimplexNoise3(randomPermutation(new Rng(4)));
  const s4 = new SimplexNoise4(randomPermutation(new Rng(5)));
  const row3 = new Float64Array(10).fill(1), row4 = new Float64Array(10).fill(-1);
  s3.addRow(row3, 10, 3.5, 0.37, 8.25, 1.5, 0.5);
  s4.addRow(row4, 10, 3.5, 0.37, 8.25, 1.5, 2.75, 2);
  for (let n = 0; n < 10; n++) {
    assert.ok(Math.abs(row3[n]! - (1 + 0.5 * s3.at(3.5 + n * 0.37, 8.25, 1.5))) < 1e-12);
    assert.ok(Math.abs(row4[n]! - (-1 + 2 * s4.at(3.5 + n * 0.37, 8.25, 1.5, 2.75))) < 1e-12);
  }
});

Deno.test("randomPermutation is a seeded permutation of 0..255", () => {
  const a = randomPermutation(new Rng(6));
  assert.deepEqual([...a].sort((x, y) => x - y), [...identity]);
  assert.deepEqual(randomPermutation(new Rng(6)), a);
  assert.notDeepEqual(randomPermutation(new Rng(7)), a);
  assert.throws(() => new SimplexNoise3(new Uint8Array(10)), /256 entries/);
});
