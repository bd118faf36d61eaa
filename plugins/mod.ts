/**
 * Imports every plugin, which registers itself. Adding a plugin = adding its folder and one line here;
 * `plugins/mod_test.ts` checks this list against the folders.
 * @module
 */
import "./bids/mod.ts";
import "./brats/mod.ts";
import "./dae/mod.ts";
import "./diffusion/mod.ts";
import "./external/mod.ts";
import "./fanogan/mod.ts";
import "./folder/mod.ts";
import "./headct/mod.ts";
import "./metrics/mod.ts";
import "./nnunet-bridge/mod.ts";
import "./noise/mod.ts";
import "./phantom2d/mod.ts";
import "./realbrain/mod.ts";
import "./thresholding/mod.ts";
import "./unet/mod.ts";
import "./vae/mod.ts";
