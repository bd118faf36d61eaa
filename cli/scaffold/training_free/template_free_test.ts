import assert from "node:assert/strict";
import * as v from "valibot";
import { selectBackend, tf } from "../../../core/mod.ts";
import { templateFreeSchema } from "./config.ts";
import { TemplateFree } from "./model.ts";

await selectBackend("cpu");

Deno.test("template-free: a bright blob scores above the tissue around it, zero outside the foreground", async () => {
  // One 16×16 one-channel slice: tissue 0.5 inside a disk, a 3×3 blob of 0.9 at (8, 8).
  const image = new Float32Array(256);
  const fg = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const [y, x] = [Math.floor(i / 16), i % 16];
    fg[i] = (x - 7.5) ** 2 + (y - 7.5) ** 2 < 49 ? 1 : 0;
    image[i] = fg[i]! * (Math.abs(x - 8) <= 1 && Math.abs(y - 8) <= 1 ? 0.9 : 0.5);
  }
  const batch = { images: tf.tensor(image, [1, 16, 16, 1]), foreground: tf.tensor(fg, [1, 16, 16, 1]) };
  const method = new TemplateFree(v.parse(templateFreeSchema, { medianKernel: 1 }));
  const map = await method.score(batch);
  assert.deepEqual(map.shape, [1, 16, 16]);
  const s = await map.data();
  assert.ok(s[8 * 16 + 8]! > 3, `blob z-score ${s[8 * 16 + 8]}`);
  assert.equal(s[8 * 16 + 4], 0, "tissue darker than the mean scores 0 in the bright direction");
  s.forEach((value, i) => fg[i] === 0 && assert.equal(value, 0, `outside the foreground at ${i}`));
  tf.dispose([map, batch.images, batch.foreground]);
});
