/**
 * `deno task version`: the code version of this checkout per plugin, so that a reviewer can match a
 * leaderboard row (its "code" column is the version of the runner plus the row's plugins) to a commit. A
 * plugin's version covers its import closure (its folder, the core it uses) and the locked dependencies.
 * @module
 */
import { listDatasets, listMethods, listMetrics, listNoises, pluginSource } from "../core/mod.ts";
import { codeVersionOf } from "../runner/code_identity.ts";
import { parse } from "./args.ts";

const USAGE = `deno task version [--json]
  Prints the code version of the runner and of each registered plugin (method, noise, dataset, metric).
  A bench cell's code version hashes the runner and the plugins it uses together.`;

/** Entry point of the version subcommand. */
export async function versionsMain(args: string[]): Promise<void> {
  const { values } = parse(args, {
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return console.log(USAGE);
  const runner = await codeVersionOf([
    new URL("../runner/run.ts", import.meta.url),
    new URL("../runner/spec.ts", import.meta.url),
  ]);
  const kinds = [
    ["method", listMethods()],
    ["noise", listNoises()],
    ["dataset", listDatasets()],
    ["metric", listMetrics()],
  ] as const;
  const entries: { kind: string; id: string; version: string; files: number }[] = [
    { kind: "runner", id: "runner+core+stats", version: runner.version, files: runner.files.length },
  ];
  for (const [kind, defs] of kinds) {
    for (const d of defs) {
      const v = await codeVersionOf([new URL(pluginSource(kind, d.id))]);
      entries.push({ kind, id: d.id, version: v.version, files: v.files.length });
    }
  }
  if (values.json) return console.log(JSON.stringify(entries, null, 2));
  const git = await gitDescription();
  console.log(`code versions of this checkout${git ? ` (${git})` : ""}:`);
  for (const e of entries) {
    console.log(`  ${e.kind.padEnd(8)} ${e.id.padEnd(22)} ${e.version}  (${e.files} files)`);
  }
}

/** "commit abc1234" (with "+ local changes"), or undefined outside a git checkout. */
async function gitDescription(): Promise<string | undefined> {
  try {
    const run = async (...args: string[]) => {
      const out = await new Deno.Command("git", { args, stdout: "piped", stderr: "null" }).output();
      return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
    };
    const head = await run("rev-parse", "--short", "HEAD");
    if (!head) return undefined;
    const dirty = await run("status", "--porcelain");
    return `commit ${head}${dirty ? " + local changes" : ""}`;
  } catch {
    return undefined;
  }
}
