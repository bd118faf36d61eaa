/**
 * The PyTorch reference on the same machine in the same run: `torch_dae_bench.py` (the paper's 2D DAE in
 * PyTorch; ../shared/reference, copied into .device/ for the GPU machine) with python3 where torch imports.
 * Its figures become the "PyTorch figure" and "ratio" columns of our matching speed rows.
 * @module
 */
import * as v from "valibot";
import type { Row } from "./rows.ts";

/** A python interpreter with torch, and what torch sees. */
export interface TorchProbe {
  /** The interpreter. */
  readonly python: string;
  /** torch.__version__. */
  readonly torch: string;
  /** The CUDA device torch sees, if any. */
  readonly cudaDevice?: string;
}

const probeSchema = v.object({ torch: v.string(), cuda: v.nullable(v.string()) });

/**
 * The first of `candidates` whose torch imports (each given 60 s), or why none does. Default candidates:
 * `python3` on PATH (on the GPU machine, the one with PyTorch), then Debian's `/usr/bin/python3`.
 */
export async function probeTorch(
  candidates: readonly string[] = ["python3", "/usr/bin/python3"],
): Promise<TorchProbe | { reason: string }> {
  const code = "import json, torch; print(json.dumps({'torch': torch.__version__, " +
    "'cuda': torch.cuda.get_device_name() if torch.cuda.is_available() else None}))";
  const reasons: string[] = [];
  for (const python of candidates) {
    try {
      const out = await new Deno.Command(python, {
        args: ["-c", code],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(60_000),
      }).output();
      const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
      const parsed = out.success ? v.safeParse(probeSchema, JSON.parse(text || "null")) : undefined;
      if (parsed?.success) {
        const { torch, cuda } = parsed.output;
        return { python, torch, ...(cuda ? { cudaDevice: cuda } : {}) };
      }
      const err = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
      reasons.push(`${python}: ${err || "no torch"}`);
    } catch (e) {
      reasons.push(`${python}: ${e instanceof Error ? e.message.split("\n")[0] : e}`);
    }
  }
  return { reason: `no python3 with torch (${reasons.join("; ")})` };
}

/** One line torch_dae_bench.py prints per mode. */
const anchorSchema = v.object({
  anchor: v.literal("pytorch-dae2d"),
  torch: v.string(),
  device: v.string(),
  mode: v.string(),
  batch: v.number(),
  size: v.number(),
  widths: v.array(v.number()),
  train_ms_per_step: v.number(),
  score_slices_per_s: v.number(),
});

/**
 * Parses the reference's output into rows (one train and one scoring row per mode); other lines are
 * ignored.
 *
 * @example
 * ```ts
 * import { torchRows } from "./torch_reference.ts";
 * const line = JSON.stringify({ anchor: "pytorch-dae2d", torch: "2.11", device: "H100", mode: "tf32", batch: 16,
 *   size: 128, widths: [64, 128, 256, 512], train_ms_per_step: 21.3, score_slices_per_s: 3136 });
 * const rows = torchRows(`warming up\n${line}\n`);
 * console.assert(rows.length === 2 && rows[0]!.value === 21.3 && rows[0]!.backend === "pytorch tf32");
 * ```
 */
export function torchRows(stdout: string): Row[] {
  const rows: Row[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.trim().startsWith("{")) continue;
    let parsed;
    try {
      parsed = v.safeParse(anchorSchema, JSON.parse(line));
    } catch {
      continue;
    }
    if (!parsed.success) continue;
    const a = parsed.output;
    const what = `batch ${a.batch}, ${a.size}×${a.size}×4, widths ${a.widths.join("/")}`;
    const backend = `pytorch ${a.mode}`;
    const detail = `torch ${a.torch} on ${a.device}`;
    rows.push(
      {
        part: "pytorch",
        check: `2D DAE train step (${what})`,
        backend,
        result: "measured",
        value: a.train_ms_per_step,
        unit: "ms/step",
        speedKey: "dae2d-train",
        detail,
      },
      {
        part: "pytorch",
        check: "2D DAE scoring",
        backend,
        result: "measured",
        value: a.score_slices_per_s,
        unit: "slices/s",
        speedKey: "dae2d-score",
        detail,
      },
    );
  }
  return rows;
}

/**
 * The PyTorch mode our backend is held against: TF32 for cuda (its convolutions and matrix products use
 * TF32, as PyTorch's default does), strict fp32 for webgpu and cpu.
 */
export function torchModeFor(backend: string): string {
  return backend === "cuda" ? "tf32" : "fp32";
}

/**
 * Fills in `torch` and `ratio` on our speed rows from the PyTorch rows with the same speed key and the mode
 * {@linkcode torchModeFor} gives. The ratio is always of times: ours ÷ PyTorch's (per step; per slice for
 * throughput), so below 1 means faster than PyTorch.
 */
export function attachTorch(rows: readonly Row[]): Row[] {
  const torch = rows.filter((r) => r.part === "pytorch" && r.speedKey && r.value !== undefined);
  return rows.map((r) => {
    if (r.part === "pytorch" || !r.speedKey || r.value === undefined) return r;
    const mode = torchModeFor(r.backend);
    const t = torch.find((x) => x.speedKey === r.speedKey && x.backend === `pytorch ${mode}`);
    if (!t) return r;
    const ratio = r.unit === "slices/s" ? t.value! / r.value : r.value / t.value!;
    return { ...r, torch: { value: t.value!, unit: t.unit!, mode }, ratio };
  });
}

/**
 * Runs the reference script until it exits or `deadline` passes (then it is killed); returns its rows,
 * whether it was stopped, and its stderr's last line when it failed.
 */
export async function runTorchReference(
  python: string,
  script: string,
  args: readonly string[],
  deadline: number,
  log: (line: string) => void,
): Promise<{ rows: Row[]; stopped: boolean; error?: string }> {
  const child = new Deno.Command(python, {
    args: [script, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { PYTHONUNBUFFERED: "1" },
  }).spawn();
  let stopped = false;
  const timer = setTimeout(() => {
    stopped = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }, Math.max(0, deadline - Date.now()));
  const out = await child.output();
  clearTimeout(timer);
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr).trim();
  for (const line of stdout.split("\n")) if (line.trim()) log(line);
  const rows = torchRows(stdout);
  const error = out.success || stopped ? undefined : stderr.split("\n").at(-1) || `exit code ${out.code}`;
  return { rows, stopped, ...(error ? { error } : {}) };
}
