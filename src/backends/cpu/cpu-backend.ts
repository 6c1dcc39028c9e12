/**
 * The CPU backends behind the Backend interface: `cpu64` (Float64Array, the reference) and `cpu`
 * (Float32Array, the fast fallback). Both run the same network pass; they differ in the matmul.
 * `cpu` multiplies with the WebAssembly SIMD kernel (f32 accumulation, the error bound of a plain
 * f32 dot product) where the engine has SIMD, else with the blocked TypeScript kernel.
 *
 * Given a LaneTeam (lanes.ts) of several threads, a backend splits every job of a pass between
 * them; its buffers then live in shared memory.
 */
import type { Backend, PreparedRun, PrepareOptions } from '../../engine/backend.ts';
import type { ProblemSource } from '../../engine/problem.ts';
import type { KernelName, Precision } from '../../engine/results.ts';
import { F64_KERNELS } from './kernels-f64.ts';
import type { LaneTeam } from './lanes.ts';
import { matmulF32, transposeF32 } from './matmul-f32.ts';
import { createWasmMatmul, type WasmMatmul } from './wasm/wasm-matmul.ts';
import {
  loadNetwork,
  runNetworkPass,
  type FloatArray,
  type PrecisionKernels,
} from './network-pass.ts';

/** The wasm SIMD kernel, created on first use; null where WebAssembly SIMD is unavailable. */
let wasmMatmul: WasmMatmul | null | undefined;

/** Which f32 matmul this engine uses: 'wasm-simd' or 'typescript'. */
export function f32MatmulKind(): 'wasm-simd' | 'typescript' {
  wasmMatmul ??= createWasmMatmul();
  return wasmMatmul ? 'wasm-simd' : 'typescript';
}

export const F32_KERNELS: PrecisionKernels = {
  alloc: (length) => new Float32Array(length),
  matmul: (a, b, c, m, k, n) => {
    wasmMatmul ??= createWasmMatmul();
    if (wasmMatmul)
      wasmMatmul.matmul(a as Float32Array, b as Float32Array, c as Float32Array, m, k, n);
    else matmulF32(a as Float32Array, b as Float32Array, c as Float32Array, m, k, n);
  },
  transpose: (src: FloatArray, rows, cols, dst: FloatArray) =>
    transposeF32(src as Float32Array, rows, cols, dst as Float32Array),
};

/** The same kernels, allocating shared memory (for a team of threads). */
function sharedKernels(kernels: PrecisionKernels, precision: Precision): PrecisionKernels {
  const bytes = precision === 'f64' ? 8 : 4;
  return {
    ...kernels,
    alloc: (length) => {
      const buffer = new SharedArrayBuffer(bytes * length);
      return precision === 'f64' ? new Float64Array(buffer) : new Float32Array(buffer);
    },
  };
}

export interface CpuBackendOptions {
  /** Threads to split each pass between; null or a team of one runs on this thread alone. */
  readonly team?: LaneTeam | null;
  /** How many of the team's threads to use (default: all). */
  readonly threads?: number;
}

export function createCpuBackend(precision: Precision, options: CpuBackendOptions = {}): Backend {
  const threads = Math.min(options.threads ?? Infinity, options.team?.size ?? 1);
  const team = options.team && threads > 1 ? options.team : null;
  const base = precision === 'f64' ? F64_KERNELS : F32_KERNELS;
  const kernels = team ? sharedKernels(base, precision) : base;
  return {
    info: { name: precision === 'f64' ? 'cpu64' : 'cpu', precision, threads: team ? threads : 1 },
    async prepare(source: ProblemSource, options: PrepareOptions = {}): Promise<PreparedRun> {
      options.signal?.throwIfAborted();
      options.onPhase?.('prepare');
      const network = loadNetwork(source.problem(), kernels, team, threads);
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
