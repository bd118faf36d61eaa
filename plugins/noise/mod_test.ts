import assert from "node:assert/strict";
import { parseConfig } from "../../core/config.ts";
import { getNoise, listNoises } from "../../core/registry.ts";
import { Rng } from "../../core/rng.ts";
import { foregroundFromImage } from "./mod.ts";

Deno.test("mod registers gaussian, coarse and simplex, each usable through the registry", () => {
  const ids = listNoises().map((d) => d.id);
  for (const id of ["coarse", "gaussian", "simplex"]) {
    assert.ok(ids.includes(id), `${id} registered`);
    const def = getNoise(id);
    assert.ok(def.description.length > 0);
    const source = def.create(parseConfig(def.schema, {}, id));
    assert.equal(source.id, id);
    for (const shape of [[2, 16, 16, 3], [1, 8, 8, 8, 2]]) {
      const t = source.sample(shape, new Rng(1));
      assert.deepEqual(t.shape, shape);
      t.dispose();
    }
  }
  assert.equal(typeof foregroundFromImage, "function");
});
