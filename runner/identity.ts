/**
 * What a result depends on, as hashes: the code a run executes, the identity of its data (content,
 * preprocessing parameters and preprocessing code), the backend, and files outside the project that a
 * method names (external programs). A bench cell's id hashes all of them with the resolved configuration,
 * so a change of any one reruns the cell, and nothing else does.
 * @module
 */
import { type Dataset, pluginSource } from "../core/mod.ts";
import { type CodeVersion, codeVersionOf, sha256Hex } from "./code_identity.ts";
import { hashJson, type ResolvedRun } from "./spec.ts";

/** Everything a run's result depends on besides its configuration. */
export interface RunIdentity {
  /** Version of the code the run executes (runner, core, statistics, its plugins, dependencies). */
  readonly code: string;
  /** Identity of the data: the dataset's preprocessing hash and the version of its preprocessing code. */
  readonly data: string;
  /** The concrete backend ("cpu", "webgpu", …; never "auto"). */
  readonly backend: string;
  /** SHA-256 of each file a method names outside the project (external programs), by path. */
  readonly external: Readonly<Record<string, string>>;
}

/** The modules a run starts from: the runner and every plugin it uses (their closures are the run's code). */
export function runEntries(r: ResolvedRun): URL[] {
  return [
    new URL("./run.ts", import.meta.url),
    new URL("./spec.ts", import.meta.url),
    new URL(pluginSource("method", r.method.def.id)),
    ...(r.noise ? [new URL(pluginSource("noise", r.noise.def.id))] : []),
    new URL(pluginSource("dataset", r.dataset.def.id)),
    ...r.spec.metrics.map((id) => new URL(pluginSource("metric", id))),
  ];
}

/** The version of the code a run executes. */
export function runCodeVersion(r: ResolvedRun): Promise<CodeVersion> {
  return codeVersionOf(runEntries(r));
}

/** The version of the dataset plugin's code (its import closure), which preprocessing depends on. */
export function datasetCodeVersion(r: ResolvedRun): Promise<CodeVersion> {
  return codeVersionOf([new URL(pluginSource("dataset", r.dataset.def.id))]);
}

/** The data identity of a loaded dataset: its preprocessing hash and the version of the code behind it. */
export async function dataIdentity(
  dataset: Pick<Dataset, "preprocessingHash">,
  datasetCode: string,
): Promise<string> {
  return (await hashJson({ preprocessing: dataset.preprocessingHash, code: datasetCode })).slice(0, 16);
}

/** SHA-256 of each file the method names outside the project (`MethodDefinition.identityFiles`). */
export async function externalFileHashes(r: ResolvedRun): Promise<Record<string, string>> {
  const files = r.method.def.identityFiles?.(r.method.config) ?? [];
  const out: Record<string, string> = {};
  for (const f of files) {
    try {
      out[f] = await sha256Hex(await Deno.readFile(f));
    } catch (e) {
      throw new Error(
        `method '${r.method.def.id}': cannot read ${f}, which its config names ` +
          `(${e instanceof Error ? e.message : e})`,
      );
    }
  }
  return out;
}

/** The experiment: the resolved configuration minus the backend and the data location. */
export function specIdentity(r: ResolvedRun): Record<string, unknown> {
  return {
    dataset: r.spec.dataset,
    datasetConfig: r.dataset.config,
    method: r.spec.method,
    methodConfig: r.method.config,
    noise: r.spec.noise ?? null,
    noiseConfig: r.noise?.config ?? null,
    seed: r.spec.seed,
    metrics: r.spec.metrics,
  };
}

/** A cell's id: 16 hex characters over the experiment and everything its result depends on. */
export async function cellId(r: ResolvedRun, identity: RunIdentity): Promise<string> {
  return (await hashJson({ experiment: specIdentity(r), ...identity })).slice(0, 16);
}
