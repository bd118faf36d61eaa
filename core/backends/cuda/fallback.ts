/**
 * Running a kernel on the cpu backend for the `cuda` backend: tfjs resolves a kernel by (name, backend) and
 * throws when the active backend has none, so every cpu kernel without a device version is registered for
 * `cuda` as a function that downloads the inputs, runs the cpu kernel and uploads the outputs. A device
 * kernel that meets a case it does not handle (CudaUnsupported) takes the same path. Each kernel (and each
 * unsupported case) warns once.
 *
 * @module
 */
import { tf } from "../../tf.ts";
import type { CudaBackend } from "./backend.ts";
import { CudaUnsupported, type KernelArgs } from "./kernel_util.ts";

const warned = new Set<string>();

function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(message);
}

/** The cpu backend instance (initialised on first use). */
function cpuBackend(): tf.KernelBackend {
  const cpu = tf.findBackend("cpu");
  if (cpu === null) throw new Error("cuda backend: the cpu backend is not registered (import core/tf.ts)");
  return cpu;
}

/**
 * Runs cpu kernel `name` on the inputs of a `cuda` kernel call; outputs come back as new device tensors.
 *
 * @throws Error when the cpu backend has no kernel `name`.
 */
export function runOnCpu(name: string, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const config = tf.getKernel(name, "cpu");
  if (config === undefined) {
    throw new Error(`cuda backend: kernel '${name}' has neither a device nor a cpu version`);
  }
  const cuda = args.backend as CudaBackend;
  const cpu = cpuBackend();
  const temps: tf.DataId[] = [];
  const toCpu = (t: tf.TensorInfo): tf.TensorInfo => {
    const dataId = cpu.write(cuda.readSync(t.dataId), t.shape, t.dtype);
    temps.push(dataId);
    return { dataId, shape: t.shape, dtype: t.dtype };
  };
  // List-input kernels (Concat, AddN, Pack) receive an array and index it as one.
  const inputs = Array.isArray(args.inputs)
    ? (args.inputs as tf.TensorInfo[]).map(toCpu)
    : Object.fromEntries(Object.entries(args.inputs).map(([k, t]) => [k, t == null ? t : toCpu(t)]));
  try {
    const result = config.kernelFunc({
      inputs: inputs as tf.NamedTensorInfoMap,
      attrs: args.attrs,
      backend: cpu,
    });
    const outs = Array.isArray(result) ? result : [result];
    const device = outs.map((o) => ({
      dataId: cuda.write(cpu.readSync(o.dataId), o.shape, o.dtype),
      shape: o.shape,
      dtype: o.dtype,
    }));
    for (const o of outs) temps.push(o.dataId);
    return Array.isArray(result) ? device : device[0]!;
  } finally {
    // Outputs may alias inputs (Reshape, Identity): dispose each id once, whatever its count.
    for (const id of new Set(temps)) cpu.disposeData(id, true);
  }
}

/** A kernel function that runs the cpu kernel `name`, warning once that it does. */
export function cpuFallbackKernel(name: string): tf.KernelFunc {
  return (args) => {
    warnOnce(
      name,
      `cuda backend: no device kernel for '${name}'; running it on cpu (inputs copied through host memory)`,
    );
    return runOnCpu(name, args);
  };
}

/** Wraps device kernel `fn` so that a CudaUnsupported case runs the cpu kernel, warning once per case. */
export function withCpuFallback(name: string, fn: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    try {
      return fn(args);
    } catch (e) {
      if (!(e instanceof CudaUnsupported)) throw e;
      warnOnce(`${name}|${e.message}`, `${e.message} (kernel '${name}'): running it on cpu`);
      return runOnCpu(name, args);
    }
  };
}
