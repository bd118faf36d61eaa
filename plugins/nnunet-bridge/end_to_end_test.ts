/**
 * The nnU-Net bridge end to end: export → nnUNetv2_plan_and_preprocess → nnUNetv2_train → nnUNetv2_predict
 * → read-back, through the real nnU-Net where its programs are on PATH, else through the stand-in
 * (`standin/`), which honours the same arguments and folders and writes real outputs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { InMemorySamples, parseConfig, Rng, silentProgress, tf, type TrainContext } from "../../core/mod.ts";
import { findOnPath, NNUNET_PROGRAMS } from "./commands.ts";
import { nnunetSchema } from "./config.ts";
import { NnUnetBridge } from "./nnunet.ts";
import { installStandIn } from "./standin/install.ts";

const REAL = NNUNET_PROGRAMS.every((p) => findOnPath(p));
const TOOL = REAL ? "nnU-Net" : "the stand-in";

/**
 * Samples of `shape` ([H, W, C] or [D, H, W, C]) over a smooth background, each with a bright square lesion
 * at its own place (so that a mix-up of cases shows), foreground everywhere but a one-voxel border.
 */
function lesionSamples(shape: number[], n: number, seed: number): InMemorySamples {
  const rng = new Rng(seed);
  const spatial = shape.slice(0, -1), ch = shape.at(-1)!;
  const voxels = spatial.reduce((a, b) => a * b, 1);
  const img = new Float32Array(n * voxels * ch),
    fg = new Float32Array(n * voxels),
    lab = new Float32Array(n * voxels);
  for (let s = 0; s < n; s++) {
    const corner = spatial.map((size) => 1 + ((s * 3) % (size - 5))); // a 3-voxel cube or square inside
    for (let v = 0; v < voxels; v++) {
      const idx: number[] = [];
      for (let a = spatial.length - 1, rem = v; a >= 0; a--) {
        idx[a] = rem % spatial[a]!;
        rem = Math.floor(rem / spatial[a]!);
      }
      const inside = idx.every((x, a) => x > 0 && x < spatial[a]! - 1);
      const lesion = idx.every((x, a) => x >= corner[a]! && x < corner[a]! + 3);
      fg[s * voxels + v] = inside ? 1 : 0;
      lab[s * voxels + v] = lesion ? 1 : 0;
      for (let c = 0; c < ch; c++) {
        const base = 0.3 + 0.1 * Math.sin(idx[0]! + c) + 0.02 * rng.normal();
        img[(s * voxels + v) * ch + c] = lesion ? 0.9 + 0.02 * rng.normal() : base;
      }
    }
  }
  return new InMemorySamples(shape, img, fg, lab);
}

const context = (): TrainContext => ({
  backend: "cpu",
  seed: 0,
  rng: new Rng(0),
  progress: silentProgress,
  checkpoint: async () => {},
});

async function bridgeIn(work: string, dims: 2 | 3, extra: Record<string, unknown> = {}) {
  const bin = REAL ? {} : { bin: await installStandIn(join(work, "bin")) };
  const cfg = parseConfig(nnunetSchema, {
    workDir: join(work, "nnunet"),
    trainer: "nnUNetTrainer_1epoch",
    device: "cpu",
    processes: 1,
    ...bin,
    ...extra,
  }, "nnunet");
  const shape = dims === 2 ? [16, 16, 2] : [12, 12, 12, 1];
  return { cfg, shape, bridge: new NnUnetBridge(cfg, shape, 0) };
}

