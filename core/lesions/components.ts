/**
 * 3D connected components (26-connectivity) of a binary volume, by one raster pass with union-find over
 * provisional labels. Shared by the metrics (small-component removal) and the runner (lesion-wise detection),
 * so that both count the same lesions.
 * @module
 */

/** The components of a mask: a label per voxel (0 outside) and each component's voxel count. */
export interface Components {
  /** Per voxel: 0 outside the mask, else the component's number 1…count (in raster order of first voxel). */
  readonly labels: Int32Array;
  /** Voxels of component k at index k − 1. */
  readonly sizes: readonly number[];
}

/**
 * Labels the 26-connected components of `mask` ([D, H, W], C order, non-zero = in the mask). Components are
 * numbered 1, 2, … in the raster order of their first voxel.
 *
 * @example
 * ```ts
 * import { labelComponents } from "./components.ts";
 * // [1, 3, 5]: two voxels touching diagonally form one component, two side by side another.
 * const c = labelComponents(new Uint8Array([1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1]), [1, 3, 5]);
 * console.assert(c.sizes.length === 2 && c.sizes[0] === 2 && c.sizes[1] === 2);
 * ```
 */
export function labelComponents(mask: Uint8Array, shape: readonly [number, number, number]): Components {
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
  // Roots renumbered 1…count in raster order of their first voxel.
  const number = new Int32Array(next);
  const sizes: number[] = [];
  for (let i = 0; i < mask.length; i++) {
    if (label[i] === 0) continue;
    const root = find(label[i]!);
    if (number[root] === 0) {
      sizes.push(0);
      number[root] = sizes.length;
    }
    const k = number[root]!;
    label[i] = k;
    sizes[k - 1]!++;
  }
  return { labels: label, sizes };
}
