/**
 * Generation speed of the default phantom2d dataset: `deno bench -A plugins/phantom2d/generate_bench.ts`.
 * @module
 */
import { parseConfig } from "../../core/config.ts";
import { phantom2dSchema } from "./config.ts";
import { generateCase, subjectCount } from "./generate.ts";

const config = parseConfig(phantom2dSchema, {}, "phantom2d");

Deno.bench(
  "phantom2d default dataset (48 + 4 + 12 subjects × 8 slices, 64 × 64)",
  { n: 5, warmup: 1 },
  () => {
    for (const split of ["train", "validation", "test"] as const) {
      for (let i = 0; i < subjectCount(config, split); i++) generateCase(config, split, i);
    }
  },
);

Deno.bench("phantom2d one test subject", () => {
  generateCase(config, "test", 0);
});
