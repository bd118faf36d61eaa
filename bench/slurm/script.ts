/**
 * The sbatch script of one job array: its resource request, one log file per task, and the list of cells
 * (task i runs cell i with `bench --grid <folder> --cell <id>`, which any node with the checkout and the
 * data can execute). The script is complete: it can be read, and resubmitted by hand.
 * @module
 */
import { UsageError } from "../../cli/args.ts";
import type { PlannedCell } from "../plan.ts";

/** What a script needs. */
export interface ScriptOptions {
  /** Slurm job name. */
  readonly jobName: string;
  /** sbatch options of the request (partition, GPU, time, memory, cores) and the user's extra ones. */
  readonly options: readonly string[];
  /** The array's cells, task i = cell i. */
  readonly cells: readonly PlannedCell[];
  /** Log file pattern (absolute; `%A` array job id, `%a` task index). */
  readonly log: string;
  /** Folder the task runs in (absolute): where the bench was started, so relative paths mean the same. */
  readonly workDir: string;
  /** The Deno executable. */
  readonly deno: string;
  /** The project's `cli/main.ts` (absolute). */
  readonly main: string;
  /** The grid's results folder, exactly as a local run names it (so rows name the same paths). */
  readonly gridDir: string;
  /** What wrote it, for the header. */
  readonly header: string;
}

/** The script text. */
export function sbatchScript(o: ScriptOptions): string {
  const width = Math.max(...o.cells.map((c) => c.cellId.length));
  return [
    "#!/bin/bash",
    `# ${o.header}`,
    `# ${o.cells.length} cell(s); array task i runs cell i of the list below and writes its result to`,
    `# ${o.gridDir}/cells/<cell-id>.json (a failure: <cell-id>.failed.json).`,
    `#SBATCH --job-name=${o.jobName}`,
    `#SBATCH --array=0-${o.cells.length - 1}`,
    `#SBATCH --output=${shellQuote(o.log)}`,
    `#SBATCH --chdir=${shellQuote(o.workDir)}`,
    ...o.options.map((opt) => `#SBATCH ${opt}`),
    "set -eu",
    "cells=(",
    ...o.cells.map((c) => `  ${c.cellId.padEnd(width)}  # ${c.label.replaceAll("\n", " ")}`),
    ")",
    "cell=${cells[$SLURM_ARRAY_TASK_ID]}",
    'echo "cell $cell: task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname) at $(date -Is)"',
    `exec ${shellQuote(o.deno)} run -A ${shellQuote(o.main)} bench --grid ${
      shellQuote(o.gridDir)
    } --cell "$cell"`,
    "",
  ].join("\n");
}

/** `s` as one shell word. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * `--slurm-extra "--account=x --qos high --comment='a b'"` as sbatch options, one per `#SBATCH` line
 * ("--qos high" stays one option). Words split as a shell splits them; an option starts with "-".
 */
export function splitExtra(text: string): string[] {
  const options: string[] = [];
  for (const w of shellWords(text)) {
    if (w.startsWith("-")) {
      const eq = w.indexOf("=");
      options.push(eq < 0 ? w : `${w.slice(0, eq + 1)}${shellQuote(w.slice(eq + 1))}`);
    } else if (options.length) options[options.length - 1] += ` ${shellQuote(w)}`;
    else throw new UsageError(`--slurm-extra: '${w}' is not an sbatch option (options start with '-')`);
  }
  return options;
}

function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= "";
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + ch;
  }
  if (quote) throw new UsageError(`--slurm-extra: unbalanced ${quote} in '${text}'`);
  if (word !== undefined) words.push(word);
  return words;
}
