/**
 * Error type for bad user input (files, flags, rows, rule files), which the
 * command line reports with exit code 2 rather than as a crash.
 * @module
 */

/**
 * Bad input from the user: a missing file, a malformed row, an unknown flag or an
 * invalid rule file. The message always names the offending path or field.
 *
 * @example
 * ```ts
 * throw new InputError(`reports.csv: row 3 (line 4), field "patient_id": must not be empty`);
 * ```
 */
export class InputError extends Error {
  /** Creates an input error with a message naming the file and field at fault. */
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/**
 * Reads a text file, turning "not found" and similar failures into an
 * {@link InputError} that names the path and what it was meant to be.
 *
 * @example
 * ```ts
 * const text = await readTextInput("reports.csv", "reports file");
 * ```
 */
export async function readTextInput(path: string, what: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new InputError(`${what} not found: ${path}`);
    if (err instanceof Deno.errors.IsADirectory) {
      throw new InputError(`${what} is a folder, not a file: ${path}`);
    }
    throw new InputError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}
