/**
 * Finding the CUDA shared libraries the `cuda` backend opens: the runtime (libcudart), cuBLAS and cuBLASLt,
 * cuDNN 9, NVRTC and the driver (libcuda). Looks in CUDA_PATH/CUDA_HOME, LD_LIBRARY_PATH, /usr/local/cuda*,
 * pip-installed `nvidia-*` packages and the standard system directories; reports every place looked at when
 * something is missing.
 *
 * @example
 * ```ts
 * import { discoverCudaLibraries } from "./discovery.ts";
 * const libs = discoverCudaLibraries();
 * console.log(libs.paths.cudnn, libs.preload);
 * ```
 * @module
 */

/** The libraries the backend needs, by key. */
export const CUDA_LIBRARY_KEYS = ["cuda", "cudart", "cublasLt", "cublas", "cudnn", "nvrtc"] as const;

/** One library the backend needs. */
export type CudaLibraryKey = typeof CUDA_LIBRARY_KEYS[number];

/** File names tried for each library, best first (versioned sonames before the development symlink). */
export const CUDA_LIBRARY_NAMES: Readonly<Record<CudaLibraryKey, readonly string[]>> = {
  cuda: ["libcuda.so.1", "libcuda.so"],
  cudart: ["libcudart.so.13", "libcudart.so"],
  cublasLt: ["libcublasLt.so.13", "libcublasLt.so"],
  cublas: ["libcublas.so.13", "libcublas.so"],
  cudnn: ["libcudnn.so.9", "libcudnn.so"],
  nvrtc: ["libnvrtc.so.13", "libnvrtc.so"],
};

// cuDNN 9's libcudnn is a shim that dlopen()s these by soname; loading them first by full path lets the
// shim find them when their directory is not on the loader's search path (pip wheels).
const CUDNN_SUBLIBRARIES = [
  "libcudnn_graph.so.9",
  "libcudnn_engines_precompiled.so.9",
  "libcudnn_engines_runtime_compiled.so.9",
  "libcudnn_heuristic.so.9",
  "libcudnn_ops.so.9",
  "libcudnn_cnn.so.9",
];

/** What {@linkcode discoverCudaLibraries} found. */
export interface CudaLibraryPaths {
  /** Full path of each library. */
  readonly paths: Readonly<Record<CudaLibraryKey, string>>;
  /** Full paths of helper libraries to load (in order) before the main ones: cuDNN sub-libraries, NVRTC builtins. */
  readonly preload: readonly string[];
  /** Every directory searched, in search order. */
  readonly searched: readonly string[];
}

/** The file-system and environment access discovery uses; tests pass fakes. */
export interface DiscoveryOptions {
  /** Environment variables (default: `Deno.env.toObject()`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** System library directories searched last (default: the Debian/RHEL multiarch and driver dirs). */
  readonly systemDirs?: readonly string[];
  /** Roots whose `cuda*` children are CUDA toolkits (default: `/usr/local`). */
  readonly toolkitRoots?: readonly string[];
  /** Extra Python prefixes (venvs) whose site-packages may hold `nvidia-*` wheels (default: common venvs). */
  readonly pythonPrefixes?: readonly string[];
}

/** The system library directories searched by default. */
export const DEFAULT_SYSTEM_LIB_DIRS: readonly string[] = [
  "/usr/lib/x86_64-linux-gnu",
  "/lib/x86_64-linux-gnu",
  "/usr/lib64",
  "/usr/lib",
  "/lib64",
  "/usr/local/lib",
  "/usr/local/nvidia/lib64",
  "/usr/lib/wsl/lib",
];

const DEFAULT_PYTHON_PREFIXES = ["/opt/torch/.venv", "/opt/venv", "/opt/conda", "/usr/local", "/usr"];

/**
 * Finds every library of {@link CUDA_LIBRARY_KEYS}. Each comes from the first searched directory holding
 * one of its {@link CUDA_LIBRARY_NAMES}.
 *
 * @throws Error listing each missing library, the names and directories tried, and how to install it.
 */
export function discoverCudaLibraries(options: DiscoveryOptions = {}): CudaLibraryPaths {
  const env = options.env ?? Deno.env.toObject();
  const searched = searchDirs(env, options);
  const paths: Partial<Record<CudaLibraryKey, string>> = {};
  const missing: CudaLibraryKey[] = [];
  for (const key of CUDA_LIBRARY_KEYS) {
    const found = findFirst(searched, CUDA_LIBRARY_NAMES[key]);
    if (found) paths[key] = found;
    else missing.push(key);
  }
  if (missing.length > 0) throw new Error(missingMessage(missing, searched));
  const all = paths as Record<CudaLibraryKey, string>;
  const preload = [
    all.cublasLt,
    ...CUDNN_SUBLIBRARIES.map((name) => join(dirname(all.cudnn), name)).filter(isFile),
    ...listMatching(dirname(all.nvrtc), /^libnvrtc-builtins\.so\.13(\.\d+)*$/),
  ];
  return { paths: all, preload, searched };
}

/**
 * The directories searched, in order, without duplicates: CUDA_PATH/CUDA_HOME, LD_LIBRARY_PATH, toolkits
 * under /usr/local, `nvidia/<package>/lib` of pip wheels, then system directories.
 */
