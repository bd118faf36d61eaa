import assert from "node:assert/strict";
import { Rng } from "../../core/rng.ts";
import { biasSlice, sampleBias } from "./bias.ts";

Deno.test("bias fields stay within exp(±strength), vary smoothly and differ between draws", () => {
  const rng = new Rng(11);
  const coordinate = (i: number) => (i + 0.5) / 16 * 2 - 1;
  let spread = 0;
  for (let k = 0; k < 20; k++) {
    const field = sampleBias(rng);
    assert.ok(Math.abs(field.reduce((s, c) => s + Math.abs(c), 0) - 1) < 1e-12);
    for (const z of [-0.9, 0, 0.9]) {
      const { columns, rows } = biasSlice(field, 0.2, z, 16, coordinate);
      let [lo, hi] = [Infinity, -Infinity];
      for (let i = 0; i < 16; i++) {
        for (let j = 0; j < 16; j++) {
          const b = rows[i]! * columns[j]!;
          [lo, hi] = [Math.min(lo, b), Math.max(hi, b)];
          if (j > 0) assert.ok(Math.abs(b / (rows[i]! * columns[j - 1]!) - 1) < 0.1);
        }
      }
      assert.ok(lo >= Math.exp(-0.2) - 1e-6 && hi <= Math.exp(0.2) + 1e-6);
      spread = Math.max(spread, hi / lo);
    }
  }
  assert.ok(spread > 1.1, "fields should not all be flat");
  const flat = biasSlice(sampleBias(rng), 0, 0.3, 4, coordinate);
  assert.ok([...flat.rows, ...flat.columns].every((v) => v === 1));
});
