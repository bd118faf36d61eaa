import assert from "node:assert/strict";
import { BatchStream } from "./batch_stream.ts";
import { Rng } from "./rng.ts";

Deno.test("BatchStream.upcoming: the batches next() returns, within the epoch, without drawing from the rng", () => {
  const peeked = new BatchStream(10, 3, new Rng(4));
  const plain = new BatchStream(10, 3, new Rng(4));
  assert.deepEqual(peeked.upcoming(2), [], "no order before the first batch: the shuffle is not drawn early");
  for (let i = 0; i < 7; i++) {
    const ahead = peeked.upcoming(5);
    const b = peeked.next();
    assert.deepEqual(b, plain.next(), `batch ${i}: peeking changes nothing`);
    // Within an epoch the first announced batch is the one next() gave; at an epoch's start none is known.
    assert.deepEqual(ahead[0] ?? b, b);
    assert.equal(ahead.length, i % 3 === 0 ? 0 : 3 - (i % 3));
    // 3 batches of 3 per epoch of 10 (the short one dropped): what is left of this epoch.
    const rest = peeked.upcoming(5);
    assert.equal(rest.length, 2 - (i % 3));
    assert.deepEqual(peeked.upcoming(1), rest.slice(0, 1));
  }
});
