/**
 * Predict on new scans: a trained run's model scores scans from outside any dataset. Each scan is prepared by
 * the run's dataset with the recorded config and channel order (`DatasetDefinition.prepareScan`: the code that
 * prepared the training data), scored, its map checked like every score map, and the map put back on the
 * scan's own voxel grid (`scan_grid.ts`). The output folder gets `<scan>.nii.gz` and a `<scan>.png` overview
 * per scan, and `predict.json`, which says "complete" only once every scan is written.
 * @module
 */
import { resolve, sep } from "node:path";
import * as v from "valibot";
import {
  type BackendChoice,
  type Case,
  type DatasetDefinition,
  type MethodInstance,
  type ProgressReporter,
  sampleShapeOf,
  selectBackend,
  silentProgress,
} from "../core/mod.ts";
import { statRegularFile } from "../core/files.ts";
import { writeJsonAtomic } from "./atomic.ts";
import { scoreCase } from "./evaluate.ts";
import { writeHeatmaps } from "./heatmaps.ts";
import { dataIdentity, datasetCodeVersion, runCodeVersion } from "./identity.ts";
import { readRunRecord, type RunRecord } from "./run_dir.ts";
import { findScans, readScan, type ScanFiles } from "./scan_inputs.ts";
import { writeScoresOnScanGrid } from "./scan_grid.ts";
import { type ResolvedRun, resolveRun } from "./spec.ts";
import { readState } from "./state_file.ts";

/** A trained model and the dataset that prepares scans for it. */
export interface ScanModel {
  /** The dataset definition the model was trained on, with the run's config and channel order. */
  readonly dataset: {
    readonly def: DatasetDefinition<unknown>;
    readonly config: unknown;
    readonly channels: readonly string[];
  };
  /** The method's id, named in errors about its score maps. */
  readonly methodId: string;
  /** Makes the trained method for samples of this shape (called once, with the first prepared scan's). */
  load(sampleShape: readonly number[]): Promise<MethodInstance>;
}

/** What was written for one scan (a `predict.json` entry). */
export interface ScanResult {
  /** The scan's id: the stem of its outputs. */
  readonly id: string;
  /** Its input files by channel. */
  readonly files: Readonly<Record<string, string>>;
  /** Its foreground mask, where one was given. */
  readonly foreground?: string;
  /** NIfTI files beside it that were left out. */
  readonly ignored?: readonly string[];
  /** The score map on the scan's grid (`<id>.nii.gz`, in the output folder). */
  readonly scores: string;
  /** The overview picture of the prepared slices (`<id>.png`). */
  readonly overview: string;
  /** The scan's grid (the first channel file's shape, canonical axis order). */
  readonly grid: readonly number[];
  /** The prepared case's shape [D, H, W, C], as the model saw it. */
  readonly prepared: readonly number[];
  /** Smallest and largest score of the map written. */
  readonly scoreRange: readonly [number, number];
}

/** Options of {@linkcode predictScans}. */
export interface PredictScansOptions {
  /** Makes the progress reporter ("predict", in scans). */
  readonly progress?: (stage: string, unit: string) => ProgressReporter;
  /** Receives each scan's result once its files are written. */
  readonly onScan?: (r: ScanResult) => void;
}

/**
 * Prepares, scores and writes each scan into `outDir` (`<id>.nii.gz` on the scan's grid, `<id>.png`); throws
 * naming the scan on the first that the model cannot take. The method is disposed at the end.
 */
export async function predictScans(
  model: ScanModel,
  scans: readonly ScanFiles[],
  outDir: string,
  o: PredictScansOptions = {},
): Promise<ScanResult[]> {
  const { def, config, channels } = model.dataset;
  const prepare = def.prepareScan;
  if (!prepare) throw new Error(cannotPrepare(def));
  await Deno.mkdir(outDir, { recursive: true });
  const progress = o.progress?.("predict", "scans") ?? silentProgress;
  const results: ScanResult[] = [];
  let method: MethodInstance | undefined;
  let shape: string | undefined;
  try {
    for (const s of scans) {
      const scan = await readScan(s, def.dims);
      const c: Case = { ...(await prepare.call(def, config, scan)), id: s.id };
      const sampleShape = sampleShapeOf(c, def.dims);
      if (c.shape[3] !== channels.length) {
        throw new Error(
          `scan '${s.id}': prepared with ${c.shape[3]} channel(s); the model takes ${channels.length}`,
        );
      }
      method ??= await model.load(sampleShape);
      shape ??= sampleShape.join();
      if (sampleShape.join() !== shape) {
        throw new Error(
          `scan '${s.id}': prepared samples of [${sampleShape}], the model was made for [${shape}]`,
        );
      }
      const { scores, reconstruction } = await scoreCase(
        method,
        c,
        def.dims,
        { methodId: model.methodId },
        method.reconstruct !== undefined,
      );
      const values = await writeScoresOnScanGrid(`${outDir}/${s.id}.nii.gz`, scores, c, scan.channels[0]!);
      await writeHeatmaps(outDir, c, scores, reconstruction);
      let lo = Infinity, hi = -Infinity;
      for (const x of values) (lo = Math.min(lo, x)), (hi = Math.max(hi, x));
      const result: ScanResult = {
        id: s.id,
        files: Object.fromEntries(channels.map((ch, i) => [ch, s.files[i]!])),
        ...(s.foreground ? { foreground: s.foreground } : {}),
        ...(s.ignored.length ? { ignored: s.ignored } : {}),
        scores: `${s.id}.nii.gz`,
        overview: `${s.id}.png`,
        grid: scan.channels[0]!.shape,
        prepared: c.shape,
        scoreRange: [lo, hi],
      };
      results.push(result);
      o.onScan?.(result);
      progress.update(results.length, scans.length);
    }
  } finally {
    progress.finish();
    method?.dispose();
  }
  return results;
}

