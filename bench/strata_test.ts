import assert from "node:assert/strict";
import "../plugins/mod.ts";
import { parseConfig } from "../core/mod.ts";
import { gridSchema } from "./grid.ts";
import { binOf, orderGroups, parseStratum } from "./strata.ts";

Deno.test("strata: keys and bins parse; values fall in the bin whose ends include them", () => {
  assert.deepEqual(parseStratum("site"), { text: "site", key: "site" });
  const age = parseStratum("age:<40,40-65,>65");
  assert.deepEqual(age.bins!.map((b) => b.label), ["<40", "40-65", ">65"]);
  assert.deepEqual([39.9, 40, 65, 65.01, -3].map((v) => binOf(age, v)), [
    "<40",
    "40-65",
    "40-65",
    ">65",
    "<40",
  ]);
  assert.equal(binOf(age, undefined), "n/a");
  assert.equal(binOf(age, "unknown"), "other", "text in a numeric stratum");
  const vol = parseStratum("lesionVolume:<1ml,1-10ml,>10ml");
  assert.deepEqual([0.99, 1, 10, 10.5].map((v) => binOf(vol, v)), ["<1ml", "1-10ml", "1-10ml", ">10ml"]);
  const gaps = parseStratum("score:<=1,>=2");
  assert.deepEqual([1, 1.5, 2].map((v) => binOf(gaps, v)), ["<=1", "other", ">=2"]);
  assert.equal(binOf(parseStratum("sex"), "F"), "F");
  assert.deepEqual(orderGroups(age, new Set(["n/a", ">65", "<40"])), ["<40", ">65", "n/a"]);
  assert.deepEqual(orderGroups(parseStratum("scanner"), new Set(["n/a", "b", "A", "a"])), [
    "a",
    "A",
    "b",
    "n/a",
  ]);
  assert.deepEqual(orderGroups(parseStratum("field"), new Set(["3", "1.5", "7"])), ["1.5", "3", "7"]);
});

Deno.test("strata: a malformed stratum is a grid error naming it and the problem", () => {
  const bad: [string, RegExp][] = [
    ["age:<40,35-65", /bins '<40' and '35-65' overlap/],
    ["age:<40,40-65,>=65", /bins '40-65' and '>=65' overlap/],
    ["age:40-", /bin '40-' is not <x, <=x, >x, >=x or a-b/],
    ["age:65-40", /bin '65-40' runs backwards/],
    ["age:<40y", /no unit: only lesionVolume has one, ml/],
    ["lesionVolume:<1cc", /bin '<1cc' is not .* \(in ml; the unit may be written\)/],
    ["my site:<3", /the key before ':' must be one word/],
  ];
  for (const [text, message] of bad) assert.throws(() => parseStratum(text), message, text);
  const grid = (strata: unknown) =>
    parseConfig(gridSchema, {
      name: "g",
      datasets: [{ id: "phantom2d" }],
      methods: [{ id: "thresholding" }],
      strata,
    }, "g.json");
  assert.deepEqual(grid(["site", "age:<40,40-65,>65"]).strata, ["site", "age:<40,40-65,>65"]);
  assert.deepEqual(grid(undefined).strata, []);
  assert.throws(
    () => grid(["age:<40,35-65"]),
    /g\.json[\s\S]*strata\.0: stratum 'age:<40,35-65': bins '<40' and '35-65' overlap/,
  );
  assert.throws(() => grid(["site", "site"]), /strata: a stratum is listed twice/);
});
