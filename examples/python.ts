/**
 * Finding a Python interpreter that can run the PyTorch example: Debian's `/usr/bin/python3` (with
 * `python3-torch`) first, then `python3` on PATH. Tests that need one skip, saying so, where none is found.
 * @module
 */

/** Interpreters tried, in order. */
const CANDIDATES = ["/usr/bin/python3", "python3"];

/**
 * The first interpreter that imports every module in `modules`, or undefined.
 *
 * @example
 * ```ts ignore
 * const python = await findPython(["torch", "numpy"]);
 * if (!python) console.log("skipped: no python3 with torch");
 * ```
 */
export async function findPython(modules: readonly string[]): Promise<string | undefined> {
  for (const python of CANDIDATES) {
    try {
      const out = await new Deno.Command(python, {
        args: ["-c", `import ${modules.join(", ")}`],
        stdout: "null",
        stderr: "null",
      }).output();
      if (out.success) return python;
    } catch {
      // not installed
    }
  }
  return undefined;
}
