/**
 * The resume contract, run for every registered method that trains, in every dimensionality it supports, on
 * toy data with its `testConfig` plus model selection (validateEvery 1, keepBest): a training interrupted at
 * any checkpoint (through the state file format the runner writes) and resumed ends bit-identical to an
 * uninterrupted one; an abort leaves a checkpoint; a checkpoint of another method or config is refused.
 */
import assert from "node:assert/strict";
import "../../plugins/mod.ts";
import {
  getNoise,
  InMemorySamples,
  listMethods,
  type MethodDefinition,
  type MethodState,
  parseConfig,
  Rng,
  selectBackend,
  silentProgress,
  type StepRecord,
  type TrainContext,
  TrainingInterrupted,
  type TrainSummary,
} from "../../core/mod.ts";
import { decodeState, encodeState } from "../../runner/state_file.ts";

await selectBackend("cpu");

/** Random images inside a disk-shaped foreground; `labelled` marks a blob as anomalous. */
function toySamples(shape: number[], n: number, seed: number, labelled = false): InMemorySamples {
  const rng = new Rng(seed);
  const spatial = shape.slice(0, -1);
  const channels = shape[shape.length - 1]!;
  const voxels = spatial.reduce((a, b) => a * b, 1);
  const fg = new Float32Array(n * voxels);
  const labels = labelled ? new Float32Array(n * voxels) : undefined;
  for (let v = 0; v < n * voxels; v++) {
    let rem = v % voxels, r2 = 0;
    for (let a = spatial.length - 1; a >= 0; a--) {
      const c = (rem % spatial[a]!) / (spatial[a]! - 1) - 0.5;
      rem = Math.floor(rem / spatial[a]!);
      r2 += c * c;
    }
    fg[v] = r2 < 0.16 ? 1 : 0;
    if (labels) labels[v] = r2 < 0.02 ? 1 : 0;
  }
  const images = Float32Array.from({ length: n * voxels * channels }, (_, i) => {
    const v = Math.floor(i / channels);
    return fg[v]! * (labels?.[v] ? 0.95 : 0.3 + 0.3 * rng.next());
  });
  return new InMemorySamples(shape, images, fg, labels);
}

/** One training of a fresh instance; never throws (the error is returned). */
interface Outcome {
  summary?: TrainSummary;
  error?: unknown;
  state?: MethodState;
  checkpoints: MethodState[];
  records: StepRecord[];
}

/** Trains a fresh instance of `def` with `config` on the toy data. */
async function train(
  def: MethodDefinition,
  config: unknown,
  shape: number[],
  over: Partial<TrainContext> = {},
): Promise<Outcome> {
  const m = def.create(config, shape, 0);
  const noise = def.meta.usesNoise ? getNoise("gaussian") : undefined;
  const out: Outcome = { checkpoints: [], records: [] };
  try {
    out.summary = await m.train({
      sampleShape: shape,
      train: toySamples(shape, 5, 1),
      validation: toySamples(shape, 2, 2),
      ...(def.meta.supervised ? { labelled: toySamples(shape, 5, 3, true) } : {}),
    }, {
      backend: "cpu",
      seed: 0,
      rng: new Rng(0),
      ...(noise ? { noise: noise.create(parseConfig(noise.schema, {}, noise.id)) } : {}),
      progress: silentProgress,
      checkpoint: (s) => Promise.resolve(void out.checkpoints.push(s)),
      onStep: (r) => void out.records.push(r),
      ...over,
    });
    out.state = await m.save();
  } catch (e) {
    out.error = e;
  } finally {
    m.dispose();
  }
  return out;
}

/** A checkpoint as the runner stores and reads it back. */
function throughFile(s: MethodState): MethodState {
  return decodeState(encodeState(s), "checkpoint.state");
}

function stepOf(s: MethodState): number {
  return (s.meta?.checkpoint as { step: number }).step;
}

/** Bit-for-bit equality of two states' tensors, naming the first difference. */
function assertSameTensors(got: MethodState, want: MethodState, what: string): void {
  assert.deepEqual(
    Object.keys(got.tensors).sort(),
    Object.keys(want.tensors).sort(),
    `${what}: tensor names`,
  );
  for (const [name, t] of Object.entries(want.tensors)) {
    const a = new Uint32Array(got.tensors[name]!.values.slice().buffer);
    const b = new Uint32Array(t.values.slice().buffer);
    const i = a.findIndex((x, k) => x !== b[k]);
    assert.ok(i < 0 && a.length === b.length, `${what}: '${name}' differs at ${i}`);
  }
}

/** The model's own tensors in a checkpoint (without optimiser buffers and best weights). */
function modelPart(checkpoint: MethodState, names: readonly string[]): MethodState {
  return { tensors: Object.fromEntries(names.map((n) => [n, checkpoint.tensors[n]!])) };
}

/** `def`'s test config with model selection, or undefined when its schema has no such fields. */
function withSelection(def: MethodDefinition): unknown {
  try {
    return parseConfig(def.schema, { ...def.meta.testConfig, validateEvery: 1, keepBest: true }, def.id);
  } catch {
    return undefined;
  }
}

