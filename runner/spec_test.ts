import assert from "node:assert/strict";
import "../plugins/mod.ts";
import { ConfigError, UnknownPluginError } from "../core/mod.ts";
import { canonicalJson, resolveRun } from "./spec.ts";

Deno.test("a valid spec resolves with presets applied before overrides", () => {
  const r = resolveRun({
    dataset: "phantom2d",
    method: "dae",
    noise: "coarse",
    preset: "dae-paper-2d",
    methodConfig: { steps: 5 },
  });
  const cfg = r.method.config as { widths: number[]; steps: number; lr: number };
  assert.deepEqual(cfg.widths, [64, 128, 256, 512]);
  assert.equal(cfg.steps, 5);
  assert.equal(cfg.lr, 1e-4);
});

Deno.test("unknown plugin names list what exists", () => {
  assert.throws(
    () => resolveRun({ dataset: "phantom2d", method: "nope", noise: "coarse" }),
    (e) =>
      e instanceof UnknownPluginError && /unknown method 'nope'; registered methods: .*dae/.test(e.message),
  );
  assert.throws(
    () => resolveRun({ dataset: "phantom2d", method: "dae", noise: "pink" }),
    /unknown noise 'pink'/,
  );
  assert.throws(
    () => resolveRun({ dataset: "mnist", method: "dae", noise: "coarse" }),
    /unknown dataset 'mnist'/,
  );
});

Deno.test("invalid config values name the field", () => {
  assert.throws(
    () => resolveRun({ dataset: "phantom2d", method: "dae", noise: "coarse", methodConfig: { lr: -1 } }),
    (e) => e instanceof ConfigError && /method 'dae'/.test(e.message) && /lr:/.test(e.message),
  );
  assert.throws(
    () => resolveRun({ dataset: "phantom2d", method: "dae", noise: "coarse", methodConfig: { widht: [8] } }),
    /widht/,
  );
  assert.throws(
    () => resolveRun({ dataset: "phantom2d", method: "dae" }),
    /noise: method 'dae' trains with noise/,
  );
  assert.throws(() => resolveRun({ dataset: "phantom2d", method: "dae", noise: "coarse", seed: -2 }), /seed/);
});

Deno.test("canonical JSON ignores key order", () => {
  assert.equal(
    canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] }),
    canonicalJson({ a: [1, { c: 3, d: 2 }], b: 1 }),
  );
});
