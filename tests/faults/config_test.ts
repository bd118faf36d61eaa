/**
 * Fault injection: config values that JSON cannot hold faithfully (1e999 → Infinity), seeds that wrap modulo
 * 2^32, and sizes that would allocate absurd memory. Each is refused before anything runs, naming the field.
 */
import "../../plugins/mod.ts";
import * as v from "valibot";
import { ConfigError, parseConfig } from "../../core/config.ts";
import { resolveRun } from "../../runner/spec.ts";
import { parse, runFlags } from "../../cli/args.ts";
import { commandLineSpec } from "../../cli/run_config.ts";
import { assertRefused } from "./_util.ts";

/** Resolves the spec the CLI builds from `args` (train's flags). */
function resolveCli(args: string[]) {
  return resolveRun(commandLineSpec(parse(args, runFlags).values));
}

Deno.test("every number in a config must be finite, and the message names the field", async () => {
  await assertRefused(
    () => resolveCli(["--noise", "coarse", "--set", "clipNorm=1e999"]),
    "clipNorm",
    /clipNorm: must be a finite number/,
  );
  await assertRefused(
    () => resolveCli(["--noise", "coarse", "--set", "widths=[8,1e999]"]),
    "widths.1",
    /widths\.1: must be a finite number/,
  );
  await assertRefused(
    () => resolveCli(["--noise", "coarse", "--noise-set", "sigma=-1e999"]),
    "sigma",
    /sigma: must be a finite number/,
  );
  await assertRefused(
    () => resolveCli(["--noise", "coarse", "--dataset-set", "noiseStd=1e999"]),
    "noiseStd",
    /noiseStd: must be a finite number/,
  );
  // Straight through parseConfig, for every schema built on it (manifests, grids, plugin configs).
  const schema = v.object({ lr: v.optional(v.number(), 1), nested: v.optional(v.object({ x: v.number() })) });
  await assertRefused(
    () => parseConfig(schema, { lr: Infinity, nested: { x: NaN } }, "demo"),
    "nested.x",
    /lr: must be a finite number[\s\S]*nested\.x: must be a finite number/,
  );
  await assertRefused(
    () => parseConfig(schema, { lr: NaN }, "demo"),
    "lr",
    /ConfigError|lr: must be a finite/,
  );
});

Deno.test("seeds outside [0, 2^32) are refused: they would silently train another seed's model", async () => {
  for (const seed of ["4294967296", "-1", "1.5", "1e3", "0x10", ""]) {
    await assertRefused(() => resolveCli(["--noise", "coarse", "--seed", seed]), "--seed", /--seed/, seed);
  }
  for (const [dataset, field] of [["brats", "seed"], ["headct", "seed"], ["realbrain", "seed"]]) {
    await assertRefused(
      () => resolveCli(["--dataset", dataset!, "--noise", "coarse", "--dataset-set", `${field}=4294967296`]),
      field!,
      /seed: must be at most 4294967295/,
      dataset,
    );
  }
});

Deno.test("sizes that would allocate absurd memory are refused naming the field and the limit", async () => {
  const cases: [string[], string, RegExp][] = [
    [
      ["--noise", "coarse", "--noise-set", "resolution=100000"],
      "resolution",
      /resolution: must be at most 1024/,
    ],
    [["--noise", "coarse", "--noise-set", "resolution3d=100000"], "resolution3d", /must be at most 256/],
    [["--noise", "coarse", "--set", "widths=[100000]"], "widths.0", /widths\.0: must be at most 2048/],
    [["--method", "vae", "--set", "latentDim=1000000"], "latentDim", /latentDim: must be at most 2048/],
    [
      ["--dataset", "folder", "--noise", "coarse", "--dataset-set", "size=100000"],
      "size",
      /must be at most 1024/,
    ],
    [
      ["--dataset", "folder3d", "--method", "dae", "--noise", "coarse", "--dataset-set", "size=100000"],
      "size",
      /must be at most 256/,
    ],
    [
      ["--dataset", "brats", "--noise", "coarse", "--dataset-set", "size=100000"],
      "size",
      /must be at most 1024/,
    ],
    [
      ["--dataset", "realbrain", "--noise", "coarse", "--dataset-set", "size=100000"],
      "size",
      /must be at most 512/,
    ],
    [
      ["--dataset", "realbrain", "--noise", "coarse", "--dataset-set", "trainCases=1e9"],
      "trainCases",
      /must be at most/,
    ],
    [
      [
        "--dataset",
        "headct",
        "--method",
        "dae",
        "--noise",
        "coarse",
        "--dataset-set",
        "shape=[64,96,100000]",
      ],
      "shape.2",
      /must be at most 512/,
    ],
  ];
  for (const [args, field, pattern] of cases) {
    const message = await assertRefused(() => resolveCli(args), field, pattern, args.join(" "));
    if (!message.includes("invalid config")) {
      throw new ConfigError("test", [`not a config error: ${message}`]);
    }
  }
});
