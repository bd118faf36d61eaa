/**
 * The stand-in's command lines: each nnU-Net v2 program's real options (names, counts, defaults, required
 * ones) as data, and an argparse-like parser that refuses what nnU-Net's own parser refuses (exit code 2).
 * @module
 */

/** One option or positional of a program. */
export interface ArgSpec {
  /** "-d", "--save_probabilities", or a positional's name. */
  readonly name: string;
  /** "flag": no value; "one": a value; "many": one or more values (argparse nargs="+"). */
  readonly kind: "flag" | "one" | "many";
  /** Values must parse as integers. */
  readonly int?: boolean;
  /** Must be given. */
  readonly required?: boolean;
  /** Value when absent. */
  readonly default?: string | readonly string[];
}

/** Parsed values by name (without dashes); flags are "true" or absent. */
export type Parsed = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A usage error, reported as argparse does: exit code 2. */
export class UsageError extends Error {}

const flag = (name: string): ArgSpec => ({ name, kind: "flag" });
const one = (name: string, rest: Partial<ArgSpec> = {}): ArgSpec => ({ name, kind: "one", ...rest });
const many = (name: string, rest: Partial<ArgSpec> = {}): ArgSpec => ({ name, kind: "many", ...rest });

/** The three programs' arguments, as nnU-Net v2 (2.2–2.5) defines them. */
export const PROGRAMS: Readonly<
  Record<string, { positionals: readonly string[]; options: readonly ArgSpec[] }>
> = {
  nnUNetv2_plan_and_preprocess: {
    positionals: [],
    options: [
      many("-d", { int: true, required: true }),
      one("-fpe", { default: "DatasetFingerprintExtractor" }),
      one("-npfp", { int: true, default: "8" }),
      flag("--verify_dataset_integrity"),
      flag("--no_pp"),
      flag("--clean"),
      one("-pl", { default: "ExperimentPlanner" }),
      one("-gpu_memory_target"),
      one("-preprocessor_name", { default: "DefaultPreprocessor" }),
      many("-overwrite_target_spacing"),
      one("-overwrite_plans_name"),
      many("-c", { default: ["2d", "3d_fullres", "3d_lowres"] }),
      many("-np", { int: true }),
      flag("--verbose"),
    ],
  },
  nnUNetv2_train: {
    positionals: ["dataset_name_or_id", "configuration", "fold"],
    options: [
      one("-tr", { default: "nnUNetTrainer" }),
      one("-p", { default: "nnUNetPlans" }),
      one("-pretrained_weights"),
      one("-num_gpus", { int: true, default: "1" }),
      flag("--use_compressed"),
      flag("--npz"),
      flag("--c"),
      flag("--val"),
      flag("--val_best"),
      flag("--disable_checkpointing"),
      one("-device", { default: "cuda" }),
    ],
  },
  nnUNetv2_predict: {
    positionals: [],
    options: [
      one("-i", { required: true }),
      one("-o", { required: true }),
      one("-d", { required: true }),
      one("-p", { default: "nnUNetPlans" }),
      one("-tr", { default: "nnUNetTrainer" }),
      one("-c", { required: true }),
      many("-f", { default: ["0", "1", "2", "3", "4"] }),
      one("-step_size", { default: "0.5" }),
      flag("--disable_tta"),
      flag("--verbose"),
      flag("--save_probabilities"),
      flag("--continue_prediction"),
      one("-chk", { default: "checkpoint_final.pth" }),
      one("-npp", { int: true, default: "3" }),
      one("-nps", { int: true, default: "3" }),
      one("-prev_stage_predictions"),
      one("-num_parts", { int: true, default: "1" }),
      one("-part_id", { int: true, default: "0" }),
      one("-device", { default: "cuda" }),
      flag("--disable_progress_bar"),
    ],
  },
};

/** Parses `args` for `program`; throws {@linkcode UsageError} naming the problem. */
export function parseProgramArgs(program: string, args: readonly string[]): Parsed {
  const spec = PROGRAMS[program];
  if (!spec) throw new UsageError(`unknown program '${program}'; known: ${Object.keys(PROGRAMS).join(", ")}`);
  const out: Record<string, string | string[] | undefined> = {};
  const positionals: string[] = [];
  const isOption = (a: string) => /^-[A-Za-z-]/.test(a);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!isOption(a)) {
      positionals.push(a);
      continue;
    }
    const opt = spec.options.find((o) => o.name === a);
    if (!opt) throw new UsageError(`unrecognized arguments: ${a}`);
    const key = a.replace(/^-+/, "");
    if (opt.kind === "flag") {
      out[key] = "true";
      continue;
    }
    const values: string[] = [];
    while (i + 1 < args.length && !isOption(args[i + 1]!)) {
      values.push(args[++i]!);
      if (opt.kind === "one") break;
    }
    if (values.length === 0) {
      throw new UsageError(
        `argument ${a}: expected ${opt.kind === "one" ? "one argument" : "at least one argument"}`,
      );
    }
    if (opt.int && values.some((v) => !/^-?\d+$/.test(v))) {
      throw new UsageError(`argument ${a}: invalid int value: '${values.find((v) => !/^-?\d+$/.test(v))}'`);
    }
    out[key] = opt.kind === "one" ? values[0] : values;
  }
  if (positionals.length > spec.positionals.length) {
    throw new UsageError(`unrecognized arguments: ${positionals.slice(spec.positionals.length).join(" ")}`);
  }
  const missing = [
    ...spec.positionals.slice(positionals.length),
    ...spec.options.filter((o) => o.required && out[o.name.replace(/^-+/, "")] === undefined).map((o) =>
      o.name
    ),
  ];
  if (missing.length) throw new UsageError(`the following arguments are required: ${missing.join(", ")}`);
  spec.positionals.forEach((name, i) => (out[name] = positionals[i]));
  for (const o of spec.options) {
    const key = o.name.replace(/^-+/, "");
    if (out[key] === undefined && o.default !== undefined) {
      out[key] = typeof o.default === "string" ? o.default : [...o.default];
    }
  }
  return out;
}
