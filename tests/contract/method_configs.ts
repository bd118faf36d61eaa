/**
 * The configs the method contract test runs each method with: its `meta.testConfig`, except for methods
 * whose config names programs on this machine — the external methods run the example programs in
 * `examples/`, the nnU-Net bridge runs nnU-Net where it is on PATH and else its stand-in — with the reason
 * where a config cannot run here.
 * @module
 */
import type { MethodDefinition } from "../../core/mod.ts";
import { numpyMeanConfig, torchDaeConfig, zscoreConfig } from "../../examples/configs.ts";
import { findPython } from "../../examples/python.ts";
import { findOnPath, NNUNET_PROGRAMS } from "../../plugins/nnunet-bridge/commands.ts";
import { installStandIn } from "../../plugins/nnunet-bridge/standin/install.ts";

/** One config of a method for the contract test. */
export interface ContractConfig {
  /** Shown in the test name; "" for the method's own test config. */
  readonly label: string;
  /** Config input (parsed with the method's schema). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Why it cannot run on this machine (the test is then reported as ignored). */
  readonly skip?: string;
}

const numpyPython = await findPython(["numpy"]);
const torchPython = await findPython(["torch", "numpy"]);
/** Tiny PyTorch DAE: two levels, two steps. */
const torchParams = { widths: [4, 8], steps: 2, batchSize: 2, medianKernel: 3, erodeKernel: 3, threads: 1 };

/** nnU-Net's programs: the real ones on PATH, else the stand-in's, installed under `.cache/`. */
const realNnUnet = NNUNET_PROGRAMS.every((p) => findOnPath(p));
const nnunetBin = realNnUnet
  ? undefined
  : await installStandIn(new URL("../../.cache/nnunet-standin/bin", import.meta.url).pathname);

/** The configs `def` is tested with. */
export function contractConfigs(def: MethodDefinition<unknown>): ContractConfig[] {
  const zscore = { label: "zscore.ts", config: zscoreConfig() };
  switch (def.id) {
    case "external":
      return [zscore, {
        label: "numpy_mean.py",
        config: numpyMeanConfig(numpyPython ?? "python3"),
        ...(numpyPython ? {} : { skip: "needs python3 with numpy" }),
      }];
    case "external-supervised":
      return [zscore];
    case "external-noise":
      return [
        { ...zscore, config: { ...zscore.config, noiseSamples: 3 } },
        {
          label: "torch_dae.py",
          config: torchDaeConfig(torchPython ?? "python3", torchParams),
          ...(torchPython ? {} : { skip: "needs python3 with torch and numpy (Debian: python3-torch)" }),
        },
      ];
    case "nnunet":
      return [{
        label: realNnUnet ? "nnU-Net" : "the nnU-Net stand-in",
        config: { ...def.meta.testConfig, ...(nnunetBin ? { bin: nnunetBin } : {}) },
      }];
    default:
      return [{ label: "", config: def.meta.testConfig }];
  }
}
