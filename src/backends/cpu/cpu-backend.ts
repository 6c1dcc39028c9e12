/**
 * The CPU backends behind the Backend interface: `cpu64` (Float64Array, the reference) and `cpu`
 * (Float32Array, the fast one). Both run the same network pass. `cpu` computes with the
 * WebAssembly kernels (wasm/kernels.as.ts: matmul, fused activation pass, reductions) where the
 * engine has SIMD, preferring the relaxed-SIMD build (fused multiply-add) where it runs; else with
 * the blocked TypeScript matmul and the TypeScript loops of pass-rows.ts.
 *
 * Given a LaneTeam (lanes.ts) of several threads, a backend splits every job of a pass between
 * them; its buffers then live in shared memory, and every lane computes with the coordinator's
 * kernels.
 */
import type { Backend, PreparedRun, PrepareOptions } from '../../engine/backend.ts';
import type { ProblemSource } from '../../engine/problem.ts';
import type { CpuKernelName, KernelName, Precision } from '../../engine/results.ts';
import { F64_KERNELS } from './kernels-f64.ts';
import type { LaneTeam } from './lanes.ts';
import { matmulF32, transposeF32 } from './matmul-f32.ts';
import { bestWasmKernel, wasmKernelAvailable, WasmKernels } from './wasm/wasm-kernels.ts';
import {
  loadNetwork,
  runNetworkPass,
  type FloatArray,
  type PrecisionKernels,
} from './network-pass.ts';
import type { KernelVariant } from './pass-rows.ts';

/** The f32 kernels this engine computes with by default: the best that it runs. */
export function f32KernelName(): CpuKernelName {
  return bestWasmKernel() ?? 'typescript';
}

/** Whether this engine runs the f32 kernels `name` ('typescript' always runs). */
export function f32KernelAvailable(name: CpuKernelName): boolean {
  return name === 'typescript' || wasmKernelAvailable(name);
}

/** One set of f32 kernels per name and realm (thread): each holds its own wasm instance. */
const f32KernelSets = new Map<CpuKernelName, PrecisionKernels>();

/**
 * This thread's f32 kernels `name` (default: f32KernelName()). The wasm instance is created on
 * first use; where the engine cannot run that build, the TypeScript kernels stand in (check
 * f32KernelAvailable first where that matters).
 */
export function f32Kernels(name: CpuKernelName = f32KernelName()): PrecisionKernels {
  const existing = f32KernelSets.get(name);
  if (existing) return existing;
  const build = name === 'typescript' ? null : name;
  let instance: WasmKernels | null | undefined = build === null ? null : undefined;
  const wasm = (): WasmKernels | null => (instance ??= WasmKernels.create(build));
  const kernels: PrecisionKernels = {
    get variant(): CpuKernelName {
      return wasm()?.name ?? 'typescript';
    },
    get wasm(): WasmKernels | null {
      return wasm();
    },
    alloc: (length) => new Float32Array(length),
    matmul: (a, b, c, m, k, n) => {
      const kernel = wasm();
      if (kernel) kernel.matmul(a as Float32Array, b as Float32Array, c as Float32Array, m, k, n);
      else matmulF32(a as Float32Array, b as Float32Array, c as Float32Array, m, k, n);
    },
    matmulTransB: (a, bt, c, m, k, n) => {
      const kernel = wasm();
      if (kernel)
        kernel.matmul(a as Float32Array, bt as Float32Array, c as Float32Array, m, k, n, true);
      else matmulF32(a as Float32Array, bt as Float32Array, c as Float32Array, m, k, n, true);
    },
    transpose: (src: FloatArray, rows, cols, dst: FloatArray) =>
      transposeF32(src as Float32Array, rows, cols, dst as Float32Array),
  };
  f32KernelSets.set(name, kernels);
  return kernels;
}

/** This thread's kernels of a variant: what a lane computes with (lanes.ts). */
export function kernelsOfVariant(variant: KernelVariant): PrecisionKernels {
  return variant === 'f64' ? F64_KERNELS : f32Kernels(variant);
}

/** The same kernels, allocating shared memory (for a team of threads). */
export function sharedKernels(kernels: PrecisionKernels): PrecisionKernels {
  const f64 = kernels.variant === 'f64';
  return {
    get variant() {
      return kernels.variant;
    },
    get wasm() {
      return kernels.wasm;
    },
    matmul: kernels.matmul,
    transpose: kernels.transpose,
    ...(kernels.matmulTransB ? { matmulTransB: kernels.matmulTransB } : {}),
    alloc: (length) => {
      const buffer = new SharedArrayBuffer((f64 ? 8 : 4) * length);
      return f64 ? new Float64Array(buffer) : new Float32Array(buffer);
    },
  };
}

export interface CpuBackendOptions {
  /** Threads to split each pass between; null or a team of one runs on this thread alone. */
  readonly team?: LaneTeam | null;
  /** How many of the team's threads to use (default: all). */
  readonly threads?: number;
  /** f32 only: which kernels (default: the best this engine runs, f32KernelName()). */
  readonly kernel?: CpuKernelName;
}

export function createCpuBackend(precision: Precision, options: CpuBackendOptions = {}): Backend {
  const threads = Math.min(options.threads ?? Infinity, options.team?.size ?? 1);
  const team = options.team && threads > 1 ? options.team : null;
  const base = precision === 'f64' ? F64_KERNELS : f32Kernels(options.kernel);
  const kernels = team ? sharedKernels(base) : base;
  return {
    info: {
      name: precision === 'f64' ? 'cpu64' : 'cpu',
      precision,
      threads: team ? threads : 1,
      ...(precision === 'f32' ? { kernel: base.variant as CpuKernelName } : {}),
    },
    async prepare(source: ProblemSource, options: PrepareOptions = {}): Promise<PreparedRun> {
      options.signal?.throwIfAborted();
      options.onPhase?.('prepare');
      const problem = source.problem((done, total) =>
        options.onProgress?.({ phase: 'prepare', done, total }),
      );
      const network = loadNetwork(problem, kernels, team, threads);
      let kernelsMs: Record<KernelName, number> | null = null;
      return {
        kernelTiming: { clock: 'cpu-clock' },
        compute: async (options) => {
          const measured = {} as Record<KernelName, number>;
          const statistics = runNetworkPass(network, { ...options, kernelsMs: measured });
          kernelsMs = measured;
          return statistics;
        },
        lastKernelsMs: () => kernelsMs,
        dispose: () => {},
      };
    },
  };
}
