/**
 * The nnU-Net v2 command lines (built as data, so they can be checked without running them), the
 * environment they need, the PATH check, and running one as a subprocess (`core/subprocess.ts`).
 * @module
 */
import { delimiter, join } from "node:path";
import { runProgram } from "../../core/subprocess.ts";

/** A program and its arguments. */
export interface CommandLine {
  readonly cmd: string;
  readonly args: readonly string[];
}

/** The folders nnU-Net reads from its environment. */
export interface NnUnetPaths {
  readonly raw: string;
  readonly preprocessed: string;
  readonly results: string;
}

/** What the three steps need to know. */
export interface RunSettings {
  readonly datasetNumber: number;
  /** "2d", "3d_fullres" or "3d_lowres". */
  readonly configuration: string;
  readonly trainer: string;
  readonly fold: string;
  readonly device: string;
  readonly processes: number;
  /** Folder of the programs; absent: PATH. */
  readonly bin?: string;
}

/** The programs the bridge runs; all come with `pip install nnunetv2`. */
export const NNUNET_PROGRAMS = [
  "nnUNetv2_plan_and_preprocess",
  "nnUNetv2_train",
  "nnUNetv2_predict",
] as const;

/** The program to run: in `bin` when given, else looked up on PATH. */
function program(s: RunSettings, name: (typeof NNUNET_PROGRAMS)[number]): string {
  return s.bin ? join(s.bin, name) : name;
}

/** The standard folders under a work folder. */
export function nnunetPaths(workDir: string): NnUnetPaths {
  return {
    raw: join(workDir, "nnUNet_raw"),
    preprocessed: join(workDir, "nnUNet_preprocessed"),
    results: join(workDir, "nnUNet_results"),
  };
}

/** The environment variables nnU-Net v2 requires. */
export function nnunetEnv(paths: NnUnetPaths): Record<string, string> {
  return { nnUNet_raw: paths.raw, nnUNet_preprocessed: paths.preprocessed, nnUNet_results: paths.results };
}

/** `nnUNetv2_plan_and_preprocess -d N -c CONFIG -np P --verify_dataset_integrity`. */
export function planCommand(s: RunSettings): CommandLine {
  return {
    cmd: program(s, "nnUNetv2_plan_and_preprocess"),
    args: [
      "-d",
      String(s.datasetNumber),
      "-c",
      s.configuration,
      "-np",
      String(s.processes),
      "--verify_dataset_integrity",
    ],
  };
}

/** `nnUNetv2_train N CONFIG FOLD -tr TRAINER -device DEVICE`. */
export function trainCommand(s: RunSettings): CommandLine {
  return {
    cmd: program(s, "nnUNetv2_train"),
    args: [String(s.datasetNumber), s.configuration, s.fold, "-tr", s.trainer, "-device", s.device],
  };
}

/** `nnUNetv2_predict -i IN -o OUT -d N -c CONFIG -f FOLD -tr TRAINER -device DEVICE --save_probabilities`. */
export function predictCommand(s: RunSettings, input: string, output: string): CommandLine {
  return {
    cmd: program(s, "nnUNetv2_predict"),
    args: [
      "-i",
      input,
      "-o",
      output,
      "-d",
      String(s.datasetNumber),
      "-c",
      s.configuration,
      "-f",
      s.fold,
      "-tr",
      s.trainer,
      "-device",
      s.device,
      "--save_probabilities",
    ],
  };
}

/** The full path of `program` on PATH (`path` defaults to the environment's), or undefined. */
export function findOnPath(program: string, path = Deno.env.get("PATH") ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, program);
    try {
      const info = Deno.statSync(file);
      if (info.isFile && (info.mode === null || (info.mode & 0o111) !== 0)) return file;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/**
 * Throws the bridge's "not installed" error, naming the missing programs and how to install them; `bin` is
 * the folder of the programs (default: PATH).
 */
export function requireNnUnet(bin?: string): void {
  const missing = NNUNET_PROGRAMS.filter((p) => !findOnPath(p, bin));
  if (missing.length === 0) return;
  throw new Error(
    `nnU-Net is not installed: ${missing.join(", ")} not found ${bin ? `in ${bin}` : "on PATH"}.\n` +
      `Install it with \`pip install nnunetv2\` (PyTorch first, see https://github.com/MIC-DKFZ/nnUNet), ` +
      `then check that \`nnUNetv2_train -h\` runs. The dataset export works without it: ` +
      `deno run -A plugins/nnunet-bridge/export.ts --dataset ID --out DIR.`,
  );
}

/**
 * Runs a command with nnU-Net's environment (added to the runner's); its output goes to `log` (a method
 * prints nothing) and its tail into the error when it fails. Aborting `signal` stops it.
 */
export async function runCommand(
  line: CommandLine,
  env: Record<string, string>,
  log: string,
  signal?: AbortSignal,
): Promise<void> {
  await runProgram({
    task: "nnunet",
    argv: [line.cmd, ...line.args],
    env,
    log,
    ...(signal ? { signal } : {}),
  });
}
