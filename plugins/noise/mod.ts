/**
 * The noise sources: `gaussian`, `coarse` and `simplex`, registered on import, plus the reference's
 * foreground rule for methods that apply noise only inside the foreground.
 *
 * @example
 * ```ts
 * import "./mod.ts";
 * import { getNoise } from "../../core/registry.ts";
 * import { parseConfig } from "../../core/config.ts";
 * import { Rng } from "../../core/rng.ts";
 * const def = getNoise("coarse");
 * const noise = def.create(parseConfig(def.schema, { resolution: 8 }, "coarse"));
 * const sample = noise.sample([2, 64, 64, 1], new Rng(0)); // [2, 64, 64, 1]
 * ```
 * @module
 */
import { registerNoise } from "../../core/registry.ts";
import { coarseNoise } from "./coarse.ts";
import { gaussianNoise } from "./gaussian.ts";
import { simplexNoise } from "./simplex.ts";

registerNoise(gaussianNoise);
registerNoise(coarseNoise);
registerNoise(simplexNoise);

export { foregroundFromImage } from "./foreground.ts";
