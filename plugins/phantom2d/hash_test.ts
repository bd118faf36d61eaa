import assert from "node:assert/strict";
import { canonicalJson, sha256Hex } from "./hash.ts";

Deno.test("canonicalJson sorts keys at every depth and drops undefined fields", () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } }),
    '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
  );
  assert.equal(canonicalJson({ a: undefined, b: "x" }), '{"b":"x"}');
  assert.throws(() => canonicalJson(() => 1), /cannot encode a function/);
});

Deno.test("sha256Hex matches the known digest of 'abc'", async () => {
  assert.equal(await sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});
