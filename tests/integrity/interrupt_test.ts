/**
 * SIGINT/SIGTERM as a user sends them: a training run stops at the next step and says "interrupted" with
 * the command that resumes it; a bench writes the leaderboards of its finished cells before it exits, and
 * its next run continues the interrupted cell instead of starting it over.
 */
import assert from "node:assert/strict";

const main = new URL("../../cli/main.ts", import.meta.url).pathname;

/** Starts the CLI, sends `signal` once stderr matches `when`, and returns exit code and output. */
async function interrupt(args: string[], when: RegExp, signal: Deno.Signal = "SIGINT") {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const dec = new TextDecoder();
  let stderr = "";
  let sent = false;
  const stdout = new Response(child.stdout).text();
  for await (const chunk of child.stderr) {
    stderr += dec.decode(chunk, { stream: true });
    if (!sent && when.test(stderr)) {
      sent = true;
      child.kill(signal);
    }
  }
  const { code } = await child.status;
  return { code, stderr, stdout: await stdout, sent };
}

const tinyData = [
  "size=32",
  "trainSubjects=2",
  "validationSubjects=1",
  "testSubjects=2",
  "slicesPerSubject=3",
]
  .flatMap((s) => ["--dataset-set", s]);

Deno.test("train: SIGINT and SIGTERM stop at the next step; the run says 'interrupted' and how to resume", async () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const runs = await Deno.makeTempDir();
    const r = await interrupt(
      [
        "train",
        "--backend",
        "cpu",
        "--noise",
        "gaussian",
        "--runs-dir",
        runs,
        ...tinyData,
        "--set",
        "steps=100000",
      ],
      /^data: /m,
      signal,
    );
    assert.ok(r.sent, r.stderr);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted; resume with: deno task train --resume /);
    const [id] = [...Deno.readDirSync(runs)].map((e) => e.name);
    const record = JSON.parse(await Deno.readTextFile(`${runs}/${id}/run.json`));
    assert.equal(record.status, "interrupted");
    assert.equal(record.resume, `deno task train --resume ${runs}/${id}`);
  }
});

Deno.test("bench: SIGINT writes the finished cells' leaderboards; the next run continues the interrupted cell", async () => {
  const out = await Deno.makeTempDir();
  const grid = {
    name: "stop",
    datasets: [{
      id: "phantom2d",
      config: { size: 32, trainSubjects: 2, validationSubjects: 1, testSubjects: 2, slicesPerSubject: 3 },
    }],
    methods: [{ id: "thresholding" }, { id: "dae", config: { widths: [4, 8], steps: 100000, batchSize: 2 } }],
    noises: [{ id: "gaussian" }],
    seeds: [0],
    backend: "cpu",
  };
  await Deno.writeTextFile(`${out}/stop.json`, JSON.stringify(grid));
  const args = ["bench", "--grid", `${out}/stop.json`, "--out", out, "--jobs", "1"];
  const r = await interrupt(args, /dae \| gaussian \| phantom2d \| seed 0: train \d+\/100000/);
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /interrupted: 1\/2 cells finished; run the same command again to resume/);
  const md = await Deno.readTextFile(`${out}/stop/leaderboard.md`);
  assert.match(md, /1 of 2 cells finished, 1 not run yet/);
  assert.match(md, /\| thresholding \| - \| [0-9.]+ ± /);
  const cells = [...Deno.readDirSync(`${out}/stop/runs`)].map((e) => e.name);
  const records = await Promise.all(
    cells.map(async (c) => JSON.parse(await Deno.readTextFile(`${out}/stop/runs/${c}/run.json`))),
  );
  const dae = records.find((x) => x.spec.method === "dae");
  assert.equal(dae.status, "interrupted");
  assert.ok(![...Deno.readDirSync(`${out}/stop/cells`)].some((e) => e.name.endsWith(".failed.json")));
  // The next run takes the interrupted cell up again (and only it).
  const again = await interrupt(args, /dae \| gaussian \| phantom2d \| seed 0: train \d+\/100000/);
  assert.match(again.stderr, /2 cells, 1 already finished, 1 to run/);
  const resumed = JSON.parse(await Deno.readTextFile(`${out}/stop/runs/${dae.runId}/run.json`));
  assert.equal(resumed.resumedFrom, "interrupted");
});

