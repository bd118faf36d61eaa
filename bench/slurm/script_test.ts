import assert from "node:assert/strict";
import type { PlannedCell } from "../plan.ts";
import { sbatchScript, splitExtra } from "./script.ts";

const cell = (id: string, label: string) => ({ cellId: id, label }) as unknown as PlannedCell;

Deno.test("--slurm-extra: one sbatch option per line, values kept together and quoted for #SBATCH", () => {
  assert.deepEqual(splitExtra(`--account=lab1 --qos high -C "a100|h100" --comment='two words'`), [
    "--account=lab1",
    "--qos high",
    "-C 'a100|h100'",
    "--comment='two words'",
  ]);
  assert.throws(() => splitExtra("high --qos"), /'high' is not an sbatch option/);
  assert.throws(() => splitExtra("--comment='x"), /unbalanced '/);
});

Deno.test("array task i of the script runs cell i with the grid folder as a local run names it", async () => {
  const dir = await Deno.makeTempDir();
  // A stand-in for deno that prints its arguments.
  await Deno.writeTextFile(`${dir}/deno`, '#!/bin/sh\nprintf "%s\\n" "$@"\n');
  await Deno.chmod(`${dir}/deno`, 0o755);
  const script = sbatchScript({
    jobName: "uad-g-gpu",
    options: ["--partition=gpu", "--gres=gpu:1", "--comment='two words'"],
    cells: [cell("aaaa", "DAE | coarse | brats | seed 0"), cell("bbbb", "DAE | coarse | brats | seed 1")],
    log: `${dir}/logs dir/gpu_%A_%a.log`,
    workDir: dir,
    deno: `${dir}/deno`,
    main: "/checkout/cli/main.ts",
    gridDir: "results/g",
    header: "test",
  });
  const lines = script.split("\n");
  assert.ok(lines.includes("#SBATCH --array=0-1"), script);
  assert.ok(lines.includes(`#SBATCH --output='${dir}/logs dir/gpu_%A_%a.log'`), script);
  assert.ok(lines.includes("#SBATCH --gres=gpu:1") && lines.includes("#SBATCH --comment='two words'"));
  // sbatch reads #SBATCH lines only before the first command.
  const firstCommand = lines.findIndex((l) => l && !l.startsWith("#"));
  assert.ok(lines.findLastIndex((l) => l.startsWith("#SBATCH")) < firstCommand);
  const out = await new Deno.Command("bash", {
    args: ["-c", script],
    env: { SLURM_ARRAY_JOB_ID: "7", SLURM_ARRAY_TASK_ID: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  assert.equal(out.code, 0, dec.decode(out.stderr));
  assert.equal(
    dec.decode(out.stdout).split("\n").slice(1).join(" ").trim(),
    "run -A /checkout/cli/main.ts bench --grid results/g --cell bbbb",
  );
  assert.match(dec.decode(out.stdout), /^cell bbbb: task 7_1 on /);
});
