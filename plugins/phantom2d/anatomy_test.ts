import assert from "node:assert/strict";
import { Rng } from "../../core/rng.ts";
import { fromElliptic, headFrame, renderAnatomy, sampleAnatomy, Tissue } from "./anatomy.ts";

Deno.test("the brain lies inside the head and holds every brain tissue", () => {
  const anatomy = sampleAnatomy(new Rng(1));
  const slice = renderAnatomy(anatomy, 0, 64);
  const counts = new Array(8).fill(0);
  for (let p = 0; p < slice.tissue.length; p++) {
    const t = slice.tissue[p]!;
    counts[t]++;
    if (slice.brain[p]) assert.equal(slice.head[p], 1);
    const inBrain = t === Tissue.csf || t === Tissue.grey || t === Tissue.white || t === Tissue.vessel ||
      t === Tissue.choroid;
    assert.equal(slice.brain[p] === 1, inBrain, `pixel ${p}: tissue ${t}`);
    assert.equal(slice.head[p] === 1, t !== Tissue.air);
  }
  for (const t of [Tissue.scalp, Tissue.bone, Tissue.csf, Tissue.grey, Tissue.white, Tissue.vessel]) {
    assert.ok(counts[t] > 0, `tissue ${t} missing`);
  }
  // White matter dominates the brain, as in adult axial slices through the ventricles.
  assert.ok(counts[Tissue.white] > counts[Tissue.grey] && counts[Tissue.grey] > counts[Tissue.csf]);
});

Deno.test("the head narrows towards the vertex and ventricles fade out", () => {
  const anatomy = sampleAnatomy(new Rng(2));
  const area = (level: number) => renderAnatomy(anatomy, level, 64).brain.reduce((s, v) => s + v, 0);
  assert.ok(area(0.8) < area(0.4) && area(0.4) < area(0));
  const ventricle = (level: number) => {
    const s = renderAnatomy(anatomy, level, 64);
    // Count CSF near the midline, away from the cortex.
    let count = 0;
    for (let i = 16; i < 48; i++) {
      for (let j = 24; j < 40; j++) {
        count += s.tissue[i * 64 + j] === Tissue.csf ? 1 : 0;
      }
    }
    return count;
  };
  assert.ok(ventricle(anatomy.ventricles.level) > ventricle(0.85));
});

Deno.test("subjects differ in head shape", () => {
  const a = sampleAnatomy(new Rng(3));
  const b = sampleAnatomy(new Rng(4));
  assert.notDeepEqual(a.semiAxes, b.semiAxes);
  const sa = renderAnatomy(a, 0, 48);
  const sb = renderAnatomy(b, 0, 48);
  assert.ok(sa.tissue.some((t, p) => t !== sb.tissue[p]));
});

Deno.test("fromElliptic maps the brain outline onto the image ellipse", () => {
  const anatomy = sampleAnatomy(new Rng(5));
  const frame = headFrame(anatomy, 0.2);
  const [x, y] = fromElliptic(frame, 0, 0);
  assert.deepEqual([x, y], [anatomy.centre[0], anatomy.centre[1]]);
  const [ex, ey] = fromElliptic(frame, 1, 0);
  assert.ok(Math.abs(Math.hypot(ex - x, ey - y) - frame.a) < 1e-12);
});
