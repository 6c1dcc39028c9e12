/**
 * How much arithmetic a run does: the floating-point operations of its three matrix products per
 * layer, counted as 2·m·k·n per product (one multiply and one add per term). The benchmark turns
 * them into GFLOP/s per kernel; the elementwise work (activations, reductions, batchnorm) is of
 * lower order and is not counted.
 */
import { layerSizes } from './problem.ts';
import type { KernelName } from './results.ts';
import type { RunSpec } from './spec.ts';

export type SizeFields = Pick<RunSpec, 'inputs' | 'width' | 'depth' | 'outputs' | 'batch'>;

/** Flops of C (m×n) = A (m×k) · B (k×n). */
export function matmulFlops(m: number, k: number, n: number): number {
  return 2 * m * k * n;
}

/** The kernels whose work is counted: the three matrix products. */
export const MATMUL_KERNELS = [
  'forward',
  'backward',
  'weightGradient',
] as const satisfies readonly KernelName[];
export type MatmulKernel = (typeof MATMUL_KERNELS)[number];

/**
 * Flops of each matrix product of one forward + backward pass, summed over the layers:
 * forward z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ (n_out × n_in · n_in × batch), weight gradient δ⁽ˡ⁾a⁽ˡ⁻¹⁾ᵀ (n_out × batch ·
 * batch × n_in), and backward W⁽ˡ⁾ᵀδ⁽ˡ⁾ (n_in × n_out · n_out × batch) for layers 2 … L only: no
 * backend computes ∂L/∂a⁽⁰⁾, which nothing reads.
 */
export function passFlops(spec: SizeFields): Record<MatmulKernel, number> {
  const sizes = layerSizes(spec);
  const flops = { forward: 0, backward: 0, weightGradient: 0 };
  for (let l = 1; l < sizes.length; l++) {
    const nIn = sizes[l - 1]!;
    const nOut = sizes[l]!;
    flops.forward += matmulFlops(nOut, nIn, spec.batch);
    flops.weightGradient += matmulFlops(nOut, spec.batch, nIn);
    if (l > 1) flops.backward += matmulFlops(nIn, nOut, spec.batch);
  }
  return flops;
}

/** Flops of one whole pass: the sum over its matrix products. */
export function runFlops(spec: SizeFields): number {
  const { forward, backward, weightGradient } = passFlops(spec);
  return forward + backward + weightGradient;
}

/** GFLOP/s of `flops` done in `ms` milliseconds; NaN when the time is not positive. */
export function gflopsPerSecond(flops: number, ms: number): number {
  return ms > 0 ? flops / (ms * 1e6) : NaN;
}
