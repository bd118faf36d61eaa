/**
 * The Slurm executor against a real Slurm: a single-node cluster (munged, slurmctld, slurmd from Debian's
 * `slurm-wlm` and `munge`, started by local_cluster.sh) runs tiny grids through the command line. Skipped,
 * with the reason, where the packages are not installed or the cluster cannot start.
 */
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;
const clusterScript = `${root}bench/slurm/local_cluster.sh`;
const dec = new TextDecoder();

async function sh(cmd: string, args: string[], o: { cwd?: string; env?: Record<string, string> } = {}) {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", ...o }).output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const tinyPhantom = {
  id: "phantom2d",
  config: { size: 32, trainSubjects: 2, validationSubjects: 1, testSubjects: 2, slicesPerSubject: 3 },
};

/** A project folder for one bench (its own data cache, results and grid file). */
async function workDir(grid: Record<string, unknown>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "uad-slurm-test-" });
  await Deno.writeTextFile(
    `${dir}/${grid.name}.json`,
    JSON.stringify({ datasets: [tinyPhantom], backend: "cpu", seeds: [0], ...grid }),
  );
  return dir;
}

/** The leaderboard without the columns that time a run (train s, samples/s, peak MiB). */
function withoutTimings(md: string): string {
  let inTable = false;
  return md.split("\n").map((line) => {
    if (line.includes("| Train s | Score samples/s | Peak MiB |")) inTable = true;
    else if (!line.startsWith("|")) inTable = false;
    return inTable ? line.split("|").slice(0, -4).join("|") : line;
  }).join("\n");
}

/** The result files of a grid folder, by cell id, without timings. */
async function results(dir: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for await (const e of Deno.readDir(`${dir}/cells`)) {
    if (!/^[^.]+\.json$/.test(e.name)) continue;
    const { trainSeconds: _t, samplesPerSecond: _s, peakRssMiB: _p, ...row } = JSON.parse(
      await Deno.readTextFile(`${dir}/cells/${e.name}`),
    );
    out[e.name] = row;
  }
  return out;
}

interface Submission {
  jobs: { jobId: string; name: string; cells: string[]; after: string[] }[];
}

async function submissions(gridDir: string): Promise<Submission[]> {
  const out: Submission[] = [];
  for (const e of [...Deno.readDirSync(`${gridDir}/slurm`)].sort((a, b) => a.name.localeCompare(b.name))) {
    out.push(JSON.parse(await Deno.readTextFile(`${gridDir}/slurm/${e.name}/submission.json`)));
  }
  return out;
}

