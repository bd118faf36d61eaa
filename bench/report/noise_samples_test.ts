import assert from "node:assert/strict";
import "../../plugins/noise/mod.ts";
import type { Case } from "../../core/mod.ts";
import { encodePng } from "../../core/png.ts";
import { drawNoiseSamples, pngDataUri } from "./noise_samples.ts";

/** A case of 3 slices of 4×4 pixels, 2 channels; slice 1 (the middle) is 0.5 with a foreground square. */
function testCase(): Case {
  const image = new Float32Array(3 * 16 * 2).fill(0.5);
  const foreground = new Uint8Array(3 * 16);
  for (const i of [5, 6, 9, 10]) foreground[16 + i] = 1;
  return { id: "c", shape: [3, 4, 4, 2], image, foreground };
}

Deno.test("noise samples: noise, clean and noisy panels per noise, 2D and 3D", async () => {
  for (const dims of [2, 3] as const) {
    const samples = await drawNoiseSamples(
      [{ id: "gaussian", config: { sigma: 0.2 }, label: "G" }, { id: "coarse", config: {} }],
      testCase(),
      dims,
    );
    assert.deepEqual(samples.map((s) => [s.label, s.id]), [["G", "gaussian"], ["coarse", "coarse"]]);
    const [noise, clean, noisy] = samples[0]!.panels;
    assert.deepEqual(samples[0]!.panels.map((p) => p.caption), ["noise", "clean", "noisy"]);
    // Clean: 0.5 everywhere → grey 128; noisy differs (noise inside the foreground square).
    assert.equal(clean!.src, pngDataUri(encodePng(new Uint8Array(16).fill(128), 4, 4, 1)));
    assert.notEqual(noisy!.src, clean!.src);
    assert.notEqual(noise!.src, clean!.src);
    assert.match(noise!.src, /^data:image\/png;base64,iVBORw0KGgo/);
  }
});
