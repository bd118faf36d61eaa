import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../core/config.ts";
import { phantom2dSchema } from "./config.ts";

const parse = (input: unknown) => parseConfig(phantom2dSchema, input, "phantom2d");

/** The error's issue lines, asserting that parsing fails with a ConfigError. */
function issues(input: unknown): string[] {
  try {
    parse(input);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.issues;
  }
  assert.fail(`expected ${JSON.stringify(input)} to be rejected`);
}

Deno.test("defaults fill every field", () => {
  const cfg = parse({});
  assert.equal(cfg.seed, 0);
  assert.equal(cfg.size, 64);
  assert.equal(cfg.slicesPerSubject, 8);
  assert.deepEqual([cfg.trainSubjects, cfg.validationSubjects, cfg.testSubjects], [48, 4, 12]);
  assert.deepEqual(cfg.axialRange, [-0.3, 0.5]);
  assert.equal(cfg.skullStrip, true);
  assert.deepEqual(cfg.lesionSize, [0.05, 0.25]);
});

Deno.test("given values override defaults", () => {
  const cfg = parse({ size: 32, seed: 7, skullStrip: false, axialRange: [0, 0.2] });
  assert.deepEqual([cfg.size, cfg.seed, cfg.skullStrip, cfg.axialRange], [32, 7, false, [0, 0.2]]);
});

Deno.test("invalid values are rejected naming the field", () => {
  assert.match(issues({ size: 8 }).join("\n"), /^size: must be at least 16/m);
  assert.match(issues({ size: 64.5 }).join("\n"), /^size: must be an integer/m);
  assert.match(issues({ noiseStd: -0.1 }).join("\n"), /^noiseStd: must be at least 0/m);
  assert.match(issues({ testSubjects: "12" }).join("\n"), /^testSubjects: /m);
  assert.match(issues({ axialRange: [0.4, 0.1] }).join("\n"), /^axialRange: low must be below high/m);
  assert.match(issues({ lesionSize: [0.1] }).join("\n"), /^lesionSize/m);
  assert.match(issues({ oedemaProbability: 2 }).join("\n"), /^oedemaProbability: must be at most 1/m);
});

Deno.test("unknown fields are rejected naming the field", () => {
  assert.match(issues({ sise: 64 }).join("\n"), /sise/);
});
