import assert from "node:assert/strict";
import { join } from "node:path";
import "../mod.ts"; // the registry with every plugin (the noise types these tests cross with)
import {
  getNoise,
  InMemorySamples,
  type MethodState,
  parseConfig,
  type ProgressReporter,
  Rng,
  silentProgress,
  tf,
  type TrainContext,
} from "../../core/mod.ts";
import { readNpy } from "../../core/npy/mod.ts";
import { decodeState, encodeState } from "../../runner/state_file.ts";
import { type ExternalConfig, externalSchema } from "./config.ts";
import { externalIdentityFiles, ExternalMethod, type ExternalVariant } from "./external.ts";
import { packBytes, unpackBytes } from "./model_files.ts";
import { showCommand } from "../../core/subprocess.ts";

const PLAIN: ExternalVariant = { id: "external", usesNoise: false, supervised: false };
const SHAPE = [4, 4, 2];

/** A program given as TypeScript source: `deno eval`, with the job folder as `Deno.args[0]`. */
const program = (code: string) => [Deno.execPath(), "eval", code];
/** A shell program: `sh -c`, with the job folder as `$0`. */
const shell = (script: string) => ["sh", "-c", script];

/** Training code that fills the model folder with `bytes` and reports progress. */
const TRAIN_OK = `
  const job = JSON.parse(Deno.readTextFileSync(Deno.args[0] + "/job.json"));
  Deno.mkdirSync(job.model + "/sub");
  Deno.writeFileSync(job.model + "/sub/w.bin", new Uint8Array(1001).map((_, i) => (i * 7) % 256));
  Deno.writeTextFileSync(job.summary, JSON.stringify({ steps: 5, finalLoss: 0.25 }));
  console.log('@progress {"step": 5, "steps": 5, "loss": 0.25}');
  console.error("a line on stderr");`;

/** Scoring code that copies its inputs to \`$KEEP\` and writes scores 1 + batch index. */
const SCORE_COPY = `
  import { encodeNpy } from "${new URL("../../core/npy/mod.ts", import.meta.url)}";
  const dir = Deno.args[0];
  const job = JSON.parse(Deno.readTextFileSync(dir + "/job.json"));
  for (const f of ["job.json", "images.npy", "foreground.npy"]) Deno.copyFileSync(dir + "/" + f, Deno.env.get("KEEP") + "/" + f);
  const shape = [job.count, ...job.sampleShape.slice(0, -1)];
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  const values = Float32Array.from({ length: job.count * per }, (_, i) => 1 + Math.floor(i / per));
  Deno.writeFileSync(job.scores, encodeNpy("<f4", shape, values));`;

function config(input: Partial<Record<keyof ExternalConfig, unknown>>): ExternalConfig {
  return parseConfig(externalSchema, input, "external");
}

/** Samples whose values encode (sample, pixel, channel); foreground is the left half. */
function samples(n: number, labels = false): InMemorySamples {
  const per = SHAPE[0]! * SHAPE[1]!;
  const img = Float32Array.from({ length: n * per * 2 }, (_, i) => i / 1000);
  const fg = Float32Array.from({ length: n * per }, (_, i) => (i % SHAPE[1]! < 2 ? 1 : 0));
  const lab = labels ? Float32Array.from({ length: n * per }, (_, i) => (i % 5 === 0 ? 1 : 0)) : undefined;
  return new InMemorySamples(SHAPE, img, fg, lab);
}

