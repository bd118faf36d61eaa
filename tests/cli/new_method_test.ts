/**
 * The scaffold for method authors, as an author meets it: `deno task new-method` in a copy of the project
 * (the real tree is never touched) writes a plugin of each kind that formats, lints, type-checks, passes its
 * own test and the method contract tests, lists its described fields, and trains; bad names are refused
 * and leave nothing behind.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
/** What a fresh clone does not have: the copy skips them. */
const SKIP = new Set([".git", "runs", "results", ".cache", "node_modules", ".device"]);

async function copyProject(to: string): Promise<void> {
  const walk = async (from: URL, dest: string) => {
    for await (const e of Deno.readDir(from)) {
      if (SKIP.has(e.name)) continue;
      if (e.isDirectory) {
        await Deno.mkdir(`${dest}/${e.name}`);
        await walk(new URL(`${e.name}/`, from), `${dest}/${e.name}`);
      } else if (e.isFile) await Deno.copyFile(new URL(e.name, from), `${dest}/${e.name}`);
    }
  };
  await walk(ROOT, to);
}

async function run(cwd: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function snapshot(dir: string): string[] {
  return [...Deno.readDirSync(`${dir}/plugins`)].map((e) => e.name).sort();
}

Deno.test("new-method writes a plugin of each kind that passes the contract tests as written", async (t) => {
  const realIndex = await Deno.readTextFile(new URL("plugins/mod.ts", ROOT));
  const realPlugins = snapshot(ROOT.pathname);
  const copy = await Deno.makeTempDir({ prefix: "uad-scaffold-" });
  try {
    await copyProject(copy);
    const kinds = [["my-ae", "trained"], ["z-rule", "training-free"]] as const;
    const folders = kinds.map(([name]) => `plugins/${name}`);
    await t.step("one of each kind is written, every template name replaced", async () => {
      for (const [name, kind] of kinds) {
        const made = await run(copy, "task", "new-method", name, "--kind", kind);
        assert.equal(made.code, 0, made.stderr);
        assert.match(made.stdout, new RegExp(`created a ${kind} method '${name}'`));
        const files = [...Deno.readDirSync(`${copy}/plugins/${name}`)].map((e) => e.name).sort();
        const snake = name.replaceAll("-", "_");
        assert.deepEqual(files, ["README.md", "config.ts", "mod.ts", "model.ts", `${snake}_test.ts`].sort());
        const readme = await Deno.readTextFile(`${copy}/plugins/${name}/README.md`);
        for (const section of [/^# /m, /^\*\*Type:\*\*/m, /^## Usage/m, /^## Cost/m, /^## Results/m]) {
          assert.match(readme, section);
        }
        const all = (await Promise.all(files.map((f) => Deno.readTextFile(`${copy}/plugins/${name}/${f}`))))
          .join("\n");
        assert.doesNotMatch(all, /template|Template|\.\.\/\.\.\/\.\.\//, "every template name replaced");
      }
    });
    await t.step("they format, lint, type-check and pass their own tests and the folder check", async () => {
      for (const args of [["fmt", "--check"], ["lint"]]) {
        const r = await run(copy, ...args, ...folders, "plugins/mod.ts");
        assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      }
      const checked = await run(copy, "check", ...folders.map((f) => `${f}/mod.ts`));
      assert.equal(checked.code, 0, checked.stderr);
      const own = await run(copy, "test", "-A", ...folders, "plugins/mod_test.ts");
      assert.equal(own.code, 0, own.stdout + own.stderr);
      assert.match(own.stdout, /ok \| 3 passed \| 0 failed/);
    });
    for (const [name] of kinds) {
      await t.step(`${name}: the method contract tests pass, run alone with --filter`, async () => {
        const r = await run(
          copy,
          "test",
          "-A",
          "--no-check", // type-checked above; the other plugins are the real tree's, checked by its CI
          "tests/contract/method_contract_test.ts",
          "--filter",
          `method contract: ${name} (`,
        );
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, new RegExp(`method contract: ${name} \\(2D\\) \\.\\.\\. ok`));
        assert.match(r.stdout, new RegExp(`method contract: ${name} \\(3D\\) \\.\\.\\. ok`));
        assert.match(r.stdout, /ok \| 2 passed \| 0 failed \| \d+ filtered out/);
      });
    }
    await t.step("plugins/mod.ts imports them in order; the listing describes every field", async () => {
      const index = await Deno.readTextFile(`${copy}/plugins/mod.ts`);
      const imports = [...index.matchAll(/^import "\.\/([^/]+)\/mod\.ts";$/gm)].map((m) => m[1]!);
      assert.deepEqual(imports, [...imports].sort());
      assert.ok(imports.includes("my-ae") && imports.includes("z-rule"));
      const listed = await run(copy, "task", "plugins", "--json");
      const entries = JSON.parse(listed.stdout) as {
        kind: string;
        id: string;
        fields?: Record<string, { description?: string }>;
      }[];
      for (const name of ["my-ae", "z-rule"]) {
        const fields = entries.find((e) => e.kind === "method" && e.id === name)?.fields ?? {};
        assert.ok(Object.keys(fields).length > 0, name);
        for (const [k, f] of Object.entries(fields)) {
          assert.ok(f.description, `${name}.${k} has no description`);
        }
      }
      assert.ok(entries.some((e) => e.kind === "preset" && e.id === "my-ae-cpu-small"));
    });
    await t.step("the trained one trains and is scored by the runner", async () => {
      const r = await run(
        copy,
        "run",
        "-A",
        "cli/main.ts",
        "train",
        "--method",
        "my-ae",
        "--backend",
        "cpu",
        "--runs-dir",
        `${copy}/runs`,
        ...["size=32", "trainSubjects=3", "validationSubjects=1", "testSubjects=2", "slicesPerSubject=4"]
          .flatMap((s) => ["--dataset-set", s]),
        ...["widths=[4,8]", "steps=3", "batchSize=4"].flatMap((s) => ["--set", s]),
      );
      assert.equal(r.code, 0, r.stderr);
      const auprc = JSON.parse(r.stdout).metrics.auprc.value;
      assert.ok(auprc > 0 && auprc <= 1, `AUPRC ${auprc}`);
    });
    await t.step("bad and taken names are refused and leave nothing behind", async () => {
      const before = snapshot(copy);
      const index = await Deno.readTextFile(`${copy}/plugins/mod.ts`);
      const refused: [string[], RegExp][] = [
        [["dae"], /plugins\/dae\/ already exists/],
        [["vae-restoration"], /a method 'vae-restoration' is already registered \(by plugins\/vae\/\)/],
        [["My_Method"], /'My_Method' is not a method name/],
        [["2d-ae"], /'2d-ae' is not a method name/],
        [["a--b"], /'a--b' is not a method name/],
        [["ok-name", "--kind", "magic"], /--kind must be trained or training-free, got 'magic'/],
        [["ok-name", "extra"], /unexpected argument 'extra'/],
        [[], /name the new method/],
      ];
      for (const [args, message] of refused) {
        const r = await run(copy, "task", "new-method", ...args);
        assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, message);
      }
      assert.deepEqual(snapshot(copy), before);
      assert.equal(await Deno.readTextFile(`${copy}/plugins/mod.ts`), index);
    });
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
  assert.equal(await Deno.readTextFile(new URL("plugins/mod.ts", ROOT)), realIndex, "the real tree changed");
  assert.deepEqual(snapshot(ROOT.pathname), realPlugins, "the real tree changed");
});

Deno.test("new-method --help says how to use it", async () => {
  const r = await run(ROOT.pathname, "task", "new-method", "--help");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^deno task new-method <name> \[--kind trained\|training-free\]/);
});
