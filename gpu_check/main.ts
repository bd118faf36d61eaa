/**
 * `deno task gpu-check`: proves the GPU backends on a GPU in one command (correctness against cpu, speed
 * beside PyTorch on the same card, a convergence smoke test), or, without a GPU, runs the same pipeline at
 * tiny sizes as a dry run. Writes report.json and report.md, prints the table, exits 1 when a check failed.
 *
 *     deno task gpu-check [--out gpu-check/] [--budget-s 480] [--dry-run] [--only correctness,speed,...]
 *       [--backends cuda,webgpu,cpu] [--python python3] [--torch-script path] [--fail-fast] [--fault A=B]
 *
 * See README.md in this folder (the GPU machine's prepare command and device command are there).
 * @module
 */
import { parseArgs } from "node:util";
import * as v from "valibot";
import { runGpuCheck, sharesText } from "./check.ts";
import { type Part, PARTS } from "./plan.ts";
import { renderMarkdown, renderTable } from "./report.ts";
import { runTask, workerTaskSchema } from "./worker.ts";

const USAGE = `usage: deno task gpu-check [--out DIR] [--budget-s SECONDS] [--dry-run] [--only PARTS]
       [--backends cuda,webgpu,cpu] [--python PYTHON] [--torch-script FILE] [--fail-fast] [--fault A=B]
  --out          where report.json and report.md go (default gpu-check/)
  --budget-s     total seconds (default 480); each part stops at its share: ${sharesText(480)}
  --dry-run      tiny sizes even where a GPU is found
  --only         parts to run (default all): ${PARTS.join(",")}
  --backends     restrict the backends under test
  --python       the interpreter with torch for the PyTorch reference (default python3, then /usr/bin/python3)
  --torch-script torch_dae_bench.py (default .device/, then ../shared/reference/)
  --fail-fast    skip the rest of a part on a backend after its first failed check
  --fault        make the backends under test run one kernel's function for another (shows a failing check)`;

function fail(message: string): never {
  console.error(`gpu-check: ${message}\n${USAGE}`);
  Deno.exit(2);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      strict: true,
      options: {
        out: { type: "string", default: "gpu-check" },
        "budget-s": { type: "string", default: "480" },
        "dry-run": { type: "boolean", default: false },
        only: { type: "string" },
        backends: { type: "string" },
        python: { type: "string" },
        "torch-script": { type: "string" },
        fault: { type: "string" },
        "fail-fast": { type: "boolean", default: false },
        worker: { type: "string" },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.worker !== undefined) {
    const task = v.safeParse(workerTaskSchema, JSON.parse(values.worker));
    if (!task.success) fail(`--worker: ${task.issues[0]!.message}`);
    await runTask(task.output);
    // A WebGPU device or CUDA context can keep the event loop alive; the results are out.
    Deno.exit(0);
  }
  const budgetS = Number(values["budget-s"]);
  if (!(budgetS > 0)) fail(`--budget-s must be a positive number of seconds, got '${values["budget-s"]}'`);
  const parts = values.only ? values.only.split(",") : [...PARTS];
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length) fail(`--only: unknown part(s) ${unknown.join(", ")}; parts are ${PARTS.join(", ")}`);
  const backends = values.backends?.split(",");
  const badBackend = backends?.filter((b) => !["cpu", "cuda", "webgpu"].includes(b)) ?? [];
  if (badBackend.length) {
    fail(`--backends: unknown backend(s) ${badBackend.join(", ")}; use cpu, cuda, webgpu`);
  }
  if (values.fault && !/^\w+=\w+$/.test(values.fault)) {
    fail(`--fault must be KERNEL=KERNEL, got '${values.fault}'`);
  }

  const report = await runGpuCheck({
    budgetS,
    dryRun: values["dry-run"],
    parts: parts as Part[],
    ...(backends ? { backends } : {}),
    ...(values.python ? { pythons: [values.python] } : {}),
    ...(values["torch-script"] ? { torchScript: values["torch-script"] } : {}),
    ...(values.fault ? { fault: values.fault } : {}),
    failFast: values["fail-fast"],
    workerCmd: [Deno.execPath(), "run", "-A", Deno.mainModule],
  });
  await Deno.mkdir(values.out, { recursive: true });
  await Deno.writeTextFile(`${values.out}/report.json`, JSON.stringify(report, null, 1) + "\n");
  await Deno.writeTextFile(`${values.out}/report.md`, renderMarkdown(report));
  const { table, notes } = renderTable(report.rows);
  const notRun = report.stops.flatMap((s) =>
    s.items.map((i) => `${s.part} on ${s.backend}: ${i.item}: ${i.reason}`)
  );
  console.log(
    [
      "",
      report.summary,
      "",
      table,
      "",
      ...notes,
      ...(notRun.length ? ["", "Not run:", ...notRun.map((n) => `  ${n}`)] : []),
      "",
      `${report.exitCode ? "FAILED: a check failed" : "no check failed"}; took ${
        report.elapsedS.toFixed(0)
      } s of ` +
      `${report.budgetS}; wrote ${values.out}/report.json and ${values.out}/report.md`,
    ].join("\n"),
  );
  Deno.exit(report.exitCode);
}

if (import.meta.main) await main();
