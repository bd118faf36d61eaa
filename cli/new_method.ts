/**
 * `deno task new-method <name> [--kind trained|training-free]`: writes `plugins/<name>/`, a working method
 * plugin (registration, a config schema whose fields are described, model code, a test, a README with the
 * sections every plugin README has), and adds its line to `plugins/mod.ts`. The method contract tests pass
 * on it as written.
 *
 * The templates are ordinary, tested modules in `cli/scaffold/trained/` and `cli/scaffold/training_free/`;
 * their names (`template-trained`, `TemplateTrained`, …) are replaced by the new method's.
 * @module
 */
import { parseArgs } from "node:util";
import "../plugins/mod.ts";
import { listMethods, listPresets, pluginSource } from "../core/mod.ts";
import { PROJECT_ROOT } from "../runner/code_identity.ts";
import { UsageError } from "./args.ts";

const USAGE = `deno task new-method <name> [--kind trained|training-free]
  Creates plugins/<name>/ (mod.ts, config.ts, model.ts, <name>_test.ts, README.md) and adds its line to
  plugins/mod.ts. --kind trained (the default): a U-Net trained with the core's trainLoop and Adam;
  training-free: a scoring rule without weights. <name> is the method id: lower-case letters and digits,
  words joined by single dashes, starting with a letter (e.g. my-method).
  Then: deno test -A tests/contract/method_contract_test.ts --filter "method contract: <name> ("`;

/** The kinds of method the scaffold writes, and the template folder and names of each. */
const KINDS = {
  trained: { folder: "trained", words: ["template", "trained"] },
  "training-free": { folder: "training_free", words: ["template", "free"] },
} as const;

/** A scaffold kind. */
export type MethodKind = keyof typeof KINDS;

/** Files of a template folder, in order. */
const TEMPLATE_FILES = ["mod.ts", "config.ts", "model.ts", "{snake}_test.ts", "README.md"] as const;

/**
 * The name's forms the templates need: the id (`my-method`), the class (`MyMethod`), the camel-case prefix
 * (`myMethod`) and the file prefix (`my_method`).
 *
 * @example
 * ```ts
 * import { nameForms } from "./new_method.ts";
 * const f = nameForms(["mri", "2d", "ae"]);
 * console.assert(f.kebab === "mri-2d-ae" && f.pascal === "Mri2dAe" && f.camel === "mri2dAe" && f.snake === "mri_2d_ae");
 * ```
 */
export function nameForms(words: readonly string[]) {
  const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);
  return {
    kebab: words.join("-"),
    pascal: words.map(cap).join(""),
    camel: words[0]! + words.slice(1).map(cap).join(""),
    snake: words.join("_"),
  };
}

/** Throws a usage error unless `name` can be a new method's id and folder. */
export function checkName(name: string, root: URL = PROJECT_ROOT): void {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    throw new UsageError(
      `'${name}' is not a method name: use lower-case letters and digits, words joined by single dashes, ` +
        `starting with a letter (e.g. my-method)`,
    );
  }
  const folder = new URL(`plugins/${name}/`, root);
  try {
    Deno.statSync(folder);
    throw new UsageError(`plugins/${name}/ already exists; choose another name`);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const method = listMethods().find((m) => m.id === name);
  if (method) {
    const where = new URL(".", pluginSource("method", name)).href.slice(root.href.length);
    throw new UsageError(`a method '${name}' is already registered (by ${where}); choose another name`);
  }
  const preset = listPresets().find((p) => p.id === `${name}-cpu-small`);
  if (preset) {
    throw new UsageError(
      `the preset '${preset.id}' (of method '${preset.method}') exists; a method '${name}' would register it again`,
    );
  }
}

/**
 * Writes `plugins/<name>/` from the `kind` template and adds its line to `plugins/mod.ts` (kept sorted),
 * then formats what it wrote; returns the files written, relative to `root`. Nothing is left half-written:
 * on an error the folder is removed and `plugins/mod.ts` restored.
 */
