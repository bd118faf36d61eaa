/**
 * The test command: runs `deno test` over the whole project and ends with one line `N passed, M failed`.
 * Extra arguments go to `deno test` (e.g. a path or `--filter`).
 * @module
 */
const USAGE = `deno task test [PATH ...] [deno test options]
  Runs every test (or those under PATH, or those a --filter matches) and ends with "N passed, M failed".
  One plugin's contract tests: deno task test tests/contract/method_contract_test.ts --filter "contract: dae ("
  The options are deno test's (deno test --help).`;
if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
  console.log(USAGE);
  Deno.exit(0);
}
const args = ["test", "-A", "--no-check=remote", ...Deno.args];
// Plain output keeps the summary line parseable.
const child = new Deno.Command(Deno.execPath(), {
  args,
  stdout: "piped",
  stderr: "inherit",
  env: { NO_COLOR: "1" },
})
  .spawn();
const decoder = new TextDecoder();
let tail = "";
for await (const chunk of child.stdout) {
  await Deno.stdout.write(chunk);
  tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4000);
}
const status = await child.status;
// deno test's summary: "ok | 12 passed (3 steps) | 0 failed | 1 ignored (2s)"
const summary = [...tail.matchAll(/(\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed(?: \| (\d+) ignored)?/g)]
  .at(-1);
const passed = Number(summary?.[1] ?? 0);
const failed = Number(summary?.[2] ?? (status.success ? 0 : 1));
const ignored = Number(summary?.[3] ?? 0);
console.log(`${passed} passed, ${failed} failed${ignored ? `, ${ignored} skipped` : ""}`);
Deno.exit(status.success && failed === 0 && passed > 0 ? 0 : 1);