/** Why a dataset's model scores no new scan. */
function cannotPrepare(def: DatasetDefinition<unknown>): string {
  const why = def.source === "generated"
    ? "it generates its cases from its config"
    : "it makes its cases itself and prepares no given scan (it defines no prepareScan)";
  return `dataset '${def.id}' (${def.description}): ${why}, so a model trained on it cannot score scans ` +
    `from files; train on a dataset that reads scans (e.g. folder, folder3d, brats, headct)`;
}

/** Options of {@linkcode predict}. */
export interface PredictOptions {
  /** The trained run's directory (`runs/<run-id>`). */
  readonly runDir: string;
  /** A NIfTI file, a folder holding one scan's channel files, or a folder of scans. */
  readonly input: string;
  /** The output folder (created; must lie outside `input`). */
  readonly outDir: string;
  /** Backend (default: the run's). */
  readonly backend?: BackendChoice;
  /** Predict even though the dataset's preprocessing code changed since the model was trained. */
  readonly allowChangedPreprocessing?: boolean;
  /** Makes progress reporters. */
  readonly progress?: (stage: string, unit: string) => ProgressReporter;
  /** Receives one-line messages. */
  readonly log?: (line: string) => void;
  /** Also log why the backend was chosen. */
  readonly verbose?: boolean;
}

/** `predict.json`: what was predicted with which model and code, and how far it got. */
export interface PredictRecord {
  /** "complete" once every scan is written; "failed" with `error` otherwise. */
  readonly status: "complete" | "failed";
  /** The run whose model scored the scans. */
  readonly runId: string;
  /** Its directory. */
  readonly runDir: string;
  /** Its dataset, method and noise. */
  readonly dataset: string;
  /** The method's id. */
  readonly method: string;
  /** The noise the model was trained with, if any. */
  readonly noise?: string;
  /** The model's channels, in order. */
  readonly channels: readonly string[];
  /** The run's preprocessing hash (the parameters scans were prepared with). */
  readonly preprocessingHash: string;
  /** Code versions: the run's (as trained) and this checkout's, which prepared and scored the scans. */
  readonly code: { readonly run?: string; readonly now: string };
  /** Whether the dataset's preprocessing code is the one the model was trained with. */
  readonly preprocessingCode: "unchanged" | "changed" | "unknown";
  /** The backend used. */
  readonly backend: string;
  /** When prediction started and finished (ISO 8601). */
  readonly started: string;
  /** When it ended. */
  readonly finished: string;
  /** The error that stopped it. */
  readonly error?: string;
  /** NIfTI files of the input folder that were left out (annotations). */
  readonly ignored?: readonly string[];
  /** The scans written, in order. */
  readonly scans: readonly ScanResult[];
}

/** The channel list a run recorded with its preprocessing. */
const channelsSchema = v.object({
  channels: v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1)),
});

/**
 * Scores the scans under `o.input` with the model of `o.runDir` into `o.outDir` and writes `predict.json`
 * there (also when a scan fails: "failed", with the scans written before it).
 */
