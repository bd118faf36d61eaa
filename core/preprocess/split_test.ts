import assert from "node:assert/strict";
import { splitPatients } from "./split.ts";

Deno.test("splitPatients: cases of one patient land in one part; without patients each id is one", () => {
  const ids = ["p1-a", "p1-b", "p2-a", "p3-a", "p3-b", "p3-c", "p4-a", "p5-a"];
  const patient = (id: string) => id.slice(0, 2);
  for (let seed = 0; seed < 20; seed++) {
    const s = splitPatients(ids, seed, [0.6, 0.2], patient);
    assert.deepEqual([...s.train, ...s.validation, ...s.test].sort(), [...ids].sort());
    const parts = [s.train, s.validation, s.test].map((p) => new Set(p.map(patient)));
    assert.deepEqual([parts[0]!.size, parts[1]!.size, parts[2]!.size], [3, 1, 1], "counts are of patients");
    for (let a = 0; a < 3; a++) {
      for (let b = a + 1; b < 3; b++) assert.ok([...parts[a]!].every((p) => !parts[b]!.has(p)));
    }
  }
  const plain = splitPatients(ids, 3, [0.5, 0.25]);
  assert.deepEqual([plain.train.length, plain.validation.length, plain.test.length], [4, 2, 2]);
  assert.deepEqual(splitPatients([...ids].reverse(), 3, [0.5, 0.25]), plain, "input order does not matter");
  assert.notDeepEqual(splitPatients(ids, 4, [0.5, 0.25]), plain, "the seed does");
});
