import assert from "node:assert/strict";
import { Rng } from "./rng.ts";

/** A mix of every kind of draw (normals in pairs), so that a state that misses any part of the generator shows. */
function draws(rng: Rng, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(rng.next(), rng.normal(), rng.int(1000), rng.normal(), rng.seed());
  return out;
}

Deno.test("Rng: a state exported mid-stream (through JSON) continues with the same draws", () => {
  for (const pending of [false, true]) {
    const a = new Rng(42);
    draws(a, 5);
    a.normal(); // leaves a spare Box–Muller value pending
    if (!pending) a.normal(); // ... or consumes it
    const state = JSON.parse(JSON.stringify(a.exportState()));
    assert.equal("spare" in state, pending);
    const b = new Rng(7); // another seed, and its own pending spare: importState must overwrite both
    b.normal();
    b.importState(state);
    assert.deepEqual(draws(b, 20), draws(a, 20));
  }
});

Deno.test("Rng: importing a state leaves forks and the source independent", () => {
  const a = new Rng("x");
  const s = a.exportState();
  const fa = a.fork("f");
  const b = new Rng(0);
  b.importState(s);
  assert.deepEqual(draws(b.fork("f"), 3), draws(fa, 3));
});

Deno.test("Rng: a malformed state is refused, naming the field", () => {
  const rng = new Rng(1);
  assert.throws(() => rng.importState({ words: [1, 2, 3] as never }), /'words' must be four integers/);
  assert.throws(() => rng.importState({ words: [1, 2, 3, 2 ** 32] }), /'words'/);
  assert.throws(() => rng.importState({ words: [1, 2, 3, 4], spare: NaN }), /'spare'/);
  assert.throws(() => rng.importState(undefined as never), /'words'/);
});
