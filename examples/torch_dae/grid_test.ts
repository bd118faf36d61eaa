/**
 * Runs the example grid (examples/torch_dae/grid.json) through `deno task bench` at tiny sizes: the
 * TypeScript DAE and the PyTorch DAE (external-noise) must both finish and both appear in the leaderboard
 * with the paired comparison. Needs python3 with torch and numpy (skipped, saying so, without).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { findPython } from "../python.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const python = await findPython(["torch", "numpy"]);

Deno.test({
  name: `example grid: TypeScript DAE beside the PyTorch DAE${
    python ? "" : ": skipped, needs python3 with torch"
  }`,
  ignore: !python,
}, async () => {
  const grid = JSON.parse(await Deno.readTextFile(`${ROOT}examples/torch_dae/grid.json`));
  const [dae, torch] = grid.methods;
  assert.equal(dae.id, "dae");
  assert.equal(torch.id, "external-noise");
  // Tiny: 16×16 slices, a handful of subjects, three steps; the interpreter found here.
  grid.datasets[0].config = {
    size: 16,
    slicesPerSubject: 4,
    trainSubjects: 4,
    validationSubjects: 1,
    testSubjects: 3,
  };
  grid.seeds = [0];
  dae.config = { steps: 3, batchSize: 4 };
  torch.config.params = { ...torch.config.params, steps: 3, batchSize: 4 };
  torch.config.train[0] = torch.config.score[0] = python;
  torch.config.cwd = ROOT;
  const dir = await Deno.makeTempDir({ prefix: "example_grid_" });
  try {
    await Deno.writeTextFile(`${dir}/grid.json`, JSON.stringify(grid));
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${ROOT}cli/main.ts`,
        "bench",
        "--grid",
        `${dir}/grid.json`,
        "--out",
        dir,
        "--jobs",
        "1",
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stderr);
    assert.ok(out.success, `bench failed:\n${text.slice(-3000)}`);
    const md = await Deno.readTextFile(`${dir}/${grid.name}/leaderboard.md`);
    const lines = md.split("\n");
    for (const label of ["DAE (TypeScript)", "DAE (PyTorch, external)"]) {
      // Method, noise, then AUPRC as "mean ± sd" over the one seed.
      const row = lines.find((l) => l.startsWith(`| ${label} | coarse 4×4 σ=0.2 | 0.`));
      assert.match(row ?? "", / \| 0\.\d{3} ± n\/a \| /, `no leaderboard row for ${label}:\n${md}`);
    }
    // The paired comparison pairs the other row with the best over the three test subjects.
    assert.match(
      md,
      /\| DAE \((TypeScript|PyTorch, external)\) \| coarse 4×4 σ=0\.2 \| 3 \| [+-]\d\.\d{3} \|/,
    );
    const cells = `${dir}/${grid.name}/cells`;
    const results = await Promise.all(
      [...Deno.readDirSync(cells)].filter((e) => /^[^.]+\.json$/.test(e.name)).map(async (e) =>
        JSON.parse(await Deno.readTextFile(`${cells}/${e.name}`))
      ),
    );
    assert.deepEqual(results.map((r) => r.method).sort(), ["dae", "external-noise"]);
    // The external method's program is part of its cell's identity (editing it reruns the cell).
    const external = results.find((r) => r.method === "external-noise");
    assert.match(external.codeVersion, /^[0-9a-f]{16}$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
