/** The NoiseSource contract for every registered noise: shapes (2D and 3D), finiteness, determinism. */
import assert from "node:assert/strict";
import "../../plugins/mod.ts";
import { listNoises, parseConfig, Rng, tf } from "../../core/mod.ts";

for (const def of listNoises()) {
  Deno.test(`noise contract: ${def.id}`, async () => {
    const source = def.create(parseConfig(def.schema, {}, def.id));
    for (const shape of [[2, 32, 32, 3], [1, 16, 16, 16, 1]]) {
      const a = source.sample(shape, new Rng(5));
      const b = source.sample(shape, new Rng(5));
      const c = source.sample(shape, new Rng(6));
      assert.deepEqual(a.shape, shape);
      const [va, vb, vc] = await Promise.all([a.data(), b.data(), c.data()]);
      assert.ok(va.every(Number.isFinite), "non-finite noise");
      assert.deepEqual(va, vb, "same seed must give the same noise");
      assert.notDeepEqual(va, vc, "different seeds must differ");
      assert.ok(va.some((v) => v !== 0), "noise is all zero");
      tf.dispose([a, b, c]);
    }
  });
}
