import assert from "node:assert/strict";
import { tf } from "../../core/mod.ts";
import { emaCopy, emaDecayAt, emaUpdate } from "./ema.ts";

Deno.test("emaUpdate computes d·shadow + (1 − d)·param", () => {
  const shadow = [tf.variable(tf.tensor1d([1, 2])), tf.variable(tf.scalar(10))];
  const params = [tf.variable(tf.tensor1d([3, -2])), tf.variable(tf.scalar(0))];
  emaUpdate(shadow, params, 0.9);
  const a = shadow[0]!.dataSync();
  assert.ok(Math.abs(a[0]! - 1.2) < 1e-6 && Math.abs(a[1]! - 1.6) < 1e-6);
  assert.ok(Math.abs(shadow[1]!.dataSync()[0]! - 9) < 1e-5);
  emaUpdate(shadow, params, 0.9); // twice: 0.81·1 + 0.19·3
  assert.ok(Math.abs(shadow[0]!.dataSync()[0]! - 1.38) < 1e-6);
  emaCopy(shadow, params);
  assert.deepEqual(Array.from(shadow[0]!.dataSync()), [3, -2]);
  assert.throws(() => emaUpdate(shadow, params.slice(1), 0.5), /EMA/);
  tf.dispose([...shadow, ...params]);
});

Deno.test("emaDecayAt warms up as (1 + n)/(10 + n) and is capped by the decay", () => {
  assert.equal(emaDecayAt(0.9999, 1, true), 2 / 11);
  assert.equal(emaDecayAt(0.9999, 600, true), 601 / 610);
  assert.equal(emaDecayAt(0.95, 10_000, true), 0.95);
  assert.equal(emaDecayAt(0.9999, 1, false), 0.9999);
});