Deno.test("train: killed with SIGKILL mid-training, --resume ends with the uninterrupted run's weights bit for bit", async () => {
  const runs = await Deno.makeTempDir();
  const spec = [
    "--backend",
    "cpu",
    "--noise",
    "coarse",
    ...tinyData,
    "--set",
    "widths=[4,8]",
    "--set",
    "batchSize=2",
  ]
    .concat(["--set", "steps=120", "--set", "validateEvery=20", "--set", "keepBest=true"]);
  const train = (...extra: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", main, "train", ...spec, ...extra],
      stdout: "null",
      stderr: "piped",
    });
  const full = await train("--runs-dir", `${runs}/full`).output();
  assert.ok(full.success, new TextDecoder().decode(full.stderr));
  const killed = train("--runs-dir", `${runs}/killed`, "--checkpoint-seconds", "0").spawn();
  // Kill without warning once a checkpoint exists (training is then somewhere past its first step).
  const checkpoint = async () => {
    for (const e of await Array.fromAsync(Deno.readDir(`${runs}/killed`)).catch(() => [])) {
      const path = `${runs}/killed/${e.name}/checkpoint.state`;
      if (await Deno.stat(path).then(() => true, () => false)) return `${runs}/killed/${e.name}`;
    }
  };
  let dir: string | undefined;
  for (const deadline = Date.now() + 60_000; !dir && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 20));
    dir = await checkpoint();
  }
  killed.kill("SIGKILL");
  await killed.stderr.cancel();
  assert.equal((await killed.status).signal, "SIGKILL");
  assert.ok(dir, "no checkpoint appeared within 60 s");
  assert.equal(
    JSON.parse(await Deno.readTextFile(`${dir}/run.json`)).status,
    "running",
    "killed: no last word",
  );
  const resumed = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "train", "--resume", dir],
    stdout: "null",
    stderr: "piped",
  }).output();
  const log = new TextDecoder().decode(resumed.stderr);
  assert.ok(resumed.success, log);
  assert.match(log, /resuming training from .*checkpoint\.state/);
  const [fullId] = [...Deno.readDirSync(`${runs}/full`)].map((e) => e.name);
  const a = await Deno.readFile(`${runs}/full/${fullId}/model.state`);
  const b = await Deno.readFile(`${dir}/model.state`);
  assert.ok(
    a.length === b.length && a.every((x, i) => x === b[i]),
    "model.state differs from the uninterrupted run's",
  );
  const metrics = (d: string) => JSON.parse(Deno.readTextFileSync(`${d}/metrics.json`));
  assert.deepEqual(metrics(dir).metrics, metrics(`${runs}/full/${fullId}`).metrics);
});

Deno.test("bench: killed with SIGKILL mid-cell, the next run resumes it and gets the uninterrupted run's metrics", async () => {
  const out = await Deno.makeTempDir();
  const grid = {
    name: "killed",
    datasets: [{
      id: "phantom2d",
      config: { size: 32, trainSubjects: 2, validationSubjects: 1, testSubjects: 2, slicesPerSubject: 3 },
    }],
    methods: [{
      id: "dae",
      config: { widths: [4, 8], steps: 150, batchSize: 2, validateEvery: 25, keepBest: true },
    }],
    noises: [{ id: "gaussian" }],
    seeds: [0],
    backend: "cpu",
  };
  await Deno.writeTextFile(`${out}/killed.json`, JSON.stringify(grid));
  const bench = (dir: string, ...extra: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        main,
        "bench",
        "--grid",
        `${out}/killed.json`,
        "--out",
        dir,
        "--jobs",
        "1",
        ...extra,
      ],
      stdout: "null",
      stderr: "piped",
    });
  const straight = await bench(`${out}/straight`).output();
  assert.ok(straight.success, new TextDecoder().decode(straight.stderr));
  const killed = bench(`${out}/killed`, "--checkpoint-seconds", "0").spawn();
  const runs = `${out}/killed/killed/runs`;
  let checkpointed = false;
  for (const deadline = Date.now() + 60_000; !checkpointed && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 20));
    for (const e of await Array.fromAsync(Deno.readDir(runs)).catch(() => [])) {
      checkpointed ||= await Deno.stat(`${runs}/${e.name}/checkpoint.state`).then(() => true, () => false);
    }
  }
  killed.kill("SIGKILL");
  await killed.stderr.cancel();
  assert.ok(checkpointed, "no checkpoint within 60 s");
  // The cell's lock and its "running" record belong to a dead process: the next run takes both over.
  const again = await bench(`${out}/killed`).output();
  const log = new TextDecoder().decode(again.stderr);
  assert.ok(again.success, log);
  assert.match(log, /1 cells, 0 already finished, 1 to run/);
  const cell = (dir: string) => {
    const cells = `${dir}/killed/cells`;
    const [name] = [...Deno.readDirSync(cells)].map((e) => e.name).filter((n) => /^[^.]+\.json$/.test(n));
    return JSON.parse(Deno.readTextFileSync(`${cells}/${name}`));
  };
  const [a, b] = [cell(`${out}/straight`), cell(`${out}/killed`)];
  assert.equal(a.cellId, b.cellId);
  assert.deepEqual(b.metrics, a.metrics, "the resumed cell's metrics equal the uninterrupted one's");
  const record = JSON.parse(Deno.readTextFileSync(`${runs}/${b.cellId}/run.json`));
  assert.equal(record.resumedFrom, "running", "it continued the killed attempt");
});