function context(extra: Partial<TrainContext> = {}): TrainContext {
  return {
    backend: "cpu",
    seed: 7,
    rng: new Rng(7),
    progress: silentProgress,
    checkpoint: async () => {},
    ...extra,
  };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "external_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("external train: the job folder as documented, progress, summary, the log in the run folder", async () => {
  await withDir(async (dir) => {
    const keep = join(dir, "keep");
    await Deno.mkdir(keep);
    const copy = `const d = Deno.args[0]; for (const e of Deno.readDirSync(d)) ` +
      `if (e.isFile) Deno.copyFileSync(d + "/" + e.name, "${keep}/" + e.name);`;
    const variant: ExternalVariant = { id: "external-noise", usesNoise: true, supervised: true };
    const cfg = config({
      train: program(copy + TRAIN_OK),
      score: shell("exit 1"),
      params: { depth: 3, name: "x" },
      noiseSamples: 3,
    });
    const m = new ExternalMethod(cfg, SHAPE, variant);
    const updates: unknown[] = [];
    const progress: ProgressReporter = { update: (...a) => updates.push(a), finish: () => {} };
    const noiseDef = getNoise("coarse");
    const noise = noiseDef.create(parseConfig(noiseDef.schema, { resolution: 2 }, "coarse"));
    const data = {
      sampleShape: SHAPE,
      train: samples(5),
      validation: samples(2),
      labelled: samples(3, true),
    };
    const summary = await m.train(data, context({ noise, progress, workDir: dir }));
    assert.deepEqual(summary, { steps: 5, finalLoss: 0.25 });
    assert.deepEqual(updates, [[5, 5, { loss: 0.25 }]]);

    const job = JSON.parse(await Deno.readTextFile(join(keep, "job.json")));
    const jobDir = job.data.train.images.slice(0, -"/train_images.npy".length);
    assert.deepEqual(
      { ...job, data: undefined, noiseSamples: undefined, summary: undefined },
      {
        protocol: "uad-external/1",
        task: "train",
        dims: 2,
        sampleShape: SHAPE,
        params: { depth: 3, name: "x" },
        model: join(dir, "external", "model"),
        seed: 7,
        noise: {
          id: "coarse",
          config: { resolution: 2, resolution3d: 8, sigma: 0.2, shiftPerSample: false },
        },
        data: undefined,
        noiseSamples: undefined,
        summary: undefined,
      },
    );
    assert.equal(job.summary, join(jobDir, "summary.json"));
    assert.deepEqual(job.data.train, {
      images: join(jobDir, "train_images.npy"),
      foreground: join(jobDir, "train_foreground.npy"),
      count: 5,
    });
    assert.equal(job.data.labelled.labels, join(jobDir, "labelled_labels.npy"));
    await assert.rejects(() => Deno.stat(jobDir), Deno.errors.NotFound); // the job folder is gone

    // The arrays hold the samples exactly: float32 images, uint8 masks.
    const images = await readNpy(join(keep, "train_images.npy"));
    assert.deepEqual([images.dtype, images.shape], ["<f4", [5, 4, 4, 2]]);
    assert.deepEqual([...images.data], [...Float32Array.from({ length: 160 }, (_, i) => i / 1000)]);
    const fg = await readNpy(join(keep, "validation_foreground.npy"));
    assert.deepEqual([fg.dtype, fg.shape], ["|u1", [2, 4, 4]]);
    assert.deepEqual([...fg.data], Array.from({ length: 32 }, (_, i) => (i % 4 < 2 ? 1 : 0)));
    const labels = await readNpy(join(keep, "labelled_labels.npy"));
    assert.deepEqual([...labels.data], Array.from({ length: 48 }, (_, i) => (i % 5 === 0 ? 1 : 0)));
    // The noise draws are the grid's noise source's, from the run's seed.
    const bank = await readNpy(join(keep, "noise.npy"));
    assert.deepEqual(bank.shape, [3, 4, 4, 2]);
    const expected = noise.sample([3, ...SHAPE], new Rng(7).fork("external-noise"));
    assert.deepEqual([...bank.data], [...(await expected.data())]);
    expected.dispose();

    const log = await Deno.readTextFile(join(dir, "external", "train.log"));
    assert.match(log, /^==== \S+ external train: .*deno eval /);
    assert.match(log, /a line on stderr\n/);
    assert.match(log, /==== exit 0\n$/);

    // The state holds the model folder's files byte for byte, and survives the state file format.
    const state = decodeState(encodeState(await m.save()), "state");
    m.dispose();
    assert.ok(await Deno.stat(join(dir, "external", "model", "sub", "w.bin")), "a run folder is kept");
    const again = new ExternalMethod(
      config({ train: shell("exit 1"), score: shell("exit 1") }),
      SHAPE,
      variant,
    );
    again.load(state);
    const back = await again.save();
    assert.deepEqual(back, state);
    const meta = state.meta as { files: Array<{ path: string; bytes: number }> };
    assert.deepEqual(meta.files.map((f) => [f.path, f.bytes]), [["sub/w.bin", 1001]]);
    again.dispose();
  });
});

