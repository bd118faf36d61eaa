/**
 * 3D connected components (26-connectivity) of a binary volume, by one raster pass with union-find over
 * provisional labels, and removal of small components.
 * @module
 */

/** What {@linkcode removeSmallComponents} did. */
export interface ComponentFilterStats {
  /** Components found. */
  readonly components: number;
  /** Components removed (size <= minSize). */
  readonly removed: number;
  /** Voxels removed. */
  readonly removedVoxels: number;
}

/**
 * Clears, in place, every 26-connected component of `mask` ([D, H, W], C order, 0/1) with at most `minSize`
 * voxels.
 *
 * @example
 * ```ts
 * import { removeSmallComponents } from "./connected_components.ts";
 * const mask = new Uint8Array([1, 0, 0, 1, 1, 1]); // [1, 1, 6]
 * removeSmallComponents(mask, [1, 1, 6], 1); // the lone voxel goes
 * console.assert(mask[0] === 0 && mask[4] === 1);
 * ```
 */
export function removeSmallComponents(
  mask: Uint8Array,
  shape: readonly [number, number, number],
  minSize: number,
): ComponentFilterStats {
  const [D, H, W] = shape;
  if (D * H * W !== mask.length) {
    throw new Error(`connected components: shape [${shape.join(", ")}] does not hold ${mask.length} voxels`);
  }
  const label = new Int32Array(mask.length);
  let parent = new Int32Array(1024);
  let next = 1;
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]!]!;
      a = parent[a]!;
    }
    return a;
  };
  const union = (a: number, b: number): number => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return ra;
    const r = ra < rb ? ra : rb;
    parent[ra] = r;
    parent[rb] = r;
    return r;
  };
  const plane = H * W;
  for (let z = 0; z < D; z++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = z * plane + y * W + x;
        if (mask[i] === 0) continue;
        let l = 0;
        // The 13 neighbours already visited in raster order: 9 in the previous slice, 4 in this one.
        for (let dz = -1; dz <= 0; dz++) {
          const zz = z + dz;
          if (zz < 0) continue;
          for (let dy = -1; dy <= 1; dy++) {
            const yy = y + dy;
            if (yy < 0 || yy >= H) continue;
            if (dz === 0 && dy === 1) continue;
            for (let dx = -1; dx <= 1; dx++) {
              if (dz === 0 && dy === 0 && dx >= 0) continue;
              const xx = x + dx;
              if (xx < 0 || xx >= W) continue;
              const n = label[zz * plane + yy * W + xx]!;
              if (n !== 0) l = l === 0 ? find(n) : union(l, n);
            }
          }
        }
        if (l === 0) {
          if (next === parent.length) {
            const grown = new Int32Array(parent.length * 2);
            grown.set(parent);
            parent = grown;
          }
          parent[next] = next;
          l = next++;
        }
        label[i] = l;
      }
    }
  }
  const size = new Int32Array(next);
  for (let i = 0; i < mask.length; i++) if (label[i] !== 0) size[label[i] = find(label[i]!)]!++;
  let components = 0;
  let removed = 0;
  for (let r = 1; r < next; r++) {
    if (size[r]! > 0) {
      components++;
      if (size[r]! <= minSize) removed++;
    }
  }
  let removedVoxels = 0;
  for (let i = 0; i < mask.length; i++) {
    if (label[i] !== 0 && size[label[i]!]! <= minSize) {
      mask[i] = 0;
      removedVoxels++;
    }
  }
  return { components, removed, removedVoxels };
}
