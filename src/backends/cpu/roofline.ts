/**
 * The CPU side of the roofline: this engine's WebAssembly SIMD peak on one core, measured with the
 * multiply-add micro-kernels of wasm/peak.as.ts (twelve independent f32x4 chains in registers: no
 * memory traffic, so the floating-point units alone bound them). `npm run bench` reports each
 * kernel's GFLOP/s and the whole pass against it (src/engine/roofline.ts); the lab's CPU worker
 * measures the same in the browser (worker-protocol.ts 'roofline').
 *
 * Two peaks: mul + add (SIMD128: f32x4.mul then f32x4.add, what the wasm-simd matmul issues),
 * and, where relaxed SIMD runs, relaxed_madd (one fused multiply-add per lane where the CPU has
 * FMA, what the wasm-relaxed-simd matmul issues). The kernels' percentages are of the peak of
 * the instruction they use.
 *
 * Each peak is the best of a few samples of about `sampleMs` each, after warm-up calls that let
 * the engine compile the loop with its optimizing tier: on a shared machine the best sample is the
 * one least disturbed.
 */
import type { CpuKernelName } from '../../engine/results.ts';
import { f32KernelName } from './cpu-backend.ts';
import { WasmKernels, type WasmKernelName } from './wasm/wasm-kernels.ts';

/** Milliseconds of warm-up calls before a peak is measured. */
const WARM_UP_MS = 30;

/** Flops of one iteration of a peak loop: 12 chains × 4 lanes × (1 multiply + 1 add). */
export const PEAK_FLOPS_PER_ITERATION = 96;

/** What the roofline of this engine's CPU backend is measured against. */
export interface Roofline {
  /** The f32 kernels the CPU backend computes with here. */
  readonly kernel: CpuKernelName;
  /** GFLOP/s of the mul + add micro-kernel; null where WebAssembly SIMD does not run. */
  readonly mulAddGflops: number | null;
  /** GFLOP/s of the relaxed_madd micro-kernel; null where relaxed SIMD does not run. */
  readonly fusedMulAddGflops: number | null;
  /**
   * The peak of the multiply-add the kernels issue (fused for wasm-relaxed-simd, mul + add for
   * wasm-simd): what their percentages are of. Null for the TypeScript kernels, whose scalar
   * peak is not measured.
   */
  readonly peakGflops: number | null;
  /** Wall-clock milliseconds the measurement took. */
  readonly measuredMs: number;
}

export interface PeakOptions {
  /** Samples per peak (default 5). */
  readonly samples?: number;
  /** Milliseconds per sample (default 20). */
  readonly sampleMs?: number;
}

/** GFLOP/s of one peak micro-kernel of `wasm`: the best of the samples. */
export function measurePeakGflops(
  wasm: WasmKernels,
  kind: 'mul-add' | 'kernel',
  { samples = 5, sampleMs = 20 }: PeakOptions = {},
): number {
  // Warm-up: short calls for a while get the loop compiled by the optimizing tier (engines start
  // with a baseline compiler and tier up hot functions in the background).
  let iterations = 10_000;
  const warmUntil = performance.now() + WARM_UP_MS;
  for (let calls = 0; calls < 10 || performance.now() < warmUntil; calls++) {
    wasm.peak(kind, iterations);
  }
  // Calibrate: double until one call takes a quarter of a sample.
  for (;;) {
    const start = performance.now();
    wasm.peak(kind, iterations);
    const elapsed = performance.now() - start;
    if (elapsed >= sampleMs / 4 || iterations >= 2 ** 30) {
      iterations = Math.min(2 ** 30, Math.ceil((iterations * sampleMs) / Math.max(elapsed, 1e-3)));
      break;
    }
    iterations *= 2;
  }
  let best = 0;
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    wasm.peak(kind, iterations);
    const ms = performance.now() - start;
    if (ms > 0) best = Math.max(best, (PEAK_FLOPS_PER_ITERATION * iterations) / (ms * 1e6));
  }
  return best;
}

/**
 * Measures this engine's peaks on the calling thread (about 2·samples·sampleMs ms with relaxed
 * SIMD, half that without). `kernel` names the f32 kernels the percentages will be of (default:
 * the CPU backend's, f32KernelName()).
 */
export function measureRoofline(
  options: PeakOptions & { readonly kernel?: CpuKernelName } = {},
): Roofline {
  const started = performance.now();
  const kernel = options.kernel ?? f32KernelName();
  const instance = (name: WasmKernelName) => WasmKernels.create(name);
  const relaxed = instance('wasm-relaxed-simd');
  const plain = relaxed ?? instance('wasm-simd');
  const mulAddGflops = plain ? measurePeakGflops(plain, 'mul-add', options) : null;
  const fusedMulAddGflops = relaxed ? measurePeakGflops(relaxed, 'kernel', options) : null;
  const peakGflops =
    kernel === 'wasm-relaxed-simd'
      ? fusedMulAddGflops
      : kernel === 'wasm-simd'
        ? mulAddGflops
        : null;
  return {
    kernel,
    mulAddGflops,
    fusedMulAddGflops,
    peakGflops,
    measuredMs: performance.now() - started,
  };
}
