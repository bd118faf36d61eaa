/**
 * `Deno.dlopen` symbol tables for the CUDA libraries the `cuda` backend calls, checked against the CUDA 13
 * headers (cuda_runtime_api.h, cuda.h), cuBLAS (cublas_api.h, `_v2` entry points), cuDNN 9 (cudnn_graph.h,
 * cudnn_ops.h, cudnn_cnn.h) and NVRTC (nvrtc.h).
 *
 * Type mapping: `size_t` is "usize"; C enums, `int` and status codes are "i32", `unsigned int` is "u32";
 * handles, streams and device pointers are "pointer"; host arrays and out-parameters the caller owns (e.g.
 * `int *count`, `void **devPtr`) are "buffer" (a TypedArray, passed as its address).
 *
 * @example
 * ```ts
 * import { CUDART_SYMBOLS } from "./ffi.ts";
 * const lib = Deno.dlopen("libcudart.so.13", CUDART_SYMBOLS);
 * const count = new Int32Array(1);
 * lib.symbols.cudaGetDeviceCount(count);
 * ```
 * @module
 */

/** CUDA runtime (libcudart): memory, copies, streams, events and device queries. */
export const CUDART_SYMBOLS = {
  // const char* cudaGetErrorString(cudaError_t error)
  cudaGetErrorString: { parameters: ["i32"], result: "pointer" },
  // cudaError_t cudaGetDeviceCount(int *count)
  cudaGetDeviceCount: { parameters: ["buffer"], result: "i32" },
  // cudaError_t cudaSetDevice(int device)
  cudaSetDevice: { parameters: ["i32"], result: "i32" },
  // cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr attr, int device)
  cudaDeviceGetAttribute: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  // cudaError_t cudaRuntimeGetVersion(int *runtimeVersion)
  cudaRuntimeGetVersion: { parameters: ["buffer"], result: "i32" },
  // cudaError_t cudaDriverGetVersion(int *driverVersion)
  cudaDriverGetVersion: { parameters: ["buffer"], result: "i32" },
  // cudaError_t cudaMemGetInfo(size_t *free, size_t *total)
  cudaMemGetInfo: { parameters: ["buffer", "buffer"], result: "i32" },
  // cudaError_t cudaMallocAsync(void **devPtr, size_t size, cudaStream_t hStream)
  cudaMallocAsync: { parameters: ["buffer", "usize", "pointer"], result: "i32" },
  // cudaError_t cudaFreeAsync(void *devPtr, cudaStream_t hStream)
  cudaFreeAsync: { parameters: ["pointer", "pointer"], result: "i32" },
  // cudaError_t cudaDeviceGetDefaultMemPool(cudaMemPool_t *memPool, int device)
  cudaDeviceGetDefaultMemPool: { parameters: ["buffer", "i32"], result: "i32" },
  // cudaError_t cudaMemPoolSetAttribute(cudaMemPool_t memPool, enum cudaMemPoolAttr attr, void *value)
  cudaMemPoolSetAttribute: { parameters: ["pointer", "i32", "buffer"], result: "i32" },
  // cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind, cudaStream_t)
  // Host sides are TypedArrays, so one entry per direction.
  cudaMemcpyAsyncHtoD: {
    name: "cudaMemcpyAsync",
    parameters: ["pointer", "buffer", "usize", "i32", "pointer"],
    result: "i32",
  },
  cudaMemcpyAsyncDtoH: {
    name: "cudaMemcpyAsync",
    parameters: ["buffer", "pointer", "usize", "i32", "pointer"],
    result: "i32",
  },
  cudaMemcpyAsyncDtoD: {
    name: "cudaMemcpyAsync",
    parameters: ["pointer", "pointer", "usize", "i32", "pointer"],
    result: "i32",
  },
  // cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream)
  cudaMemsetAsync: { parameters: ["pointer", "i32", "usize", "pointer"], result: "i32" },
  // cudaError_t cudaStreamCreateWithFlags(cudaStream_t *pStream, unsigned int flags)
  cudaStreamCreateWithFlags: { parameters: ["buffer", "u32"], result: "i32" },
  // cudaError_t cudaStreamSynchronize(cudaStream_t stream)
  cudaStreamSynchronize: { parameters: ["pointer"], result: "i32" },
  // The same call on a worker thread, so `read()` awaits the stream without blocking the event loop.
  cudaStreamSynchronizeAsync: {
    name: "cudaStreamSynchronize",
    parameters: ["pointer"],
    result: "i32",
    nonblocking: true,
  },
  // cudaError_t cudaStreamDestroy(cudaStream_t stream)
  cudaStreamDestroy: { parameters: ["pointer"], result: "i32" },
  // cudaError_t cudaEventCreate(cudaEvent_t *event)
  cudaEventCreate: { parameters: ["buffer"], result: "i32" },
  // cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream)
  cudaEventRecord: { parameters: ["pointer", "pointer"], result: "i32" },
  // cudaError_t cudaEventSynchronize(cudaEvent_t event), on a worker thread
  cudaEventSynchronizeAsync: {
    name: "cudaEventSynchronize",
    parameters: ["pointer"],
    result: "i32",
    nonblocking: true,
  },
  // cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end)
  cudaEventElapsedTime: { parameters: ["buffer", "pointer", "pointer"], result: "i32" },
  // cudaError_t cudaEventDestroy(cudaEvent_t event)
  cudaEventDestroy: { parameters: ["pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** CUDA driver (libcuda): loading NVRTC's PTX and launching its kernels. */
export const CUDA_DRIVER_SYMBOLS = {
  // CUresult cuInit(unsigned int Flags)
  cuInit: { parameters: ["u32"], result: "i32" },
  // CUresult cuGetErrorString(CUresult error, const char **pStr)
  cuGetErrorString: { parameters: ["i32", "buffer"], result: "i32" },
  // CUresult cuDeviceGetName(char *name, int len, CUdevice dev)
  cuDeviceGetName: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  // CUresult cuModuleLoadData(CUmodule *module, const void *image)
  cuModuleLoadData: { parameters: ["buffer", "buffer"], result: "i32" },
  // CUresult cuModuleUnload(CUmodule hmod)
  cuModuleUnload: { parameters: ["pointer"], result: "i32" },
  // CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name)
  cuModuleGetFunction: { parameters: ["buffer", "pointer", "buffer"], result: "i32" },
  // CUresult cuLaunchKernel(CUfunction f, unsigned gridDimX, gridDimY, gridDimZ, unsigned blockDimX,
  //   blockDimY, blockDimZ, unsigned sharedMemBytes, CUstream hStream, void **kernelParams, void **extra)
  cuLaunchKernel: {
    parameters: ["pointer", "u32", "u32", "u32", "u32", "u32", "u32", "u32", "pointer", "buffer", "pointer"],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** cuBLAS (libcublas, v2 API): single-precision matrix products with TF32 tensor cores allowed. */
export const CUBLAS_SYMBOLS = {
  // cublasStatus_t cublasCreate_v2(cublasHandle_t *handle)
  cublasCreate_v2: { parameters: ["buffer"], result: "i32" },
  // cublasStatus_t cublasDestroy_v2(cublasHandle_t handle)
  cublasDestroy_v2: { parameters: ["pointer"], result: "i32" },
  // cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId)
  cublasSetStream_v2: { parameters: ["pointer", "pointer"], result: "i32" },
  // cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode)
  cublasSetMathMode: { parameters: ["pointer", "i32"], result: "i32" },
  // const char* cublasGetStatusString(cublasStatus_t status)
  cublasGetStatusString: { parameters: ["i32"], result: "pointer" },
  // cublasStatus_t cublasSgemm_v2(cublasHandle_t, cublasOperation_t transa, transb, int m, n, k,
  //   const float *alpha, const float *A, int lda, const float *B, int ldb, const float *beta, float *C, int ldc)
  cublasSgemm_v2: {
    parameters: [
      "pointer",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "buffer",
      "pointer",
      "i32",
      "pointer",
      "i32",
      "buffer",
      "pointer",
      "i32",
    ],
    result: "i32",
  },
  // cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t, cublasOperation_t transa, transb, int m, n, k,
  //   const float *alpha, const float *A, int lda, long long strideA, const float *B, int ldb,
  //   long long strideB, const float *beta, float *C, int ldc, long long strideC, int batchCount)
  cublasSgemmStridedBatched: {
    parameters: [
      "pointer",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "buffer",
      "pointer",
      "i32",
      "i64",
      "pointer",
      "i32",
      "i64",
      "buffer",
      "pointer",
      "i32",
      "i64",
      "i32",
    ],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** cuDNN 9 (libcudnn, the shim over its sub-libraries): Nd descriptors and the three convolution passes. */
export const CUDNN_SYMBOLS = {
  // size_t cudnnGetVersion(void)
  cudnnGetVersion: { parameters: [], result: "usize" },
  // const char* cudnnGetErrorString(cudnnStatus_t status)
  cudnnGetErrorString: { parameters: ["i32"], result: "pointer" },
  // cudnnStatus_t cudnnCreate(cudnnHandle_t *handle)
  cudnnCreate: { parameters: ["buffer"], result: "i32" },
  // cudnnStatus_t cudnnDestroy(cudnnHandle_t handle)
  cudnnDestroy: { parameters: ["pointer"], result: "i32" },
  // cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t streamId)
  cudnnSetStream: { parameters: ["pointer", "pointer"], result: "i32" },
  // cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t *tensorDesc)
  cudnnCreateTensorDescriptor: { parameters: ["buffer"], result: "i32" },
  // cudnnStatus_t cudnnSetTensorNdDescriptor(cudnnTensorDescriptor_t, cudnnDataType_t dataType, int nbDims,
  //   const int dimA[], const int strideA[])
  cudnnSetTensorNdDescriptor: { parameters: ["pointer", "i32", "i32", "buffer", "buffer"], result: "i32" },
  // cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t tensorDesc)
  cudnnDestroyTensorDescriptor: { parameters: ["pointer"], result: "i32" },
  // cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t *filterDesc)
  cudnnCreateFilterDescriptor: { parameters: ["buffer"], result: "i32" },
  // cudnnStatus_t cudnnSetFilterNdDescriptor(cudnnFilterDescriptor_t, cudnnDataType_t dataType,
  //   cudnnTensorFormat_t format, int nbDims, const int filterDimA[])
  cudnnSetFilterNdDescriptor: { parameters: ["pointer", "i32", "i32", "i32", "buffer"], result: "i32" },
  // cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t filterDesc)
  cudnnDestroyFilterDescriptor: { parameters: ["pointer"], result: "i32" },
  // cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t *convDesc)
  cudnnCreateConvolutionDescriptor: { parameters: ["buffer"], result: "i32" },
  // cudnnStatus_t cudnnSetConvolutionNdDescriptor(cudnnConvolutionDescriptor_t, int arrayLength,
  //   const int padA[], const int filterStrideA[], const int dilationA[], cudnnConvolutionMode_t mode,
  //   cudnnDataType_t computeType)
  cudnnSetConvolutionNdDescriptor: {
    parameters: ["pointer", "i32", "buffer", "buffer", "buffer", "i32", "i32"],
    result: "i32",
  },
  // cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t convDesc, cudnnMathType_t mathType)
  cudnnSetConvolutionMathType: { parameters: ["pointer", "i32"], result: "i32" },
  // cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t convDesc)
  cudnnDestroyConvolutionDescriptor: { parameters: ["pointer"], result: "i32" },
  // cudnnStatus_t cudnnFindConvolutionForwardAlgorithmEx(cudnnHandle_t, xDesc, const void *x, wDesc,
  //   const void *w, convDesc, yDesc, void *y, const int requestedAlgoCount, int *returnedAlgoCount,
  //   cudnnConvolutionFwdAlgoPerf_t *perfResults, void *workSpace, size_t workSpaceSizeInBytes)
  cudnnFindConvolutionForwardAlgorithmEx: {
    parameters: [
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "i32",
      "buffer",
      "buffer",
      "pointer",
      "usize",
    ],
    result: "i32",
  },
  // cudnnStatus_t cudnnFindConvolutionBackwardDataAlgorithmEx(cudnnHandle_t, wDesc, const void *w, dyDesc,
  //   const void *dy, convDesc, dxDesc, void *dx, const int requestedAlgoCount, int *returnedAlgoCount,
  //   cudnnConvolutionBwdDataAlgoPerf_t *perfResults, void *workSpace, size_t workSpaceSizeInBytes)
  cudnnFindConvolutionBackwardDataAlgorithmEx: {
    parameters: [
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "i32",
      "buffer",
      "buffer",
      "pointer",
      "usize",
    ],
    result: "i32",
  },
  // cudnnStatus_t cudnnFindConvolutionBackwardFilterAlgorithmEx(cudnnHandle_t, xDesc, const void *x, dyDesc,
  //   const void *y, convDesc, dwDesc, void *dw, const int requestedAlgoCount, int *returnedAlgoCount,
  //   cudnnConvolutionBwdFilterAlgoPerf_t *perfResults, void *workSpace, size_t workSpaceSizeInBytes)
  cudnnFindConvolutionBackwardFilterAlgorithmEx: {
    parameters: [
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "i32",
      "buffer",
      "buffer",
      "pointer",
      "usize",
    ],
    result: "i32",
  },
  // cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t, xDesc, wDesc, convDesc, yDesc,
  //   cudnnConvolutionFwdAlgo_t algo, size_t *sizeInBytes)
  cudnnGetConvolutionForwardWorkspaceSize: {
    parameters: ["pointer", "pointer", "pointer", "pointer", "pointer", "i32", "buffer"],
    result: "i32",
  },
  // cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t, wDesc, dyDesc, convDesc,
  //   dxDesc, cudnnConvolutionBwdDataAlgo_t algo, size_t *sizeInBytes)
  cudnnGetConvolutionBackwardDataWorkspaceSize: {
    parameters: ["pointer", "pointer", "pointer", "pointer", "pointer", "i32", "buffer"],
    result: "i32",
  },
  // cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnnHandle_t, xDesc, dyDesc, convDesc,
  //   gradDesc, cudnnConvolutionBwdFilterAlgo_t algo, size_t *sizeInBytes)
  cudnnGetConvolutionBackwardFilterWorkspaceSize: {
    parameters: ["pointer", "pointer", "pointer", "pointer", "pointer", "i32", "buffer"],
    result: "i32",
  },
  // cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t, const void *alpha, xDesc, const void *x, wDesc,
  //   const void *w, convDesc, cudnnConvolutionFwdAlgo_t algo, void *workSpace, size_t workSpaceSizeInBytes,
  //   const void *beta, yDesc, void *y)
  cudnnConvolutionForward: {
    parameters: [
      "pointer",
      "buffer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "i32",
      "pointer",
      "usize",
      "buffer",
      "pointer",
      "pointer",
    ],
    result: "i32",
  },
  // cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t, const void *alpha, wDesc, const void *w,
  //   dyDesc, const void *dy, convDesc, cudnnConvolutionBwdDataAlgo_t algo, void *workSpace,
  //   size_t workSpaceSizeInBytes, const void *beta, dxDesc, void *dx)
  cudnnConvolutionBackwardData: {
    parameters: [
      "pointer",
      "buffer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "i32",
      "pointer",
      "usize",
      "buffer",
      "pointer",
      "pointer",
    ],
    result: "i32",
  },
  // cudnnStatus_t cudnnConvolutionBackwardFilter(cudnnHandle_t, const void *alpha, xDesc, const void *x,
  //   dyDesc, const void *dy, convDesc, cudnnConvolutionBwdFilterAlgo_t algo, void *workSpace,
  //   size_t workSpaceSizeInBytes, const void *beta, dwDesc, void *dw)
  cudnnConvolutionBackwardFilter: {
    parameters: [
      "pointer",
      "buffer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "i32",
      "pointer",
      "usize",
      "buffer",
      "pointer",
      "pointer",
    ],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** NVRTC (libnvrtc): compiling kernel templates to PTX at run time. */
export const NVRTC_SYMBOLS = {
  // const char* nvrtcGetErrorString(nvrtcResult result)
  nvrtcGetErrorString: { parameters: ["i32"], result: "pointer" },
  // nvrtcResult nvrtcVersion(int *major, int *minor)
  nvrtcVersion: { parameters: ["buffer", "buffer"], result: "i32" },
  // nvrtcResult nvrtcCreateProgram(nvrtcProgram *prog, const char *src, const char *name, int numHeaders,
  //   const char * const *headers, const char * const *includeNames)
  nvrtcCreateProgram: {
    parameters: ["buffer", "buffer", "buffer", "i32", "pointer", "pointer"],
    result: "i32",
  },
  // nvrtcResult nvrtcDestroyProgram(nvrtcProgram *prog)
  nvrtcDestroyProgram: { parameters: ["buffer"], result: "i32" },
  // nvrtcResult nvrtcCompileProgram(nvrtcProgram prog, int numOptions, const char * const *options)
  nvrtcCompileProgram: { parameters: ["pointer", "i32", "buffer"], result: "i32" },
  // nvrtcResult nvrtcGetPTXSize(nvrtcProgram prog, size_t *ptxSizeRet)
  nvrtcGetPTXSize: { parameters: ["pointer", "buffer"], result: "i32" },
  // nvrtcResult nvrtcGetPTX(nvrtcProgram prog, char *ptx)
  nvrtcGetPTX: { parameters: ["pointer", "buffer"], result: "i32" },
  // nvrtcResult nvrtcGetProgramLogSize(nvrtcProgram prog, size_t *logSizeRet)
  nvrtcGetProgramLogSize: { parameters: ["pointer", "buffer"], result: "i32" },
  // nvrtcResult nvrtcGetProgramLog(nvrtcProgram prog, char *log)
  nvrtcGetProgramLog: { parameters: ["pointer", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** Constants from the headers used with the tables above. */
export const CUDA_CONSTANTS = {
  /** cudaMemcpyKind */
  cudaMemcpyHostToDevice: 1,
  cudaMemcpyDeviceToHost: 2,
  cudaMemcpyDeviceToDevice: 3,
  /** cudaStreamCreateWithFlags: does not synchronise with the legacy default stream. */
  cudaStreamNonBlocking: 1,
  /** cudaDeviceAttr */
  cudaDevAttrMultiProcessorCount: 16,
  cudaDevAttrComputeCapabilityMajor: 75,
  cudaDevAttrComputeCapabilityMinor: 76,
  /** cudaMemPoolAttr: bytes the pool keeps cached instead of returning to the driver (a uint64). */
  cudaMemPoolAttrReleaseThreshold: 4,
  /** cublasOperation_t */
  CUBLAS_OP_N: 0,
  CUBLAS_OP_T: 1,
  /** cublasMath_t: FP32 products may use TF32 tensor cores. */
  CUBLAS_TF32_TENSOR_OP_MATH: 3,
  /** cudnnDataType_t */
  CUDNN_DATA_FLOAT: 0,
  /** cudnnTensorFormat_t: for filters, [K, R, S, C] (output channels outermost, input channels innermost). */
  CUDNN_TENSOR_NHWC: 1,
  /** cudnnConvolutionMode_t: tfjs convolutions are cross-correlations. */
  CUDNN_CROSS_CORRELATION: 1,
  /** cudnnMathType_t: tensor cores (TF32 for float data) allowed. */
  CUDNN_TENSOR_OP_MATH: 1,
  /** sizeof(cudnnConvolution*AlgoPerf_t): algo i32, status i32, time f32, memory size_t, determinism, mathType, reserved[3]. */
  CUDNN_ALGO_PERF_BYTES: 48,
  /** Byte offsets in a cudnnConvolution*AlgoPerf_t. */
  CUDNN_ALGO_PERF_STATUS_OFFSET: 4,
  CUDNN_ALGO_PERF_MEMORY_OFFSET: 16,
} as const;
