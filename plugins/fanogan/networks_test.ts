import assert from "node:assert/strict";
import { parseConfig, Rng, tf } from "../../core/mod.ts";
import { fanoganSchema } from "./config.ts";
import { Critic } from "./critic.ts";
import { Encoder } from "./encoder.ts";
import { Fanogan } from "./fanogan.ts";
import { Generator } from "./generator.ts";

for (const size of [16, 32, 64]) {
  Deno.test(`networks: shapes at ${size}×${size}, depth follows the size`, () => {
    const shape = { size, channels: 3, width: 2 };
    const g = new Generator(shape, 8, new Rng(0));
    const d = new Critic(shape, new Rng(1));
    const e = new Encoder(shape, 8, new Rng(2));
    const blocks = Math.log2(size / 4);
    const z = tf.randomNormal([2, 8], 0, 1, "float32", 3);
    const img = g.apply(z, true);
    assert.deepEqual(img.shape, [2, size, size, 3]);
    assert.ok(Math.max(...img.dataSync().map(Math.abs)) < 1, "tanh output");
    const { score, features } = d.apply(img);
    assert.deepEqual(score.shape, [2]);
    assert.deepEqual(features.shape, [2, 4 * 4 * 2 * Math.min(2 ** (blocks - 1), 8)]);
    assert.deepEqual(e.apply(img).shape, [2, 8]);
    // One transposed conv per doubling in G, one strided conv per halving in D.
    const count = (names: string[], re: RegExp) => names.filter((n) => re.test(n)).length;
    assert.equal(count(g.params.names(), /^generator\.up\d+\.w$/), blocks);
    assert.equal(count(d.params.names(), /^critic\.conv\d+\.w$/), blocks);
    tf.dispose([z, img, score, features]);
    for (const p of [g.params, g.stats, d.params, e.params]) p.dispose();
  });
}

Deno.test("fanogan: 3D, non-square and non-power-of-two samples are refused with a clear error", () => {
  const cfg = parseConfig(fanoganSchema, {}, "fanogan");
  assert.throws(() => new Fanogan(cfg, [8, 16, 16, 1], 0), /2D only/);
  assert.throws(() => new Fanogan(cfg, [16, 32, 1], 0), /square/);
  assert.throws(() => new Fanogan(cfg, [24, 24, 1], 0), /power of two/);
});
