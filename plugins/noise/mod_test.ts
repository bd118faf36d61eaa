import assert from "node:assert/strict";
import { parseConfig } from "../../core/config.ts";
import { getNoise, listNoises } from "../../core/registry.ts";
import { Rng } from "../../core/rng.ts";
import { foregroundFromImage } from "./mod.ts";

Deno.test("mod registers gaussian, coarse and simplex, each usable through the registry and carrying its config", () => {
  const ids = listNoises().map((d) => d.id);
  for (const id of ["coarse", "gaussian", "simplex"]) {
    assert.ok(ids.includes(id), `${id} registered`);
    const def = getNoise(id);
    assert.ok(def.description.length > 0);
    const config = parseConfig(def.schema, {}, id);
    const source = def.create(config);
    assert.equal(source.id, id);
    assert.deepEqual(source.config, config); // external programs read the settings from here
    for (const shape of [[2, 16, 16, 3], [1, 8, 8, 8, 2]]) {
      const t = source.sample(shape, new Rng(1));
      assert.deepEqual(t.shape, shape);
      t.dispose();
    }
  }
  assert.equal(typeof foregroundFromImage, "function");
});
