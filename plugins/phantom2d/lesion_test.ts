import assert from "node:assert/strict";
import { Rng } from "../../core/rng.ts";
import { renderAnatomy, sampleAnatomy } from "./anatomy.ts";
import { Compartment } from "./contrast.ts";
import { renderLesions, sampleLesions } from "./lesion.ts";

const SETTINGS = {
  axialRange: [-0.3, 0.5] as [number, number],
  maxLesions: 3,
  lesionSize: [0.05, 0.25] as [number, number],
  oedemaProbability: 1,
  ringEnhancementProbability: 1,
};

/** Renders lesions of subject `seed` over many levels at 64 × 64; returns per-compartment voxel counts. */
function census(seed: number, settings = SETTINGS) {
  const anatomy = sampleAnatomy(new Rng(seed));
  const set = sampleLesions(new Rng(seed + 100), anatomy, settings);
  const counts = new Array(5).fill(0);
  for (let level = -0.5; level <= 0.7; level += 0.05) {
    const slice = renderAnatomy(anatomy, level, 64);
    const les = renderLesions(set, level, 64, slice.brain);
    for (let p = 0; p < les.compartment.length; p++) {
      const code = les.compartment[p]!;
      counts[code]++;
      if (code > 0) {
        assert.equal(slice.brain[p], 1, "lesion outside the brain");
        assert.ok(les.owner[p]! < set.lesions.length);
        assert.ok(Math.abs(les.texture[p]! - 1) <= 0.08 + 1e-6);
      } else {
        assert.equal(les.texture[p], 1);
      }
    }
  }
  return { set, counts };
}

Deno.test("primaries with oedema and a ring have every compartment; the oedema is larger than the core", () => {
  for (const seed of [1, 2, 3, 4]) {
    const { set, counts } = census(seed);
    assert.ok(set.lesions.length >= 1 && set.lesions.length <= 3);
    const primary = set.lesions[0]!;
    assert.ok(primary.oedema > 1 && primary.necrosis > 0);
    for (const code of [Compartment.oedema, Compartment.rim, Compartment.necrosis]) {
      assert.ok(counts[code] > 0, `seed ${seed}: compartment ${code} missing`);
    }
    assert.ok(counts[Compartment.oedema] > counts[Compartment.necrosis]);
  }
});

Deno.test("without oedema or rings, lesions are solid cores", () => {
  const { set, counts } = census(7, { ...SETTINGS, oedemaProbability: 0, ringEnhancementProbability: 0 });
  assert.ok(set.lesions.every((l) => l.oedema === 1 && l.necrosis === 0));
  assert.equal(counts[Compartment.oedema] + counts[Compartment.rim] + counts[Compartment.necrosis], 0);
  assert.ok(counts[Compartment.core] > 0);
});

Deno.test("lesion sizes follow the configured range: primaries large, satellites small", () => {
  const radii = { primary: [] as number[], satellite: [] as number[] };
  for (let seed = 0; seed < 40; seed++) {
    const anatomy = sampleAnatomy(new Rng(seed));
    const set = sampleLesions(new Rng(seed + 1000), anatomy, SETTINGS);
    set.lesions.forEach((l, k) => (k === 0 ? radii.primary : radii.satellite).push(l.radius));
  }
  // Brain widths are about 1.0–1.35 image units, so diameters 0.05–0.25 of it give radii 0.025–0.17.
  assert.ok(Math.min(...radii.primary) > Math.max(...radii.satellite) * 0.6);
  assert.ok(Math.max(...radii.primary) < 0.17 && Math.min(...radii.satellite) > 0.025);
  assert.ok(radii.satellite.length > 10);
});
