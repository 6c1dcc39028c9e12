/**
 * Roofline figures of a run, as plain numbers for the benchmark and the lab's timings panel: each
 * matrix product's GFLOP/s as a share of the measured peak (src/backends/cpu/roofline.ts), and the
 * whole pass against the time the peak allows for its products (Williams, Waterman & Patterson,
 * "Roofline: an insightful visual performance model for multicore architectures", CACM 52(4),
 * 2009: here only the compute roof, since every product's operands fit in cache). Parallel
 * efficiency is speed-up over threads: (T₁/Tₙ)/n.
 */
import type { KernelTimes } from './results.ts';
import {
  gflopsPerSecond,
  MATMUL_KERNELS,
  passFlops,
  type MatmulKernel,
  type SizeFields,
} from './work.ts';

export interface KernelRoofline {
  readonly kernel: MatmulKernel;
  readonly flops: number;
  readonly ms: number;
  readonly gflops: number;
  /** 100 · gflops / peak. */
  readonly percentOfPeak: number;
}

export interface PassRoofline {
  /** The three products, each against the peak. */
  readonly kernels: readonly KernelRoofline[];
  /** All products together: their flops over the time spent in them. */
  readonly products: Omit<KernelRoofline, 'kernel'>;
  /** The whole pass (products, activations, reductions): its products' flops over its time. */
  readonly pass: {
    readonly flops: number;
    readonly ms: number;
    readonly gflops: number;
    /** The time the peak allows for the products: flops / peak. */
    readonly peakMs: number;
    /** 100 · peakMs / ms. */
    readonly percentOfPeak: number;
  };
  readonly peakGflops: number;
}

/**
 * The roofline of one pass of `spec` that took `passMs` in all, with `kernelsMs` per kernel,
 * against `peakGflops`.
 */
export function passRoofline(
  spec: SizeFields,
  kernelsMs: KernelTimes,
  passMs: number,
  peakGflops: number,
): PassRoofline {
  const flops = passFlops(spec);
  const kernels = MATMUL_KERNELS.map((kernel): KernelRoofline => {
    const ms = kernelsMs[kernel] ?? NaN;
    const gflops = gflopsPerSecond(flops[kernel], ms);
    return { kernel, flops: flops[kernel], ms, gflops, percentOfPeak: (100 * gflops) / peakGflops };
  });
  const productFlops = kernels.reduce((total, k) => total + k.flops, 0);
  const productMs = kernels.reduce((total, k) => total + k.ms, 0);
  const productGflops = gflopsPerSecond(productFlops, productMs);
  const peakMs = productFlops / (peakGflops * 1e6);
  return {
    kernels,
    products: {
      flops: productFlops,
      ms: productMs,
      gflops: productGflops,
      percentOfPeak: (100 * productGflops) / peakGflops,
    },
    pass: {
      flops: productFlops,
      ms: passMs,
      gflops: gflopsPerSecond(productFlops, passMs),
      peakMs,
      percentOfPeak: (100 * peakMs) / passMs,
    },
    peakGflops,
  };
}

/** Speed-up and parallel efficiency of a run on `threads` threads against one thread. */
export function parallelEfficiency(
  oneThreadMs: number,
  threadsMs: number,
  threads: number,
): { readonly speedup: number; readonly efficiency: number } {
  const speedup = oneThreadMs / threadsMs;
  return { speedup, efficiency: speedup / threads };
}
