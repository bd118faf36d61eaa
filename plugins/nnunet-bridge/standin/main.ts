/**
 * The stand-in's entry point: `main.ts PROGRAM ARGS…`, where PROGRAM is one of nnU-Net v2's programs. The
 * wrappers `install.ts` writes call it under the programs' own names. Exit codes as nnU-Net's: 0 done,
 * 2 bad arguments (argparse), 1 any failure.
 * @module
 */
import { parseProgramArgs, PROGRAMS, UsageError } from "./args.ts";
import { StandInError } from "./layout.ts";
import { plan } from "./plan.ts";
import { predict } from "./predict.ts";
import { train } from "./train.ts";

const RUN: Readonly<Record<string, (args: ReturnType<typeof parseProgramArgs>) => Promise<void>>> = {
  nnUNetv2_plan_and_preprocess: plan,
  nnUNetv2_train: train,
  nnUNetv2_predict: predict,
};

/** Runs one program; returns its exit code. */
export async function main([program, ...args]: string[]): Promise<number> {
  if (!program || !PROGRAMS[program]) {
    console.error(`usage: main.ts ${Object.keys(PROGRAMS).join("|")} [args]`);
    return 2;
  }
  try {
    await RUN[program]!(parseProgramArgs(program, args));
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`usage: ${program} [-h] …\n${program}: error: ${e.message}`);
      return 2;
    }
    console.error(e instanceof StandInError ? `${program}: ${e.message}` : e);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