Deno.test("external score: the batch as .npy, scores read back and zeroed outside the foreground", async () => {
  await withDir(async (keep) => {
    const cfg = config({
      train: program(TRAIN_OK),
      score: program(SCORE_COPY),
      env: { KEEP: keep },
      params: { p: 1 },
    });
    const m = new ExternalMethod(cfg, SHAPE, PLAIN);
    await m.train({ sampleShape: SHAPE, train: samples(2), validation: samples(1) }, context());
    const batch = samples(3).batch([2, 0]);
    const scores = await m.score(batch);
    assert.deepEqual(scores.shape, [2, 4, 4]);
    // 1 for the first sample, 2 for the second, inside the left-half foreground only.
    assert.deepEqual(
      [...(await scores.data())],
      Array.from({ length: 32 }, (_, i) => (i % 4 < 2 ? 1 + Math.floor(i / 16) : 0)),
    );
    const job = JSON.parse(await Deno.readTextFile(join(keep, "job.json")));
    assert.deepEqual(
      [job.protocol, job.task, job.dims, job.sampleShape, job.count, job.params],
      ["uad-external/1", "score", 2, SHAPE, 2, { p: 1 }],
    );
    assert.ok(job.scores.endsWith("/scores.npy"));
    const images = await readNpy(join(keep, "images.npy"));
    assert.deepEqual(images.shape, [2, 4, 4, 2]);
    assert.deepEqual([...images.data], [...(await batch.images.data())]);
    const fg = await readNpy(join(keep, "foreground.npy"));
    assert.deepEqual([fg.dtype, [...fg.data]], ["|u1", [...(await batch.foreground.data())]]);
    tf.dispose([scores, batch.images, batch.foreground]);
    m.dispose();
  });
});

Deno.test("external failures name the command, the file and the log", async () => {
  const data = { sampleShape: SHAPE, train: samples(2), validation: samples(1) };
  const trainWith = async (train: string[], extra: Partial<ExternalConfig> = {}, ctx = context()) => {
    const m = new ExternalMethod(config({ train, score: shell("exit 1"), ...extra }), SHAPE, PLAIN);
    try {
      await m.train(data, ctx);
    } finally {
      m.dispose();
    }
  };
  await assert.rejects(
    () => trainWith(shell('echo "boom: no GPU" >&2; exit 3')),
    /external train: `sh -c 'echo "boom: no GPU" >&2; exit 3' \/\S+` exited with code 3 \(log: \S+\/train\.log\); its last output:\nboom: no GPU$/,
  );
  await assert.rejects(
    () => trainWith(shell("exec sleep 30"), { timeoutSeconds: 0.3 }),
    /`sh -c 'exec sleep 30' \S+` timed out after 0\.3 s .* and printed nothing/,
  );
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 200);
  await assert.rejects(
    () => trainWith(shell("exec sleep 30"), {}, context({ signal: abort.signal })),
    /stopped \(the run was aborted\)/,
  );
  await assert.rejects(
    () => trainWith(["/nonexistent/trainer"]),
    /external train: cannot start `\/nonexistent\/trainer \S+`: .*No such file/,
  );
  await assert.rejects(
    () => trainWith(shell("exit 0")),
    /exited with 0 but wrote no model files into \S+\/model/,
  );
  const model = 'm=$(sed -n \'s/.*"model": "\\(.*\\)".*/\\1/p\' "$0/job.json"); echo x > "$m/w"; ';
  await assert.rejects(
    () => trainWith(shell(`${model}echo '{"final_loss": 1}' > "$0/summary.json"`)),
    /external train: \S+\/summary\.json:\n {2}final_loss: unknown field/,
  );
  await assert.rejects(
    () => trainWith(shell(`${model}echo '{"steps": ' > "$0/summary.json"`)),
    /summary\.json is not valid JSON/,
  );

  const scoreWith = async (score: string[]) => {
    const m = new ExternalMethod(config({ train: program(TRAIN_OK), score }), SHAPE, PLAIN);
    await m.train(data, context());
    const b = samples(2).batch([0, 1]);
    try {
      await m.score(b);
    } finally {
      tf.dispose([b.images, b.foreground]);
      m.dispose();
    }
  };
  await assert.rejects(
    () => scoreWith(shell("exit 0")),
    /external score: `sh -c 'exit 0' \S+` exited with 0 but wrote no \S+\/scores\.npy/,
  );
  const npy = (shape: string, values: string) =>
    `import { encodeNpy } from "${new URL("../../core/npy/mod.ts", import.meta.url)}";` +
    `Deno.writeFileSync(Deno.args[0] + "/scores.npy", encodeNpy("<f4", ${shape}, new Float32Array(${values})));`;
  await assert.rejects(
    () => scoreWith(program(npy("[2, 3]", "6"))),
    /external score: \S+\/scores\.npy has shape \[2, 3\], expected \[2, 4, 4\] \(batch, then the sample's spatial axes\); written by `.*deno eval/,
  );
  await assert.rejects(
    () => scoreWith(program(npy("[2, 4, 4]", "[...new Array(31).fill(0), NaN]"))),
    /scores\.npy holds a non-finite value \(NaN\) at flat index 31/,
  );
  await assert.rejects(
    () => scoreWith(shell('echo junk > "$0/scores.npy"')),
    /scores\.npy: not a \.npy file/,
  );

  const untrained = new ExternalMethod(
    config({ train: shell("exit 1"), score: shell("exit 1") }),
    SHAPE,
    PLAIN,
  );
  await assert.rejects(() => untrained.save(), /external: nothing to save before training/);
  assert.throws(
    () => untrained.load({ tensors: {} }),
    /not an external model of protocol uad-external\/1 \(found null\)/,
  );
  untrained.dispose();
});