Deno.test("the Slurm executor on a single-node Slurm cluster", async (t) => {
  const cluster = await Deno.makeTempDir({ prefix: "uad-slurm-" });
  const started = await sh("bash", [clusterScript, "start", cluster]);
  if (started.code !== 0) {
    console.error(started.stderr);
    const why = started.code === 3
      ? `${started.stderr.trim().replace(/^local_cluster.sh: /, "")}; .ci/run installs them`
      : `the single-node cluster did not start: ${started.stderr.trim().split("\n")[0]}`;
    await t.step({ name: `skipped: ${why}`, ignore: true, fn: () => {} });
    await Deno.remove(cluster, { recursive: true });
    return;
  }
  const env = { SLURM_CONF: `${cluster}/slurm.conf` };
  const bench = (cwd: string, ...args: string[]) =>
    sh(Deno.execPath(), ["run", "-A", `${root}cli/main.ts`, "bench", ...args], { cwd, env });
  /** Waits until Slurm has none of `jobs` queued or running. */
  const drained = async (jobs: string[], what: string) => {
    for (const t0 = Date.now(); Date.now() - t0 < 300_000;) {
      const q = await sh("squeue", ["-h", "-r", "-j", jobs.join(","), "-o", "%i %T"], { env });
      if (q.code === 0 && q.stdout.trim() === "") return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${what}: jobs ${jobs} still queued after 5 minutes`);
  };

  try {
    await t.step("submitted job arrays give the leaderboard and the results of a local run", async () => {
      const grid = {
        name: "tiny",
        methods: [
          { id: "thresholding" },
          { id: "dae", config: { widths: [4, 8], steps: 20, batchSize: 2 } },
          // One shared model: restoration waits for the VAE cell's task, which trains it.
          { id: "vae", config: { widths: [4, 8], latentDim: 8, steps: 10, batchSize: 2 } },
          {
            id: "vae-restoration",
            config: { widths: [4, 8], latentDim: 8, steps: 10, batchSize: 2, iterations: 3 },
          },
        ],
        noises: [{ id: "gaussian" }],
      };
      const [local, remote] = [await workDir(grid), await workDir(grid)];
      const [localRun, submitted] = await Promise.all([
        bench(local, "--grid", "tiny.json", "--out", "results"),
        bench(
          remote,
          "--grid",
          "tiny.json",
          "--out",
          "results",
          "--executor",
          "slurm",
          "--slurm-time",
          "20",
          "--slurm-extra",
          "--comment 'uad test'",
        ),
      ]);
      assert.equal(localRun.code, 0, localRun.stderr);
      assert.equal(submitted.code, 0, submitted.stderr);
      const jobs = submitted.stdout.trim().split("\n");
      assert.equal(jobs.length, 2, submitted.stderr);
      assert.match(submitted.stderr, /4 cells: 0 finished, 0 running, 0 queued, 0 failed; 4 to submit/);
      const [record] = await submissions(`${remote}/results/tiny`);
      assert.deepEqual(record!.jobs.map((j) => [j.jobId, j.cells.length, j.after]), [
        [jobs[0], 3, []],
        [jobs[1], 1, [`${jobs[0]}_2`]],
      ]);
      await drained(jobs, "tiny grid");
      const job = await sh("scontrol", ["-o", "show", "job", jobs[0]!], { env });
      assert.match(
        job.stdout,
        /TimeLimit=00:20:00 .*Comment=uad test /,
        "--slurm-time and --slurm-extra reach sbatch",
      );
      const report = await bench(remote, "--grid", "results/tiny", "--report");
      assert.equal(report.code, 0, report.stderr);
      assert.match(report.stderr, /results\/tiny: 4 cells: 4 finished/);
      const a = await Deno.readTextFile(`${local}/results/tiny/leaderboard.md`);
      const b = await Deno.readTextFile(`${remote}/results/tiny/leaderboard.md`);
      assert.match(b, /4 of 4 cells finished\./);
      assert.equal(withoutTimings(b), withoutTimings(a));
      assert.deepEqual(await results(`${remote}/results/tiny`), await results(`${local}/results/tiny`));
      // The restoration cell reused the model its VAE cell trained (no training steps of its own).
      const restoration = record!.jobs[1]!.cells[0]!;
      const metrics = JSON.parse(
        await Deno.readTextFile(`${remote}/results/tiny/runs/${restoration}/metrics.json`),
      );
      assert.equal(metrics.training.steps, 0);
      await Deno.remove(local, { recursive: true });
      await Deno.remove(remote, { recursive: true });
    });

    await t.step(
      "a cancelled task shows as failed with its task id; a resubmission runs only that cell",
      async () => {
        const dir = await workDir({
          name: "cancel",
          methods: [{ id: "thresholding" }, {
            id: "dae",
            config: { widths: [4, 8], steps: 300, batchSize: 2 },
          }],
          noises: [{ id: "gaussian" }],
        });
        const gridDir = `${dir}/results/cancel`;
        const first = await bench(dir, "--grid", "cancel.json", "--out", "results", "--executor", "slurm");
        assert.equal(first.code, 0, first.stderr);
        const job = first.stdout.trim();
        const [record] = await submissions(gridDir);
        const [thresholding, dae] = record!.jobs[0]!.cells;
        // Cancel the DAE's task once it trains (its log shows the first step).
        const log = `${gridDir}/slurm/${
          [...Deno.readDirSync(`${gridDir}/slurm`)][0]!.name
        }/logs/cpu_${job}_1.log`;
        for (const t0 = Date.now(); !/train \d+\/300/.test(await Deno.readTextFile(log).catch(() => ""));) {
          assert.ok(Date.now() - t0 < 120_000, "the DAE cell did not start training within 2 minutes");
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal((await sh("scancel", [`${job}_1`], { env })).code, 0);
        await drained([job], "cancel grid");
        assert.equal(
          JSON.parse(await Deno.readTextFile(`${gridDir}/runs/${dae}/run.json`)).status,
          "interrupted",
          "scancel's SIGTERM interrupts the cell with a checkpoint",
        );
        const report = await bench(dir, "--grid", "results/cancel", "--report");
        assert.equal(report.code, 0, report.stderr);
        assert.match(report.stdout, /1 of 2 cells finished, 1 failed\./);
        assert.match(report.stdout, new RegExp(`Slurm task ${job}_1 ended without a result \\(CANCELLED`));
        assert.match(
          report.stderr,
          new RegExp(`FAILED +dae \\| gaussian \\| phantom2d \\| seed 0 +${dae} +task ${job}_1`),
        );
        assert.match(report.stderr, /\| .*CANCELLED AT/, "the tail of the task's log");
        // A resubmission takes only the cancelled cell (dry run), and --retry-failed submits it.
        const dry = await bench(dir, "--grid", "results/cancel", "--executor", "slurm", "--dry-run");
        assert.equal(dry.code, 0, dry.stderr);
        assert.match(dry.stderr, /1 finished, 0 running, 0 queued, 1 failed; 1 to submit/);
        assert.ok(dry.stdout.includes(dae!) && !dry.stdout.includes(thresholding!), dry.stdout);
        const retry = await bench(dir, "--grid", "results/cancel", "--executor", "slurm", "--retry-failed");
        assert.equal(retry.code, 0, retry.stderr);
        const second = (await submissions(gridDir))[1]!;
        assert.deepEqual(second.jobs.map((j) => [j.jobId, j.cells]), [[retry.stdout.trim(), [dae]]]);
        await drained([retry.stdout.trim()], "resubmission");
        const final = await bench(dir, "--grid", "results/cancel", "--report");
        assert.equal(final.code, 0, final.stderr);
        assert.match(final.stdout, /2 of 2 cells finished\./);
        const run = JSON.parse(await Deno.readTextFile(`${gridDir}/runs/${dae}/run.json`));
        assert.equal(run.status, "complete");
        assert.equal(run.resumedFrom, "interrupted", "the resubmitted cell continued from its checkpoint");
        await Deno.remove(dir, { recursive: true });
      },
    );
  } finally {
    const stopped = await sh("bash", [clusterScript, "stop", cluster]);
    assert.equal(stopped.code, 0, stopped.stderr);
    await Deno.remove(cluster, { recursive: true }).catch(() => {});
  }
});
