/**
 * The command line's manners: every task answers --help and refuses stray words; a run piped to a file
 * writes a few progress lines with totals, one backend line (details with --verbose) and no Mesa noise;
 * `deno task plugins` describes every config field and preset.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

async function deno(args: string[], env: Record<string, string> = {}, clearXdg = false) {
  const all: Record<string, string> = { ...Deno.env.toObject(), NO_COLOR: "1", ...env };
  if (clearXdg) delete all.XDG_RUNTIME_DIR;
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: all,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const tasks = Object.keys(JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`)).tasks) as string[];

Deno.test("every task in deno.json answers --help with its usage", async () => {
  assert.ok(tasks.length >= 10 && tasks.includes("noise") && tasks.includes("new-method"), tasks.join());
  for (const task of tasks) {
    const r = await deno(["task", "--quiet", task, "--help"]);
    assert.equal(r.code, 0, `${task} --help: exit ${r.code}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /error|TypeError/i, `${task} --help`);
    assert.match(r.stdout, /deno task \S+|Usage:/, `${task} --help prints no usage:\n${r.stdout}`);
  }
});

Deno.test("every task refuses words it does not take", async () => {
  // `test` passes its words to deno test as paths; `new-method` takes one name (its own test checks a second).
  for (const task of tasks.filter((t) => t !== "test" && t !== "new-method")) {
    // --out keeps `noise` from writing into the tree should it ever ignore the word.
    const extra = task === "noise" ? ["--out", `${Deno.makeTempDirSync()}/x.png`] : [];
    const r = await deno(["task", "--quiet", task, ...extra, "stray-word"]);
    assert.equal(r.code, 2, `${task} stray-word: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, /unexpected argument 'stray-word'/i, task);
  }
});

Deno.test("a piped run: one backend line (details with --verbose), no XDG lines, few progress lines with totals", async () => {
  const runs = await Deno.makeTempDir();
  const args = [
    "run",
    "-A",
    "cli/main.ts",
    "train",
    "--noise",
    "coarse",
    "--backend",
    "auto",
    "--runs-dir",
    runs,
    ...["size=32", "trainSubjects=3", "validationSubjects=1", "testSubjects=5", "slicesPerSubject=4"]
      .flatMap((s) => ["--dataset-set", s]),
    ...["widths=[4,8]", "steps=30", "batchSize=4"].flatMap((s) => ["--set", s]),
  ];
  const r = await deno(args, {}, true);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /XDG_RUNTIME_DIR/);
  const lines = r.stderr.split("\n");
  const backend = lines.filter((l) => /^backend/.test(l));
  assert.equal(backend.length, 1, backend.join("\n"));
  assert.ok(backend[0]!.length < 200, backend[0]);
  const train = lines.filter((l) => l.startsWith("train "));
  assert.ok(train.length >= 2 && train.length <= 11, `${train.length} training lines:\n${train.join("\n")}`);
  assert.match(train.at(-1)!, / 30\/30 /);
  const score = lines.filter((l) => l.startsWith("score "));
  assert.ok(score.length >= 1 && score.length <= 5, score.join("\n"));
  assert.match(score.at(-1)!, / 5\/5 /, "scoring shows n/N cases");
  assert.ok(!r.stderr.includes("\r"), "no carriage returns in a file");

  const verbose = await deno([...args, "--verbose", "--set", "steps=1"], {}, true);
  assert.equal(verbose.code, 0, verbose.stderr);
  const details = verbose.stderr.split("\n").filter((l) => l.startsWith("backend detail: "));
  if (/tensorflow backend unavailable/.test(backend[0]!)) {
    assert.ok(details.some((l) => /tfjs-node@4\.22\.0: /.test(l)), verbose.stderr);
  }
  assert.ok(!r.stderr.includes("backend detail"), "details only with --verbose");
  await Deno.remove(runs, { recursive: true });
});

Deno.test("plugins describes every config field (defaults, rules) and every preset", async () => {
  const json = await deno(["run", "-A", "cli/main.ts", "plugins", "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const entries = JSON.parse(json.stdout) as {
    kind: string;
    id: string;
    method?: string;
    description: string;
    fields?: Record<string, { description?: string; default?: unknown }>;
    configSchema?: { properties: Record<string, { description?: string }> };
  }[];
  const dae = entries.find((e) => e.kind === "method" && e.id === "dae")!;
  const props = dae.configSchema!.properties;
  assert.ok(Object.keys(props).length >= 12);
  for (const [k, p] of Object.entries(props)) {
    assert.ok(p.description && p.description.length > 8, `dae.${k}`);
  }
  assert.match(props.medianKernel!.description!, /^Median filter window .*\(must be odd\)$/);
  assert.match(props.lr!.description!, /learning rate/i);
  assert.equal(dae.fields!.steps!.default, 200);
  for (const e of entries.filter((e) => e.fields)) {
    for (const [k, f] of Object.entries(e.fields!)) {
      assert.ok(f.description, `${e.kind} ${e.id}: ${k} undescribed`);
    }
  }
  const presets = entries.filter((e) => e.kind === "preset" && e.method === "dae");
  assert.ok(presets.length >= 3);
  for (const p of presets) assert.doesNotMatch(p.description, /^preset of method/, `${p.id} undescribed`);

  const text = await deno(["run", "-A", "cli/main.ts", "plugins"]);
  const block = text.stdout.slice(text.stdout.indexOf("\n  dae "), text.stdout.indexOf("\n  diffusion-kl "));
  assert.match(
    block,
    /\n +medianKernel +5 +Median filter window applied to score maps \(paper: 5\)\. \(must be odd\)/,
  );
  assert.match(block, /\n +widths +\[8, 16, 32\] +Channels per U-Net level/);
  assert.match(text.stdout, /\n +dae-cpu-bench +\(dae\) The default bench's DAE/);
});
