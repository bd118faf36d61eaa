/**
 * A result row of the gpu-check (one line of the report's table) and the messages a part's worker process
 * sends to the orchestrator, as valibot schemas: the orchestrator validates every message it reads.
 * @module
 */
import * as v from "valibot";
import { PARTS } from "./plan.ts";

/**
 * Outcomes a row can have: checks pass or fail (or were skipped); measurements are "measured"; facts are
 * "info"; a backend or reference that is absent is "unavailable".
 */
export const RESULTS = ["pass", "fail", "skipped", "measured", "info", "unavailable"] as const;

/** Speed figures that have a PyTorch counterpart (the ratio column pairs them). */
export const SPEED_KEYS = ["dae2d-train", "dae2d-score"] as const;

/** Schema of {@linkcode Row}. */
export const rowSchema = v.strictObject({
  /** The part that produced the row ("backends" for the discovery lines). */
  part: v.picklist(["backends", ...PARTS]),
  /** What was checked or measured. */
  check: v.string(),
  /** The backend (cpu, cuda, webgpu, "pytorch tf32", ...). */
  backend: v.string(),
  /** The outcome. */
  result: v.picklist(RESULTS),
  /** The figure's number, where there is one. */
  value: v.optional(v.number()),
  /** The figure's unit: "ms/step", "slices/s", "rel. error", "GiB", ... */
  unit: v.optional(v.string()),
  /** Pairs a speed figure with PyTorch's. */
  speedKey: v.optional(v.picklist(SPEED_KEYS)),
  /** PyTorch's figure for the same measurement on the same machine (filled in by the orchestrator). */
  torch: v.optional(v.strictObject({ value: v.number(), unit: v.string(), mode: v.string() })),
  /** Our time ÷ PyTorch's time for the same work (below 1: faster than PyTorch). */
  ratio: v.optional(v.number()),
  /** Errors, tolerances, what was skipped and why. */
  detail: v.optional(v.string()),
});

/** One line of the report's table. */
export type Row = v.InferOutput<typeof rowSchema>;

/** Schema of {@linkcode WorkerMessage}. */
export const messageSchema = v.variant("t", [
  /** The items the worker plans to run, in order (what is not finished at a stop is reported skipped). */
  v.strictObject({ t: v.literal("items"), items: v.array(v.string()) }),
  /** An item started. */
  v.strictObject({ t: v.literal("start"), item: v.string() }),
  /** A result row. */
  v.strictObject({ t: v.literal("row"), row: rowSchema }),
  /** An item finished (its rows were sent). */
  v.strictObject({ t: v.literal("done"), item: v.string() }),
  /** An item was not run. */
  v.strictObject({ t: v.literal("skip"), item: v.string(), reason: v.string() }),
  /** Structured data for report.json (probe results, profiles, curves). */
  v.strictObject({ t: v.literal("data"), key: v.string(), value: v.unknown() }),
]);

/** A message from a worker process: one stdout line, {@linkcode MESSAGE_PREFIX} then JSON. */
export type WorkerMessage = v.InferOutput<typeof messageSchema>;

/** Marks protocol lines on a worker's stdout; every other line is log output. */
export const MESSAGE_PREFIX = "@gpu-check ";