Deno.test("external state: a damaged model file is refused at the first score", async () => {
  const m = new ExternalMethod(config({ train: program(TRAIN_OK), score: shell("exit 1") }), SHAPE, PLAIN);
  await m.train({ sampleShape: SHAPE, train: samples(2), validation: samples(1) }, context());
  const state = await m.save();
  m.dispose();
  const t = state.tensors["file:sub/w.bin"]!;
  const values = t.values.slice();
  values[10] = values[10]! + 1;
  const damaged: MethodState = { ...state, tensors: { "file:sub/w.bin": { shape: t.shape, values } } };
  const again = new ExternalMethod(config({ train: shell("exit 1"), score: shell("exit 1") }), SHAPE, PLAIN);
  again.load(damaged);
  const b = samples(1).batch([0]);
  await assert.rejects(() => again.score(b), /model file 'sub\/w\.bin' in the saved state is damaged/);
  tf.dispose([b.images, b.foreground]);
  again.dispose();
});

Deno.test("packBytes: every byte value and length survives float32, exactly", () => {
  const all = Uint8Array.from({ length: 256 * 3 + 2 }, (_, i) => (i * 131 + (i >> 8)) % 256);
  for (const n of [0, 1, 2, 3, 4, 5, all.length]) {
    const packed = packBytes(all.subarray(0, n));
    assert.equal(packed.length, Math.ceil(n / 3));
    assert.ok(packed.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 24));
    assert.deepEqual([...unpackBytes(packed, n)], [...all.subarray(0, n)]);
  }
  assert.deepEqual([...packBytes(new Uint8Array([255, 255, 255]))], [2 ** 24 - 1]);
});

Deno.test("identityFiles: the commands' arguments that are files, and `files`; a missing listed file is an error", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "m.py"), "");
    await Deno.writeTextFile(join(dir, "helper.py"), "");
    const files = externalIdentityFiles(config({
      train: ["python3", "m.py", "train"],
      score: ["python3", join(dir, "m.py"), "score"],
      cwd: dir,
      files: ["helper.py"],
    }));
    assert.deepEqual(files, [join(dir, "m.py"), join(dir, "helper.py")]);
    assert.throws(
      () => externalIdentityFiles(config({ train: ["x"], score: ["x"], cwd: dir, files: ["gone.py"] })),
      /external: files: '.*gone\.py' is not a file/,
    );
  });
});

Deno.test("showCommand quotes what a shell would", () => {
  assert.equal(showCommand(["python3", "a b.py", "it's", "--x=1"]), `python3 'a b.py' 'it'\\''s' --x=1`);
});

Deno.test("README's minimal program is examples/numpy_mean/numpy_mean.py, which the contract test runs", async () => {
  const readme = await Deno.readTextFile(new URL("./README.md", import.meta.url));
  const block = /### A minimal program[^]*?```python\n([^]*?)```/.exec(readme)?.[1];
  const file = await Deno.readTextFile(new URL("../../examples/numpy_mean/numpy_mean.py", import.meta.url));
  assert.equal(block, file);
});