for (const dims of [2, 3] as const) {
  Deno.test(`nnunet end to end through ${TOOL} (${dims}D): export, plan, train, predict, read back`, async () => {
    const work = await Deno.makeTempDir({ prefix: "nnunet_e2e_" });
    try {
      const { cfg, shape, bridge } = await bridgeIn(work, dims);
      const labelled = lesionSamples(shape, 6, 1);
      const healthy = lesionSamples(shape, 2, 2);
      const summary = await bridge.train({
        sampleShape: shape,
        train: healthy,
        validation: healthy,
        labelled,
      }, context());
      assert.deepEqual(summary, { steps: 0 });

      // What nnU-Net read and wrote, where the bridge pointed it.
      const configuration = dims === 2 ? "2d" : "3d_fullres";
      const w = cfg.workDir!;
      const raw = JSON.parse(await Deno.readTextFile(`${w}/nnUNet_raw/Dataset901_Anomaly/dataset.json`));
      assert.equal(raw.numTraining, 6);
      assert.deepEqual(Object.keys(raw.channel_names), dims === 2 ? ["0", "1"] : ["0"]);
      const plans = JSON.parse(
        await Deno.readTextFile(`${w}/nnUNet_preprocessed/Dataset901_Anomaly/nnUNetPlans.json`),
      );
      assert.ok(plans.configurations[configuration], `plans lack ${configuration}`);
      const model =
        `${w}/nnUNet_results/Dataset901_Anomaly/nnUNetTrainer_1epoch__nnUNetPlans__${configuration}`;
      assert.ok((await Deno.stat(`${model}/fold_all/checkpoint_final.pth`)).isFile);

      const test = lesionSamples(shape, 3, 3);
      const batch = test.batch([0, 1, 2]);
      const scores = await bridge.score(batch);
      assert.deepEqual(scores.shape, [3, ...shape.slice(0, -1)]);
      const p = await scores.data(), fg = await batch.foreground.data(), lab = await batch.labels!.data();
      p.forEach((x, i) => {
        assert.ok(x >= 0 && x <= 1, `probability ${x} at ${i}`);
        if (!fg[i]) assert.equal(x, 0, `score outside the foreground at ${i}`);
      });
      if (!REAL) {
        // The stand-in separates the bright lesions: each sample's lesion, and only it, above 0.5 — so the
        // cases came back in order and in the voxel order they went out.
        const per = p.length / 3;
        for (let s = 0; s < 3; s++) {
          const hot = [...p.slice(s * per, (s + 1) * per)].flatMap((x, v) => (x > 0.5 ? [v] : []));
          const truth = [...lab.slice(s * per, (s + 1) * per)].flatMap((x, v) => (x ? [v] : []));
          assert.deepEqual(hot, truth, `sample ${s}`);
        }
      }
      // The state points at the trained model: a fresh bridge scores the same.
      const again = new NnUnetBridge(cfg, shape, 1);
      again.load(await bridge.save());
      const rescored = await again.score(batch);
      assert.deepEqual([...(await rescored.data())], [...p]);
      // Prediction folders are temporary.
      const left = [...Deno.readDirSync(w)].map((e) => e.name).sort();
      assert.deepEqual(left, ["nnUNet_preprocessed", "nnUNet_raw", "nnUNet_results", "nnunet.log"]);
      const log = await Deno.readTextFile(`${w}/nnunet.log`);
      for (const p of NNUNET_PROGRAMS) assert.match(log, new RegExp(`==== \\S+ nnunet: \\S*${p} `));
      tf.dispose([scores, rescored, batch.images, batch.foreground, batch.labels]);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  });
}

Deno.test(`nnunet through ${TOOL}: retraining on fewer cases leaves none of the earlier ones`, async () => {
  const work = await Deno.makeTempDir({ prefix: "nnunet_e2e_" });
  try {
    const { cfg, shape, bridge } = await bridgeIn(work, 2);
    const healthy = lesionSamples(shape, 2, 2);
    for (const n of [5, 3]) {
      await bridge.train({
        sampleShape: shape,
        train: healthy,
        validation: healthy,
        labelled: lesionSamples(shape, n, n),
      }, context());
    }
    const ds = `${cfg.workDir}/nnUNet_raw/Dataset901_Anomaly`;
    assert.equal([...Deno.readDirSync(`${ds}/labelsTr`)].length, 3);
    assert.equal(JSON.parse(await Deno.readTextFile(`${ds}/dataset.json`)).numTraining, 3);
    const pre = `${cfg.workDir}/nnUNet_preprocessed/Dataset901_Anomaly/nnUNetPlans_2d`;
    if (!REAL) assert.equal([...Deno.readDirSync(pre)].length, 3);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test(`nnunet through ${TOOL}: a failing command fails training with its command line, exit code and output`, async () => {
  const work = await Deno.makeTempDir({ prefix: "nnunet_e2e_" });
  try {
    const { shape, bridge } = await bridgeIn(work, 2, { trainer: "NoSuchTrainer" });
    const s = lesionSamples(shape, 3, 1);
    await assert.rejects(
      () => bridge.train({ sampleShape: shape, train: s, validation: s, labelled: s }, context()),
      /nnunet: `\S*nnUNetv2_train 901 2d all -tr NoSuchTrainer -device cpu` exited with code 1 \(log: \S+\/nnunet\.log\); its last output:\n[^]*NoSuchTrainer/,
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("nnunet bridge: missing labels, no model, a program that cannot start, a state without a folder", async () => {
  const work = await Deno.makeTempDir({ prefix: "nnunet_e2e_" });
  try {
    const s = lesionSamples([16, 16, 1], 2, 1);
    const cfg = parseConfig(
      nnunetSchema,
      { bin: `${work}/bin`, workDir: `${work}/w`, device: "cpu" },
      "nnunet",
    );
    const bridge = new NnUnetBridge(cfg, [16, 16, 1], 0);
    await assert.rejects(
      () => bridge.train({ sampleShape: [16, 16, 1], train: s, validation: s }, context()),
      new RegExp(`nnU-Net is not installed: .* not found in ${work}/bin\\.`),
    );
    // Programs that exist but cannot be executed (a missing interpreter).
    await Deno.mkdir(`${work}/bin`);
    for (const p of NNUNET_PROGRAMS) {
      await Deno.writeTextFile(`${work}/bin/${p}`, "#!/no/such/sh\n", { mode: 0o755 });
    }
    await assert.rejects(
      () => bridge.train({ sampleShape: [16, 16, 1], train: s, validation: s }, context()),
      /nnunet: supervised training needs labelled samples/,
    );
    await assert.rejects(
      () => bridge.train({ sampleShape: [16, 16, 1], train: s, validation: s, labelled: s }, context()),
      new RegExp(`nnunet: cannot start \`${work}/bin/nnUNetv2_plan_and_preprocess -d 901 `),
    );
    const fresh = new NnUnetBridge(
      parseConfig(nnunetSchema, { bin: `${work}/bin` }, "nnunet"),
      [16, 16, 1],
      0,
    );
    const b = s.batch([0]);
    await assert.rejects(() => fresh.score(b), /nnunet: not trained \(no work folder\)/);
    await assert.rejects(() => fresh.save(), /nnunet: not trained/);
    assert.throws(() => fresh.load({ tensors: {} }), /nnunet: saved state has no workDir/);
    fresh.dispose();
    tf.dispose([b.images, b.foreground, b.labels]);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test(`nnunet through ${TOOL}: without a work folder, a new temporary one that the state names`, async () => {
  const work = await Deno.makeTempDir({ prefix: "nnunet_e2e_" });
  let dir: string | undefined;
  try {
    const { shape, bridge } = await bridgeIn(work, 2, { workDir: undefined });
    const s = lesionSamples(shape, 3, 1);
    await bridge.train({ sampleShape: shape, train: s, validation: s, labelled: s }, context());
    dir = (await bridge.save()).meta?.workDir as string;
    assert.match(dir, /\/nnunet-[^/]+$/);
    assert.ok((await Deno.stat(`${dir}/nnUNet_results`)).isDirectory);
  } finally {
    await Deno.remove(work, { recursive: true });
    if (dir) await Deno.remove(dir, { recursive: true });
  }
});
