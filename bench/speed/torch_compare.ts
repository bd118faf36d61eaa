/**
 * Our DAE against the PyTorch reference (`../shared/reference/torch_dae_bench.py`, Debian's python3-torch)
 * on the same shapes and threads, in one run: train ms/step and score ms/slice for each configuration,
 * each side measured in a fresh process, alternating, `--reps` times; the table shows medians and the
 * ratio ours / PyTorch. PyTorch is only needed for this comparison, never by the project. A reported
 * figure, not a test: the machine's load average before and after is printed with it.
 *
 *     deno run -A bench/speed/torch_compare.ts [--reps 3] [--threads 2] [--configs 32,64,128]
 *       [--python /usr/bin/python3] [--reference ../shared/reference/torch_dae_bench.py]
 *
 * Configurations (batch 16, 4 channels): `32` and `64` are 32×32 and 64×64 with widths 8/16/32 (the DAE's
 * default, `dae-cpu-small`); `128` is 128×128 with widths 64/128/256/512 (`dae-paper-2d`).
 * @module
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    reps: { type: "string", default: "3" },
    threads: { type: "string", default: "2" },
    configs: { type: "string", default: "32,64,128" },
    python: { type: "string", default: "/usr/bin/python3" },
    reference: { type: "string", default: "../shared/reference/torch_dae_bench.py" },
  },
});

/** One row of the table: the shapes and how many steps each side times. */
interface Config {
  readonly label: string;
  readonly size: number;
  /** PyTorch's widths 2^wf … 2^(wf+depth−1). */
  readonly wf: number;
  readonly depth: number;
  /** Our preset with the same widths (none: the DAE's default config). */
  readonly preset?: string;
  /** Steps per run; both sides time all but the first max(1, min(5, steps/4)) (PyTorch's warm-up). */
  readonly steps: number;
}

const CONFIGS: Record<string, Config> = {
  "32": { label: "32×32, widths 8/16/32", size: 32, wf: 3, depth: 3, steps: 20 },
  "64": { label: "64×64, widths 8/16/32", size: 64, wf: 3, depth: 3, steps: 12 },
  "128": { label: "128×128, widths 64…512", size: 128, wf: 6, depth: 4, preset: "dae-paper-2d", steps: 5 },
};

const reps = Number(values.reps), threads = Number(values.threads);
if (!(Number.isInteger(reps) && reps >= 1) || !(Number.isInteger(threads) && threads >= 1)) {
  throw new Error("torch_compare: --reps and --threads must be integers >= 1");
}
const configs = values.configs.split(",").map((id) => {
  const c = CONFIGS[id];
  if (!c) {
    throw new Error(`torch_compare: unknown config '${id}' (choose from ${Object.keys(CONFIGS).join(", ")})`);
  }
  return c;
});

/** Train ms/step and score ms/slice of one run. */
interface Timing {
  train: number;
  score: number;
}

async function output(cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `torch_compare: ${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return text;
}

const warmup = (steps: number) => Math.min(5, Math.max(1, Math.floor(steps / 4)));

async function torch(c: Config): Promise<Timing & { version: string }> {
  const text = await output(values.python, [
    values.reference,
    ...["--device", "cpu", "--threads", String(threads), "--batch", "16"],
    ...[
      "--size",
      String(c.size),
      "--wf",
      String(c.wf),
      "--depth",
      String(c.depth),
      "--steps",
      String(c.steps),
    ],
  ]);
  const r = JSON.parse(text.trim().split("\n").at(-1)!);
  return { train: r.train_ms_per_step, score: 1000 / r.score_slices_per_s, version: r.torch };
}

async function ours(c: Config): Promise<Timing> {
  const script = new URL("./method_cost_bench.ts", import.meta.url).pathname;
  const w = warmup(c.steps);
  const text = await output(Deno.execPath(), [
    ...["run", "-A", script, "--methods", "dae", "--json", "--batch", "16", "--size", String(c.size)],
    ...["--steps", String(c.steps - w), "--warmup", String(w), "--score-batch", "16", "--score-reps", "3"],
    ...(c.preset ? ["--preset", c.preset] : []),
  ], { UAD_CPU_THREADS: String(threads) });
  const r = JSON.parse(text.trim().split("\n").at(-1)!);
  return { train: r.trainMsPerStep, score: r.scoreMsPerSample };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function load(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const cpu = (() => {
  try {
    return Deno.readTextFileSync("/proc/cpuinfo").match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
})();
const loadBefore = load();
const started = new Date();
const rows: string[] = [];
let version = "";
for (const c of configs) {
  const t: Timing[] = [], o: Timing[] = [];
  for (let r = 0; r < reps; r++) {
    const pt = await torch(c);
    version = pt.version;
    t.push(pt);
    o.push(await ours(c));
    console.error(
      `${c.label}, run ${r + 1}/${reps}: PyTorch ${fmt(pt.train)} ms/step, ours ${fmt(o.at(-1)!.train)}`,
    );
  }
  const [tt, ot] = [median(t.map((x) => x.train)), median(o.map((x) => x.train))];
  const [ts, os] = [median(t.map((x) => x.score)), median(o.map((x) => x.score))];
  rows.push(
    `| ${c.label} | ${fmt(tt)} | ${fmt(ot)} | ${(ot / tt).toFixed(2)}× | ${fmt(ts)} | ${fmt(os)} | ${
      (os / ts).toFixed(2)
    }× |`,
  );
}
console.log(
  [
    `${started.toISOString()}; ${navigator.hardwareConcurrency} × ${cpu}; ${threads} threads each side; ` +
    `PyTorch ${version}; medians of ${reps} alternating runs; load average before ${loadBefore}, after ${load()}.`,
    "",
    "| config (batch 16, 4 channels) | PyTorch train ms/step | ours train ms/step | ratio | " +
    "PyTorch score ms/slice | ours score ms/slice | ratio |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows,
  ].join("\n"),
);