for (const def of listMethods()) {
  for (const dims of def.meta.dims) {
    Deno.test(`method resume contract: ${def.id} (${dims}D)`, async (t) => {
      const shape = dims === 2 ? [16, 16, 2] : [8, 8, 8, 1];
      if (def.identityFiles) {
        // One program run trains the model (protocol uad-external/1): an interrupted cell trains again.
        console.log(`  skipped: ${def.id} trains in an external program, which keeps no checkpoints of ours`);
        return;
      }
      const plainConfig = parseConfig(def.schema, def.meta.testConfig, def.id);
      const probe = await train(def, plainConfig, shape, { checkpointSeconds: 0 });
      if (probe.error instanceof Error && probe.error.message.includes("nnU-Net is not installed")) {
        console.log(`  skipped: ${def.id}: ${probe.error.message.split("\n")[0]}`);
        return;
      }
      if (probe.error) throw probe.error;
      if (probe.summary!.steps === 0) {
        // Training-free methods (thresholding), and bridges whose external tool keeps its own state.
        assert.equal(probe.checkpoints.length, 0);
        console.log(`  skipped: ${def.id} takes no training steps here`);
        return;
      }
      const config = withSelection(def);
      assert.ok(config, `${def.id} trains, so its config needs validateEvery and keepBest`);
      const straight = await train(def, config, shape);
      if (straight.error) throw straight.error;
      const steps = straight.summary!.steps;
      assert.ok(steps >= 2, `${def.id}: testConfig must train at least 2 steps to test resuming`);
      assert.deepEqual(straight.records.map((r) => r.step), Array.from({ length: steps }, (_, i) => i + 1));

      const periodic = await train(def, config, shape, { checkpointSeconds: 0 });
      assert.deepEqual(
        periodic.checkpoints.map(stepOf),
        Array.from({ length: steps - 1 }, (_, i) => i + 1),
        "checkpointSeconds 0 checkpoints after every step but the last",
      );
      assertSameTensors(periodic.state!, straight.state!, "checkpointing changed the training");

      await t.step("resumed from every checkpoint: bit-identical weights and losses", async () => {
        for (const checkpoint of periodic.checkpoints) {
          const k = stepOf(checkpoint);
          const resumed = await train(def, config, shape, { resume: throughFile(checkpoint) });
          if (resumed.error) throw resumed.error;
          assert.deepEqual(
            resumed.records.map((r) => r.step),
            Array.from({ length: steps - k }, (_, i) => k + 1 + i),
          );
          assertSameTensors(resumed.state!, straight.state!, `resumed after step ${k}`);
          assert.equal(resumed.summary!.finalLoss, straight.summary!.finalLoss, `final loss after step ${k}`);
          assert.equal(resumed.summary!.validationLoss, straight.summary!.validationLoss);
          assert.equal(resumed.summary!.bestStep, straight.summary!.bestStep);
          assert.equal(resumed.summary!.resumedFrom, k);
        }
      });

      await t.step("an abort writes a checkpoint to resume from", async () => {
        const controller = new AbortController();
        const stopped = await train(def, config, shape, {
          signal: controller.signal,
          onStep: (r) => r.step === 1 && controller.abort(),
        });
        assert.ok(
          stopped.error instanceof TrainingInterrupted,
          `expected an interruption, got ${stopped.error}`,
        );
        assert.deepEqual(stopped.checkpoints.map(stepOf), [1]);
        const resumed = await train(def, config, shape, { resume: throughFile(stopped.checkpoints[0]!) });
        if (resumed.error) throw resumed.error;
        assertSameTensors(resumed.state!, straight.state!, "resumed after the abort");
      });

      await t.step("keepBest ends with the weights of the best validation step", () => {
        const best = straight.summary!.bestStep!;
        assert.ok(best >= 1 && best <= steps && straight.summary!.keptBest);
        assert.equal(straight.summary!.validationLoss, straight.summary!.bestValidationLoss);
        const names = Object.keys(straight.state!.tensors);
        const atBest = best === steps ? straight.state! : modelPart(periodic.checkpoints[best - 1]!, names);
        assertSameTensors(straight.state!, atBest, `the weights of step ${best}`);
        // The kept copy covers every weight the last step changed (the probe ran without selection), and
        // holds the values of the best step so far.
        const last = periodic.checkpoints.at(-1)!;
        const sofar = (last.meta!.checkpoint as { selection: { best?: { step: number } } }).selection.best;
        assert.ok(sofar, `no best step known after step ${stepOf(last)}`);
        const kept = names.filter((n) => `best/${n}` in last.tensors);
        const before = probe.checkpoints.at(-1)!.tensors, after = probe.state!.tensors;
        const changed = names.filter((n) => before[n]!.values.some((x, i) => x !== after[n]!.values[i]));
        assert.deepEqual(
          changed.filter((n) => !kept.includes(n)),
          [],
          "weights changed but not kept as best",
        );
        const bestState = modelPart(periodic.checkpoints[sofar.step - 1]!, kept);
        const keptState = { tensors: Object.fromEntries(kept.map((n) => [n, last.tensors[`best/${n}`]!])) };
        assertSameTensors(keptState, bestState, `the kept weights of step ${sofar.step}`);
      });

      await t.step("a checkpoint of another config or method is refused", async () => {
        const checkpoint = throughFile(periodic.checkpoints[0]!);
        const other = parseConfig(
          def.schema,
          { ...def.meta.testConfig, validateEvery: 2, keepBest: true },
          def.id,
        );
        const refused = await train(def, other, shape, { resume: checkpoint });
        assert.match(String(refused.error), /another training \(config\.validateEvery: 1 ≠ 2\)/);
        // Another method that trains through the loop (its schema has the selection fields).
        const otherMethod = listMethods().find((d) =>
          d !== def && d.meta.dims.includes(dims) && withSelection(d)
        );
        assert.ok(otherMethod, "no other method to refuse the checkpoint");
        const wrong = await train(otherMethod, withSelection(otherMethod)!, shape, {
          resume: checkpoint,
        });
        assert.match(
          String(wrong.error),
          new RegExp(`another training \\(method: "${def.id}" ≠ "${otherMethod.id}"`),
        );
      });
    });
  }
}
