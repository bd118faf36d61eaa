import assert from "node:assert/strict";
import { diceAtFprDefinition } from "./dice_at_fpr.ts";

const batch = (scores: number[], labels: number[]) => ({
  scores: Float32Array.from(scores),
  labels: Uint8Array.from(labels),
  caseId: "c",
  shape: [1, 1, scores.length] as const,
});

Deno.test("dice-fpr picks its threshold on healthy pixels only, then scores the test set", () => {
  const def = diceAtFprDefinition(0.1);
  assert.equal(def.id, "dice-fpr10");
  const acc = def.create();
  // 100 healthy pixels 0.00..0.99: at most 10% above t → t = 0.89.
  acc.addHealthy!(Float32Array.from({ length: 100 }, (_, i) => i / 100));
  const fixed = acc.threshold!(); // before the test set, as the runner asks for it
  // test: positives 0.95, 0.5; negatives 0.95, 0.1 → only the 0.95s pass: tp 1, fp 1, fn 1 → Dice 0.5
  acc.add(batch([0.95, 0.5, 0.95, 0.1], [1, 1, 0, 0]));
  const r = acc.finalize();
  assert.equal(r.value, 0.5);
  assert.ok(Math.abs(r.extra!.threshold! - 0.89) < 1e-6, `threshold ${r.extra!.threshold}`);
  assert.equal(fixed, r.extra!.threshold, "the threshold given ahead is the one the test set was scored at");
  assert.ok(r.extra!.validationFpr! <= 0.1);
});

Deno.test("dice-fpr refuses test data without healthy data, and healthy data after test data", () => {
  assert.throws(() => diceAtFprDefinition(0.01).create().add(batch([0.5], [1])), /no validation pixels/);
  const acc = diceAtFprDefinition(0.01).create();
  acc.addHealthy!(new Float32Array([0.1, 0.2]));
  acc.add(batch([0.5], [1]));
  assert.throws(() => acc.addHealthy!(new Float32Array([0.3])), /must come before test batches/);
  const early = diceAtFprDefinition(0.01).create();
  early.addHealthy!(new Float32Array([0.1, 0.2]));
  early.threshold!();
  assert.throws(() => early.addHealthy!(new Float32Array([0.3])), /must come before test batches/);
  assert.equal(diceAtFprDefinition(0.005).id, "dice-fpr0p5");
});
