/**
 * Installs the nnU-Net v2 stand-in: one executable per program (`nnUNetv2_plan_and_preprocess`,
 * `nnUNetv2_train`, `nnUNetv2_predict`) in a folder, each running `main.ts` with this Deno. Point the
 * `nnunet` method's `bin` at the folder, or put it on PATH.
 *
 * ```sh
 * deno run -A plugins/nnunet-bridge/standin/install.ts ~/nnunet-standin/bin
 * ```
 * @module
 */
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { PROGRAMS } from "./args.ts";

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * Writes the programs into `dir` (created if needed; existing ones replaced) and returns `dir`.
 *
 * @example
 * ```ts ignore
 * const bin = await installStandIn(await Deno.makeTempDir());
 * // { "id": "nnunet", "config": { "bin": bin, "device": "cpu" } }
 * ```
 */
export async function installStandIn(dir: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const main = fileURLToPath(new URL("./main.ts", import.meta.url));
  const config = fileURLToPath(new URL("../../../deno.json", import.meta.url));
  const deno = [Deno.execPath(), "run", "--quiet", "--allow-read", "--allow-write", "--allow-env"];
  for (const program of Object.keys(PROGRAMS)) {
    const line = [...deno, "--config", config, main, program].map(quote).join(" ");
    const file = join(dir, program);
    const tmp = `${file}.tmp-${crypto.randomUUID().slice(0, 8)}`;
    await Deno.writeTextFile(tmp, `#!/bin/sh\n# nnU-Net v2 stand-in (${main})\nexec ${line} "$@"\n`, {
      mode: 0o755,
    });
    await Deno.rename(tmp, file);
  }
  return dir;
}

if (import.meta.main) {
  const [dir] = Deno.args;
  if (!dir) {
    console.error("usage: install.ts DIR");
    Deno.exit(2);
  }
  console.log(`nnU-Net stand-in programs written to ${await installStandIn(dir)}`);
}
