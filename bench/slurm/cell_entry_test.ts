/**
 * `bench --grid DIR --cell ID`, what a Slurm array task runs, without Slurm: it reruns a cell into the
 * same result row as the local bench, runs a finished cell no more, refuses a cell another host holds, and
 * refuses a cell whose id this checkout no longer gives (with what changed).
 */
import assert from "node:assert/strict";

const main = new URL("../../cli/main.ts", import.meta.url).pathname;

async function bench(cwd: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "bench", ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function withoutTimings(path: string) {
  const { trainSeconds: _t, samplesPerSecond: _s, peakRssMiB: _p, ...row } = JSON.parse(
    Deno.readTextFileSync(path),
  );
  return row;
}

Deno.test("--cell: reruns a cell like the bench, not twice, not under another's lock, not with other code", async () => {
  const cwd = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${cwd}/g.json`,
    JSON.stringify({
      name: "g",
      backend: "cpu",
      seeds: [0],
      datasets: [{
        id: "phantom2d",
        config: { size: 32, trainSubjects: 1, validationSubjects: 1, testSubjects: 2 },
      }],
      methods: [{ id: "thresholding" }],
    }),
  );
  const local = await bench(cwd, "--grid", "g.json", "--out", "results");
  assert.equal(local.code, 0, local.stderr);
  const record = JSON.parse(await Deno.readTextFile(`${cwd}/results/g/grid.json`));
  const id: string = record.cells[0].cellId;
  const result = `${cwd}/results/g/cells/${id}.json`;
  const row = withoutTimings(result);

  await Deno.remove(result);
  await Deno.remove(`${cwd}/results/g/runs/${id}`, { recursive: true });
  const rerun = await bench(cwd, "--grid", "results/g", "--cell", id);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.deepEqual(withoutTimings(result), row, "the same row as the local bench, timings aside");

  const again = await bench(cwd, "--grid", "results/g", "--cell", id);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /already finished/);

  await Deno.remove(result);
  const lock = `${cwd}/results/g/cells/${id}.lock`;
  await Deno.writeTextFile(
    lock,
    JSON.stringify({ pid: 1, host: "node-elsewhere", started: "2026-01-01T00:00:00Z" }),
  );
  const locked = await bench(cwd, "--grid", "results/g", "--cell", id);
  assert.equal(locked.code, 1, locked.stderr);
  assert.match(locked.stderr, /being run by process 1 on node-elsewhere .*not run twice/);
  assert.ok(await Deno.stat(lock), "another host's lock is left alone");
  await Deno.remove(lock);

  // A cell planned by other code (as after a checkout change between submission and run).
  const other = {
    ...record.cells[0],
    cellId: "0123456789abcdef",
    identity: { ...record.cells[0].identity, code: "0000" },
  };
  await Deno.writeTextFile(`${cwd}/results/g/grid.json`, JSON.stringify({ ...record, cells: [other] }));
  const changed = await bench(cwd, "--grid", "results/g", "--cell", other.cellId);
  assert.equal(changed.code, 1, changed.stderr);
  assert.match(
    changed.stderr,
    /planned with other code, data or backend than this checkout has \(code "0000" → "[0-9a-f]{16}"\)/,
  );
  assert.equal(await Deno.stat(result).catch(() => null), null, "nothing ran");

  const unknown = await bench(cwd, "--grid", "results/g", "--cell", "feedfacefeedface");
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /cell feedfacefeedface is not in results\/g\/grid.json/);
  await Deno.remove(cwd, { recursive: true });
});
