import assert from "node:assert/strict";
import { formatTrainLog, parseTrainLog, readTrainLog, TrainLog } from "./train_log.ts";

Deno.test("train log: CSV round trip; a resumed run replaces the lines from its checkpoint on", async () => {
  const path = `${await Deno.makeTempDir()}/train_log.csv`;
  const log = new TrainLog(path);
  for (let step = 1; step <= 5; step++) {
    log.add({
      step,
      loss: 1 / step,
      lr: 1e-3,
      ...(step % 2 === 0 ? { validationLoss: 0.5 / step } : {}),
      seconds: step,
    });
  }
  await log.flush();
  const back = await readTrainLog(path);
  assert.deepEqual(back.map((r) => r.step), [1, 2, 3, 4, 5]);
  assert.equal(back[1]!.validationLoss, 0.25);
  assert.equal(back[0]!.validationLoss, undefined);
  assert.equal(back[4]!.loss, 0.2);
  // Killed after step 5, resumed from a checkpoint at step 3: steps 4… are logged again, not twice.
  const resumed = new TrainLog(path, back);
  resumed.add({ step: 4, loss: 0.26, seconds: 0.1 });
  assert.deepEqual(resumed.rows.map((r) => [r.step, r.loss]), [[1, 1], [2, 0.5], [3, 1 / 3], [4, 0.26]]);
  assert.match(formatTrainLog(resumed.rows), /^step,loss,lr,validation_loss,seconds\n1,1,0\.001,,1\.000\n/);
  assert.throws(() => parseTrainLog("a,b\n1,2", "x.csv"), /x\.csv: not a training log/);
  assert.throws(
    () => parseTrainLog("step,loss,lr,validation_loss,seconds\nx,1,,,1", "x.csv"),
    /line 2 is malformed/,
  );
  assert.deepEqual(await readTrainLog(`${path}.missing`), []);
});
