import assert from "node:assert/strict";
import { InMemorySamples, Rng, selectBackend, silentProgress, tf } from "../../../core/mod.ts";
import { templateTrainedSchema } from "./config.ts";
import { TemplateTrained } from "./model.ts";
import * as v from "valibot";

await selectBackend("cpu");

/** `n` healthy 16×16 one-channel samples: smooth stripes inside a centred disk. */
function samples(n: number, seed: number): InMemorySamples {
  const rng = new Rng(seed);
  const images = new Float32Array(n * 256);
  const foreground = new Float32Array(n * 256);
  for (let s = 0; s < n; s++) {
    const phase = rng.uniform(0, Math.PI);
    for (let i = 0; i < 256; i++) {
      const [y, x] = [Math.floor(i / 16) - 7.5, (i % 16) - 7.5];
      const inside = x * x + y * y < 49 ? 1 : 0;
      foreground[s * 256 + i] = inside;
      images[s * 256 + i] = inside * (0.5 + 0.3 * Math.sin(x / 2 + phase));
    }
  }
  return new InMemorySamples([16, 16, 1], images, foreground);
}

Deno.test("template-trained: training lowers the validation loss", async () => {
  const config = v.parse(templateTrainedSchema, {
    widths: [4, 8],
    steps: 40,
    batchSize: 4,
    lr: 1e-2,
    validateEvery: 1,
  });
  const data = { sampleShape: [16, 16, 1], train: samples(16, 1), validation: samples(4, 2) };
  const validation: number[] = [];
  const model = new TemplateTrained(config, data.sampleShape, 0);
  const summary = await model.train(data, {
    backend: "cpu",
    seed: 0,
    rng: new Rng(0),
    progress: silentProgress,
    checkpoint: () => Promise.resolve(),
    onStep: (r) => r.validationLoss !== undefined && validation.push(r.validationLoss),
  });
  assert.equal(summary.steps, 40);
  assert.equal(validation.length, 40, "validated after every step");
  const [first, last] = [validation[0]!, validation.at(-1)!];
  assert.ok(last < 0.5 * first, `validation loss ${first} after the first step, ${last} after the last`);
  const b = data.validation.batch([0, 1]);
  const scores = await model.score(b);
  assert.deepEqual(scores.shape, [2, 16, 16]);
  const [values, fg] = [await scores.data(), await b.foreground.data()];
  assert.ok(values.every((s, i) => fg[i] === 1 || s === 0), "zero outside the foreground");
  tf.dispose([scores, b.images, b.foreground]);
  model.dispose();
});