export async function newMethod(name: string, kind: MethodKind, root: URL = PROJECT_ROOT): Promise<string[]> {
  checkName(name, root);
  const template = KINDS[kind];
  const from = nameForms(template.words);
  const to = nameForms(name.split("-"));
  const rename = (text: string) =>
    text
      .replaceAll(from.kebab, to.kebab)
      .replaceAll(from.pascal, to.pascal)
      .replaceAll(from.camel, to.camel)
      .replaceAll(from.snake, to.snake)
      // The templates sit one folder deeper than a plugin.
      .replaceAll('"../../../core/', '"../../core/');
  const dir = new URL(`plugins/${name}/`, root);
  const index = new URL("plugins/mod.ts", root);
  const indexBefore = await Deno.readTextFile(index);
  const written: string[] = [];
  try {
    await Deno.mkdir(dir);
    for (const pattern of TEMPLATE_FILES) {
      const source = new URL(
        `scaffold/${template.folder}/${pattern.replace("{snake}", from.snake)}`,
        import.meta.url,
      );
      const target = pattern.replace("{snake}", to.snake);
      await Deno.writeTextFile(new URL(target, dir), rename(await Deno.readTextFile(source)));
      written.push(`plugins/${name}/${target}`);
    }
    await writeAtomic(index, withImport(indexBefore, name));
    await format(root, [...written, "plugins/mod.ts"]);
  } catch (e) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await writeAtomic(index, indexBefore).catch(() => {});
    throw e;
  }
  return [...written, "plugins/mod.ts"];
}

/** `plugins/mod.ts` with `import "./<name>/mod.ts";` among its imports, sorted. */
export function withImport(index: string, name: string): string {
  const line = (n: string) => `import "./${n}/mod.ts";`;
  const lines = index.split("\n");
  const imports = lines.filter((l) => /^import "\.\/[^/]+\/mod\.ts";$/.test(l));
  if (imports.length === 0) throw new Error("plugins/mod.ts: no plugin import lines found to add to");
  const first = lines.indexOf(imports[0]!);
  const sorted = [...imports, line(name)].sort();
  const rest = lines.filter((l, i) => i < first || !imports.includes(l));
  rest.splice(first, 0, ...sorted);
  return rest.join("\n");
}

async function writeAtomic(file: URL, text: string): Promise<void> {
  const tmp = new URL(`${file.href}.tmp-${crypto.randomUUID()}`);
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, file);
}

/** Runs `deno fmt` on `files` (names of different lengths shift the templates' columns). */
async function format(root: URL, files: readonly string[]): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", ...files],
    cwd: root,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`deno fmt failed: ${new TextDecoder().decode(out.stderr)}`);
}

async function main(argv: string[]): Promise<void> {
  // node:util directly: the shared `parse` refuses positional words, and the name is one.
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { kind: { type: "string", default: "trained" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : e}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return console.log(USAGE);
  if (positionals.length !== 1) {
    throw new UsageError(
      `${positionals.length ? `unexpected argument '${positionals[1]}'` : "name the new method"}\n${USAGE}`,
    );
  }
  const kind = values.kind as MethodKind;
  if (!(kind in KINDS)) {
    throw new UsageError(`--kind must be ${Object.keys(KINDS).join(" or ")}, got '${values.kind}'`);
  }
  const name = positionals[0]!;
  const files = await newMethod(name, kind);
  console.log(`created a ${kind} method '${name}':\n${files.map((f) => `  ${f}`).join("\n")}`);
  console.log(
    `next:\n  deno test -A tests/contract/method_contract_test.ts --filter "method contract: ${name} ("\n` +
      `  deno task train --method ${name}\n  then edit plugins/${name}/ (README.md says what to fill in)`,
  );
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : e}`);
    Deno.exit(e instanceof UsageError ? 2 : 1);
  }
}
