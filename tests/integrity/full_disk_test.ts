/**
 * A full disk during a bench (a 250 KiB tmpfs, where this machine lets the test mount one): the cell that
 * cannot be written fails with the file named, no cell is recorded as finished that is not, and once there is
 * room the same grid finishes only what is missing.
 */
import assert from "node:assert/strict";

const main = new URL("../../cli/main.ts", import.meta.url).pathname;

async function run(cmd: string, ...args: string[]) {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  return {
    code: out.code,
    text: new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
  };
}

const mountPoint = await Deno.makeTempDir();
const mounted = await run("mount", "-t", "tmpfs", "-o", "size=250k", "tmpfs", mountPoint).catch((e) => ({
  code: 1,
  text: String(e),
}));
const SKIP = mounted.code === 0 ? undefined : `cannot mount a small tmpfs here (${mounted.text.trim()})`;
if (SKIP) console.log(`full-disk test skipped: ${SKIP}`);
// Unmounted when the module unloads, even where the test is filtered out.
globalThis.addEventListener("unload", () => {
  if (!SKIP) new Deno.Command("umount", { args: [mountPoint], stderr: "null" }).outputSync();
});

Deno.test({
  name: "a full disk fails the cell it hits, naming the file; with room again only the missing cell runs",
  ignore: SKIP !== undefined,
  async fn() {
    {
      const grid = `${mountPoint}/../full_disk_grid.json`;
      await Deno.writeTextFile(
        grid,
        JSON.stringify({
          name: "full",
          datasets: [{
            id: "phantom2d",
            config: {
              size: 32,
              trainSubjects: 2,
              validationSubjects: 1,
              testSubjects: 2,
              slicesPerSubject: 3,
            },
          }],
          methods: [{ id: "thresholding" }, {
            id: "dae",
            config: { widths: [4, 8], steps: 3, batchSize: 2 },
          }],
          noises: [{ id: "gaussian" }],
          seeds: [0, 1],
          backend: "cpu",
        }),
      );
      const bench = (out: string) =>
        run(Deno.execPath(), "run", "-A", main, "bench", "--grid", grid, "--out", out, "--jobs", "1");
      const full = await bench(mountPoint);
      assert.notEqual(full.code, 0);
      assert.match(full.text, /could not write .*: No space left on device \(os error 28\)/);
      assert.doesNotMatch(full.text, /\.tmp-[0-9a-f]{8}/, "messages name the file, not its temporary twin");
      const cells = [...Deno.readDirSync(`${mountPoint}/full/cells`)].filter((e) =>
        /^[^.]+\.json$/.test(e.name)
      );
      assert.ok(cells.length < 4, "the cell that hit the full disk is not recorded as finished");
      for (const c of cells) JSON.parse(await Deno.readTextFile(`${mountPoint}/full/cells/${c.name}`)); // whole
      // Room again: the folder moves to a disk with space, and the same grid runs only what is missing.
      const roomy = await Deno.makeTempDir();
      assert.equal((await run("cp", "-a", `${mountPoint}/full`, roomy)).code, 0);
      const again = await bench(roomy);
      assert.equal(again.code, 0, again.text);
      assert.match(
        again.text,
        new RegExp(`4 cells, ${cells.length} already finished, ${4 - cells.length} to run`),
      );
      assert.match(await Deno.readTextFile(`${roomy}/full/leaderboard.md`), /4 of 4 cells finished\./);
    }
  },
});
