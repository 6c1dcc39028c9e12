/**
 * The CPU backends behind the Backend interface: `cpu64` (Float64Array, the reference) and `cpu`
 * (Float32Array, the fast fallback). Both run the same network pass; they differ in the matmul.
 * `cpu` multiplies with the WebAssembly SIMD kernel (f32 accumulation, the error bound of a plain
 * f32 dot product) where the engine has SIMD, else with the blocked TypeScript kernel.
 */
import type { Backend, PreparedRun } from '../../engine/backend.ts';
import type { ProblemSource } from '../../engine/problem.ts';
import type { KernelName, Precision } from '../../engine/results.ts';
import { F64_KERNELS } from './kernels-f64.ts';
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

export function createCpuBackend(precision: Precision): Backend {
  const kernels = precision === 'f64' ? F64_KERNELS : F32_KERNELS;
  return {
    info: { name: precision === 'f64' ? 'cpu64' : 'cpu', precision },
    async prepare(source: ProblemSource): Promise<PreparedRun> {
      const network = loadNetwork(source.problem(), kernels);
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
