import assert from "node:assert/strict";
import * as v from "valibot";
import { ConfigError, parseConfig } from "./config.ts";

const schema = v.strictObject({
  lr: v.optional(v.pipe(v.number(), v.gtValue(0)), 1e-3),
  widths: v.optional(v.array(v.pipe(v.number(), v.integer())), [8]),
});

Deno.test("parseConfig fills defaults", () => {
  assert.deepEqual(parseConfig(schema, {}, "demo"), { lr: 1e-3, widths: [8] });
  assert.deepEqual(parseConfig(schema, undefined, "demo"), { lr: 1e-3, widths: [8] });
});

Deno.test("parseConfig names the bad field, the thing validated and unknown fields", () => {
  assert.throws(
    () => parseConfig(schema, { lr: -1 }, "method 'demo'"),
    (e) =>
      e instanceof ConfigError && /invalid config for method 'demo'/.test(e.message) &&
      /^ {2}lr: /m.test(e.message),
  );
  assert.throws(() => parseConfig(schema, { widths: [1, 2.5] }, "demo"), /widths\.1:/);
  assert.throws(
    () => parseConfig(schema, { lrr: 1 }, "demo"),
    /lrr: unknown field \(known fields: lr, widths\)/,
  );
});
