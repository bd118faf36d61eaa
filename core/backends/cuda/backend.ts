/**
 * `CudaBackend`: a tfjs KernelBackend whose tensors live in CUDA device memory. Storage goes through the
 * runtime's caching allocator; uploads and downloads are ordered on the runtime's single stream, so kernels
 * never wait for the host. `read` waits for the stream on a worker thread; `readSync` blocks.
 *
 * @module
 */
import { tf } from "../../tf.ts";
import { sizeOf } from "./index_math.ts";
import { CudaRuntime } from "./runtime.ts";
import { CUDA_DTYPES, type CudaDtype, isCudaDtype } from "./template_prelude.ts";

/** The tfjs KernelBackend base class (a value, so it can be extended). */
const KernelBackendBase: typeof tf.KernelBackend = tf.KernelBackend;

/** A device buffer owned by the backend. */
export interface DeviceData {
  /** Device address (0n for an empty tensor). */
  readonly ptr: bigint;
  /** Bytes of the buffer (elements × element size). */
  readonly bytes: number;
  readonly dtype: CudaDtype;
  /** Number of elements. */
  readonly size: number;
  /** tfjs references (tensors sharing the data, e.g. after Reshape). */
  refCount: number;
}

/** The backend; register it with `registerCudaBackend` (register.ts). */
export class CudaBackend extends KernelBackendBase {
  /** The device runtime (stream, handles, allocator, kernels). */
  readonly runtime: CudaRuntime;
  readonly #data = new WeakMap<tf.DataId, DeviceData>();
  #count = 0;

  /** Creates the backend on device 0. @throws Error when libraries or the device are missing. */
  constructor(runtime: CudaRuntime = new CudaRuntime()) {
    super();
    this.runtime = runtime;
  }

  /** The device buffer of `dataId`. @throws Error for an id this backend does not hold. */
  get(dataId: tf.DataId): DeviceData {
    const data = this.#data.get(dataId);
    if (data === undefined) {
      throw new Error("cuda backend: tensor data not found (disposed, or on another backend)");
    }
    return data;
  }

  /** Allocates an uninitialised tensor of `shape` and `dtype` on the device. */
  makeOutput(shape: readonly number[], dtype: tf.DataType): tf.TensorInfo {
    const dataId = {};
    this.#set(dataId, this.#alloc(sizeOf(shape), dtype, 1));
    return { dataId, shape: [...shape], dtype };
  }

  /** Releases an intermediate tensor a kernel made with {@link CudaBackend.makeOutput}. */
  disposeIntermediate(info: tf.TensorInfo): void {
    this.disposeData(info.dataId, true);
  }

  #alloc(size: number, dtype: tf.DataType, refCount: number): DeviceData {
    if (!isCudaDtype(dtype)) throw new Error(`cuda backend: dtype '${dtype}' is not supported on the device`);
    const bytes = size * CUDA_DTYPES[dtype].bytes;
    const ptr = bytes === 0 ? 0n : this.runtime.allocator.malloc(bytes);
    return { ptr, bytes, dtype, size, refCount };
  }

  #set(dataId: tf.DataId, data: DeviceData): void {
    this.#data.set(dataId, data);
    this.#count++;
  }

  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId {
    const dataId = {};
    this.move(dataId, values, shape, dtype, 1);
    return dataId;
  }

  override move(
    dataId: tf.DataId,
    values: tf.backend_util.BackendValues,
    shape: number[],
    dtype: tf.DataType,
    refCount: number,
  ): void {
    const data = this.#alloc(sizeOf(shape), dtype, refCount);
    this.#set(dataId, data);
    if (values != null) this.runtime.upload(data.ptr, hostValues(values, data.dtype, data.size));
  }

  override readSync(dataId: tf.DataId): tf.backend_util.BackendValues {
    const data = this.get(dataId);
    const out = data.dtype === "float32"
      ? new Float32Array(data.size)
      : data.dtype === "int32"
      ? new Int32Array(data.size)
      : new Uint8Array(data.size);
    this.runtime.download(out, data.ptr);
    return out;
  }

  override async read(dataId: tf.DataId): Promise<tf.backend_util.BackendValues> {
    await this.runtime.synchronizeAsync();
    return this.readSync(dataId);
  }

  override refCount(dataId: tf.DataId): number {
    return this.#data.get(dataId)?.refCount ?? 0;
  }

  override incRef(dataId: tf.DataId): void {
    this.get(dataId).refCount++;
  }

  override disposeData(dataId: tf.DataId, force = false): boolean {
    const data = this.#data.get(dataId);
    if (data === undefined) return true;
    data.refCount--;
    if (!force && data.refCount > 0) return false;
    this.#data.delete(dataId);
    this.#count--;
    if (data.bytes > 0) this.runtime.allocator.free(data.ptr);
    return true;
  }

  override numDataIds(): number {
    return this.#count;
  }

  override timerAvailable(): boolean {
    return true;
  }

  override async time(f: () => void): Promise<tf.BackendTimingInfo> {
    const kernelMs = await this.runtime.time(f);
    return { kernelMs };
  }

  override memory(): { unreliable: boolean; reasons?: string[] } {
    const stats = this.runtime.allocator.stats;
    const info = {
      unreliable: false,
      numBytesInGPU: stats.inUseBytes,
      numBytesInGPUCached: stats.cachedBytes,
    };
    return info;
  }

  override floatPrecision(): 32 {
    return 32;
  }

  override epsilon(): number {
    return 1e-7;
  }

  override dispose(): void {
    this.runtime.dispose();
  }
}

function hostValues(
  values: tf.backend_util.BackendValues,
  dtype: CudaDtype,
  size: number,
): ArrayBufferView<ArrayBuffer> {
  if (!ArrayBuffer.isView(values) || values.length !== size) {
    throw new Error(`cuda backend: expected ${size} ${dtype} values, got ${describe(values)}`);
  }
  const Ctor = dtype === "float32" ? Float32Array : dtype === "int32" ? Int32Array : Uint8Array;
  // Same element type over a plain ArrayBuffer: copy straight from it; otherwise convert.
  if (values instanceof Ctor && values.buffer instanceof ArrayBuffer) {
    return values as ArrayBufferView<ArrayBuffer>;
  }
  return Ctor.from(values as ArrayLike<number>);
}

function describe(values: unknown): string {
  return ArrayBuffer.isView(values)
    ? `${values.constructor.name}(${(values as Uint8Array).length})`
    : typeof values;
}
