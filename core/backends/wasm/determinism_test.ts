import assert from "node:assert/strict";

const script = new URL("./testdata/gradient_digest.ts", import.meta.url).pathname;

async function digests(threads: number): Promise<[string, string]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script],
    env: { UAD_CPU_THREADS: String(threads) },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const [a, b] = text.split(" ");
  return [a!, b!];
}

Deno.test("fused cpu DAE steps give bit-identical loss and gradients on 1, 2 and 3 threads and when repeated", async () => {
  const [one, two, three] = await Promise.all([digests(1), digests(2), digests(3)]);
  assert.equal(one[0], one[1], "repeated on one thread");
  assert.equal(two[0], two[1], "repeated on two threads");
  assert.equal(three[0], three[1], "repeated on three threads");
  assert.equal(two[0], one[0], "two threads against one");
  assert.equal(three[0], one[0], "three threads against one");
});
