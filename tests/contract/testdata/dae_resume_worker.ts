/**
 * A DAE training on toy data in its own process, for the kill -9 test: writes each checkpoint to
 * `<dir>/checkpoint.state` (atomically, as the runner does), the trained weights to `<dir>/final.state` and
 * the training summary to `<dir>/summary.json`.
 * Usage: `deno run -A dae_resume_worker.ts <dir> [--resume]` (resume from `<dir>/checkpoint.state`).
 */
import "../../../plugins/mod.ts";
import {
  getMethod,
  getNoise,
  InMemorySamples,
  parseConfig,
  Rng,
  selectBackend,
  silentProgress,
} from "../../../core/mod.ts";
import { readState, writeState } from "../../../runner/state_file.ts";

/** Steps of the toy training: long enough for the test to kill it midway. */
export const WORKER_STEPS = 120;

if (import.meta.main) {
  const [dir, flag] = Deno.args;
  await selectBackend("cpu");
  const shape = [16, 16, 1];
  const rng = new Rng(5);
  const samples = (n: number) =>
    new InMemorySamples(
      shape,
      Float32Array.from({ length: n * 256 }, () => rng.next()),
      new Float32Array(n * 256).fill(1),
    );
  const train = samples(7), validation = samples(2);
  const def = getMethod("dae");
  const config = parseConfig(def.schema, {
    widths: [4, 8],
    steps: WORKER_STEPS,
    batchSize: 3,
    medianKernel: 3,
    erodeKernel: 3,
    validateEvery: 16,
    keepBest: true,
  }, "dae");
  const coarse = getNoise("coarse");
  const m = def.create(config, shape, 3);
  const summary = await m.train({ sampleShape: shape, train, validation }, {
    backend: "cpu",
    seed: 3,
    rng: new Rng(3).fork("train"),
    noise: coarse.create(parseConfig(coarse.schema, { resolution: 4 }, "coarse")),
    progress: silentProgress,
    checkpoint: (s) => writeState(`${dir}/checkpoint.state`, s),
    checkpointSeconds: 0,
    ...(flag === "--resume" ? { resume: await readState(`${dir}/checkpoint.state`) } : {}),
  });
  await writeState(`${dir}/final.state`, await m.save());
  await Deno.writeTextFile(`${dir}/summary.json`, JSON.stringify(summary));
}