export function searchDirs(
  env: Readonly<Record<string, string | undefined>>,
  options: DiscoveryOptions = {},
): string[] {
  const dirs: string[] = [];
  for (const name of ["CUDA_PATH", "CUDA_HOME"]) {
    const root = env[name];
    if (root) dirs.push(...toolkitLibDirs(root));
  }
  for (const dir of (env.LD_LIBRARY_PATH ?? "").split(":")) if (dir) dirs.push(dir);
  for (const root of options.toolkitRoots ?? ["/usr/local"]) {
    const toolkits = listMatching(root, /^cuda(-\d+(\.\d+)*)?$/).sort(byToolkitPreference);
    for (const toolkit of toolkits) dirs.push(...toolkitLibDirs(toolkit));
  }
  for (const site of sitePackages(env, options.pythonPrefixes ?? DEFAULT_PYTHON_PREFIXES)) {
    for (const pkg of listDirs(join(site, "nvidia")).sort()) dirs.push(join(pkg, "lib"));
  }
  dirs.push(...(options.systemDirs ?? DEFAULT_SYSTEM_LIB_DIRS));
  return [...new Set(dirs.map(stripSlash))];
}

/** The library directories of a CUDA toolkit root (`targets/x86_64-linux/lib`, `lib64`, `lib`). */
export function toolkitLibDirs(root: string): string[] {
  return [join(root, "targets/x86_64-linux/lib"), join(root, "lib64"), join(root, "lib")];
}

// Python prefixes: VIRTUAL_ENV, CONDA_PREFIX, the parents of bin/ dirs on PATH holding python3, defaults.
function sitePackages(
  env: Readonly<Record<string, string | undefined>>,
  defaults: readonly string[],
): string[] {
  const prefixes: string[] = [];
  if (env.VIRTUAL_ENV) prefixes.push(env.VIRTUAL_ENV);
  if (env.CONDA_PREFIX) prefixes.push(env.CONDA_PREFIX);
  for (const bin of (env.PATH ?? "").split(":")) {
    if (bin && listMatching(bin, /^python3(\.\d+)?$/).length > 0) prefixes.push(dirname(stripSlash(bin)));
  }
  if (env.HOME) prefixes.push(join(env.HOME, ".local"), join(env.HOME, ".venv"));
  prefixes.push(...defaults);
  const sites: string[] = [];
  for (const prefix of new Set(prefixes.map(stripSlash))) {
    for (const lib of ["lib", "lib64"]) {
      for (const py of listMatching(join(prefix, lib), /^python3(\.\d+)?$/).sort().reverse()) {
        sites.push(join(py, "site-packages"), join(py, "dist-packages"));
      }
    }
  }
  return sites.filter(isDir);
}

function missingMessage(missing: CudaLibraryKey[], searched: readonly string[]): string {
  const lines = missing.map((key) => `  ${key}: ${CUDA_LIBRARY_NAMES[key].join(", ")}`);
  return [
    `cuda backend: missing ${missing.join(", ")}. Looked for:`,
    ...lines,
    `in these directories, in order:`,
    ...searched.map((dir) => `  ${dir}`),
    "Install the NVIDIA driver (libcuda.so.1), the CUDA 13 runtime, cuBLAS and NVRTC (NVIDIA's apt packages " +
    "cuda-cudart-13-0, libcublas-13-0, cuda-nvrtc-13-0) and cuDNN 9 for CUDA 13 (libcudnn9-cuda-13), or " +
    "`pip install nvidia-cuda-runtime nvidia-cublas nvidia-cuda-nvrtc nvidia-cudnn-cu13`; then point CUDA_PATH " +
    "at the toolkit or add the library directories to LD_LIBRARY_PATH.",
  ].join("\n");
}

function findFirst(dirs: readonly string[], names: readonly string[]): string | undefined {
  for (const dir of dirs) {
    for (const name of names) {
      const path = join(dir, name);
      if (isFile(path)) return path;
    }
  }
  return undefined;
}

// Newest versioned toolkit first; the unversioned /usr/local/cuda symlink leads (it names the chosen one).
function byToolkitPreference(a: string, b: string): number {
  const version = (p: string) => basename(p).match(/\d+(\.\d+)*/)?.[0].split(".").map(Number) ?? [];
  const va = version(a), vb = version(b);
  if (va.length === 0 || vb.length === 0) return vb.length === 0 ? (va.length === 0 ? 0 : 1) : -1;
  for (let i = 0; i < Math.max(va.length, vb.length); i++) {
    const d = (vb[i] ?? 0) - (va[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function listMatching(dir: string, pattern: RegExp): string[] {
  return readDir(dir).filter((e) => pattern.test(e.name)).map((e) => join(dir, e.name));
}

function listDirs(dir: string): string[] {
  return readDir(dir).filter((e) => e.isDirectory || e.isSymlink).map((e) => join(dir, e.name)).filter(isDir);
}

function readDir(dir: string): Deno.DirEntry[] {
  try {
    return [...Deno.readDirSync(dir)];
  } catch {
    return [];
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function join(a: string, b: string): string {
  return `${stripSlash(a)}/${b}`;
}

function stripSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.slice(0, i);
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}
