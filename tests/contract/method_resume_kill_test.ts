/**
 * Resume across processes: a DAE training killed with SIGKILL after some checkpoints and resumed by a fresh
 * process from the last checkpoint file ends with the weights of an uninterrupted run, bit for bit (cpu).
 */
import assert from "node:assert/strict";
import { readState } from "../../runner/state_file.ts";
import { WORKER_STEPS } from "./testdata/dae_resume_worker.ts";

const worker = new URL("./testdata/dae_resume_worker.ts", import.meta.url).pathname;

function start(dir: string, ...args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", worker, dir, ...args],
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

async function finish(child: Deno.ChildProcess, what: string): Promise<void> {
  const { success, stderr } = await child.output();
  assert.ok(success, `${what} failed: ${new TextDecoder().decode(stderr)}`);
}

/** The step of the checkpoint file, or 0 while there is none. */
async function checkpointStep(dir: string): Promise<number> {
  try {
    return ((await readState(`${dir}/checkpoint.state`)).meta?.checkpoint as { step: number }).step;
  } catch {
    return 0;
  }
}

Deno.test("a DAE training killed with SIGKILL and resumed in a new process ends bit-identical", async () => {
  const straight = await Deno.makeTempDir({ prefix: "resume-straight-" });
  const killed = await Deno.makeTempDir({ prefix: "resume-killed-" });
  try {
    await finish(start(straight), "the uninterrupted training");
    const child = start(killed);
    let step = 0;
    while ((step = await checkpointStep(killed)) < 10) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    await child.output();
    step = await checkpointStep(killed);
    assert.ok(step >= 10 && step < WORKER_STEPS - 1, `killed after step ${step}: not in the middle`);
    await assert.rejects(Deno.stat(`${killed}/final.state`), "the killed training finished");
    await finish(start(killed, "--resume"), "the resumed training");
    const summary = JSON.parse(await Deno.readTextFile(`${killed}/summary.json`));
    assert.equal(summary.resumedFrom, step, "the new process did not continue from the checkpoint");
    assert.equal(summary.steps, WORKER_STEPS);
    const uninterrupted = JSON.parse(await Deno.readTextFile(`${straight}/summary.json`));
    assert.equal(summary.finalLoss, uninterrupted.finalLoss);
    assert.equal(summary.bestStep, uninterrupted.bestStep);
    const [a, b] = await Promise.all([
      readState(`${straight}/final.state`),
      readState(`${killed}/final.state`),
    ]);
    for (const [name, t] of Object.entries(a.tensors)) {
      const same = t.values.every((x, i) => Object.is(x, b.tensors[name]!.values[i]));
      assert.ok(same, `'${name}' differs after resuming from step ${step}`);
    }
  } finally {
    await Deno.remove(straight, { recursive: true });
    await Deno.remove(killed, { recursive: true });
  }
});