export async function predict(o: PredictOptions): Promise<PredictRecord> {
  const log = o.log ?? (() => {});
  const started = new Date().toISOString();
  const record = await readRunRecord(o.runDir);
  const trained = record.status === "complete" || record.status === "trained" || record.trained === true;
  if (!trained) {
    throw new Error(
      `${o.runDir}: the run has no trained model (status: ${record.status}); ` +
        (record.status === "interrupted"
          ? `resume it: deno task train --resume ${o.runDir}`
          : "train it again"),
    );
  }
  await statRegularFile(`${o.runDir}/model.state`, `the trained model of ${o.runDir}`);
  const r = resolveRun({ ...record.spec, ...(o.backend ? { backend: o.backend } : {}) });
  const def = r.dataset.def;
  if (!def.prepareScan) throw new Error(cannotPrepare(def));
  const recorded = v.safeParse(channelsSchema, record.preprocessing);
  if (!recorded.success) {
    throw new Error(`${o.runDir}/run.json: preprocessing.channels is missing or not a list of channel names`);
  }
  const channels = recorded.output.channels;
  const preprocessingCode = await preprocessingCodeState(r, record);
  if (preprocessingCode === "changed" && !o.allowChangedPreprocessing) {
    throw new Error(
      `${o.runDir}: the preprocessing code of dataset '${def.id}' changed since the model was trained, so new ` +
        `scans would not be prepared as its training data were; check out the code the run was trained with ` +
        `(run.json's identity), or pass --allow-changed-preprocessing to predict anyway (predict.json says so)`,
    );
  }
  if (preprocessingCode === "changed") {
    log(`warning: dataset '${def.id}' preprocessing code changed since training`);
  }
  if (preprocessingCode === "unknown") log(`note: ${o.runDir}/run.json records no code identity to check`);
  const found = await findScans(o.input, channels);
  await checkOutsideInput(o.outDir, o.input, found.scans);
  const ignored = [...found.ignored, ...found.scans.flatMap((s) => s.ignored)];
  if (ignored.length) log(`left out (not a channel of the model): ${ignored.join(", ")}`);
  const backend = await selectBackend(r.spec.backend).catch((e) => {
    if (o.backend) throw e;
    throw new Error(
      `${
        e instanceof Error ? e.message : e
      } (the run's backend, '${r.spec.backend}'; pass --backend auto or cpu)`,
    );
  });
  log(`backend: ${backend.name} (${backend.reason})`);
  if (o.verbose) { for (const d of backend.details ?? []) log(`backend detail: ${d}`); }
  log(
    `model: ${record.runId} (${r.spec.method}${r.spec.noise ? `, ${r.spec.noise}` : ""} on ${def.id}, ` +
      `channels ${channels.join(", ")}); ${found.scans.length} scan(s)`,
  );
  await Deno.remove(`${o.outDir}/predict.json`).catch(() => {}); // an old one would look complete
  const scans: ScanResult[] = [];
  const base = {
    runId: record.runId,
    runDir: o.runDir,
    dataset: def.id,
    method: r.spec.method,
    ...(r.spec.noise ? { noise: r.spec.noise } : {}),
    channels,
    preprocessingHash: record.preprocessingHash,
    code: {
      ...(record.identity ? { run: record.identity.code } : {}),
      now: (await runCodeVersion(r)).version,
    },
    preprocessingCode,
    backend: backend.name,
    started,
    ...(found.ignored.length ? { ignored: found.ignored } : {}),
  };
  const model: ScanModel = {
    dataset: { def, config: r.dataset.config, channels },
    methodId: r.method.def.id,
    load: async (sampleShape) => {
      const noise = r.noise ? r.noise.def.create(r.noise.config) : undefined;
      const method = r.method.def.create(r.method.config, [...sampleShape], r.spec.seed, noise);
      try {
        method.load(await readState(`${o.runDir}/model.state`));
      } catch (e) {
        method.dispose();
        throw e;
      }
      return method;
    },
  };
  try {
    await predictScans(model, found.scans, o.outDir, {
      ...(o.progress ? { progress: o.progress } : {}),
      onScan: (s) => scans.push(s),
    });
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    const failed: PredictRecord = {
      status: "failed",
      ...base,
      finished: new Date().toISOString(),
      error,
      scans,
    };
    await writeJsonAtomic(`${o.outDir}/predict.json`, failed).catch(() => {});
    throw e;
  }
  const done: PredictRecord = { status: "complete", ...base, finished: new Date().toISOString(), scans };
  await writeJsonAtomic(`${o.outDir}/predict.json`, done);
  return done;
}

/**
 * Whether the dataset's preprocessing code is the one the run was trained with: the run's data identity hashes
 * its preprocessing hash with that code's version, so the same hash with this checkout's version must match.
 */
async function preprocessingCodeState(
  r: ResolvedRun,
  record: RunRecord,
): Promise<PredictRecord["preprocessingCode"]> {
  if (!record.identity) return "unknown";
  const now = await dataIdentity(record, (await datasetCodeVersion(r)).version);
  return now === record.identity.data ? "unchanged" : "changed";
}

/** Refuses an output folder inside the input folder, or an output that would overwrite an input file. */
async function checkOutsideInput(outDir: string, input: string, scans: readonly ScanFiles[]): Promise<void> {
  const real = (p: string) => Deno.realPath(p).catch(() => resolve(p));
  const [out, inp] = [await real(outDir), await real(input)];
  const isDir = (await Deno.stat(input)).isDirectory;
  if (isDir && (out === inp || out.startsWith(inp + sep))) {
    throw new Error(
      `--out ${outDir} lies inside --input ${input}: its score maps would be read as scans next time; ` +
        `choose a folder outside the input`,
    );
  }
  for (const s of scans) {
    const target = resolve(out, `${s.id}.nii.gz`);
    for (const f of [...s.files, ...(s.foreground ? [s.foreground] : [])]) {
      if ((await real(f)) === target) {
        throw new Error(
          `--out ${outDir}: ${s.id}.nii.gz would overwrite the input ${f}; choose another folder`,
        );
      }
    }
  }
}
