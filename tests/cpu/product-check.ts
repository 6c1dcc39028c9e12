/**
 * Checks of the WebAssembly matmul against its precision contract (wasm/matmul.as.ts), shared by
 * the plain-SIMD tests (wasm-kernels.test.ts) and the relaxed-SIMD ones (relaxed-simd.test.ts).
 */
import { expect } from 'vitest';
import type { WasmKernels } from '../../src/backends/cpu/wasm/wasm-kernels.ts';
import { makeRandom, randomMatrix } from '../matrices.ts';

/**
 * References for C = A·B: `product` and `absProduct` are Σ_p a·b and Σ_p |a·b| in f64;
 * `naiveF32` is the naive f32 loop, s ← fl(s + fl(a·b)) for p = 0, 1, …, K−1, which the plain
 * kernel's contract says it reproduces bit for bit.
 */
export function referenceProduct(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
) {
  const product = new Float64Array(m * n);
  const absProduct = new Float64Array(m * n);
  const naiveF32 = new Float32Array(m * n);
  const fround = Math.fround;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let absSum = 0;
      let sumF32 = 0;
      for (let p = 0; p < k; p++) {
        const term = a[i * k + p]! * b[p * n + j]!;
        sum += term;
        absSum += Math.abs(term);
        sumF32 = fround(sumF32 + fround(term));
      }
      product[i * n + j] = sum;
      absProduct[i * n + j] = absSum;
      naiveF32[i * n + j] = sumF32;
    }
  }
  return { product, absProduct, naiveF32 };
}

const U32 = 2 ** -24; // unit roundoff of f32 (round to nearest)
const U64 = 2 ** -53; // unit roundoff of f64

/** γ_n = n·u/(1 − n·u) (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed., §3.1). */
function gamma(n: number, unitRoundoff: number): number {
  return (n * unitRoundoff) / (1 - n * unitRoundoff);
}

/**
 * The error bound of the kernel's precision contract, against the f64 reference.
 *
 * The kernel forms each entry as an f32 recursive dot product of length K (with or without a
 * fused multiply-add per step), so |c − S| ≤ γ_K(u32)·Σ|a||b| (Higham eq. 3.5), with S the exact
 * dot product. A product of two f32 values is exact in f64, so the reference r is a recursive f64
 * sum of K exact terms: |r − S| ≤ γ_{K−1}(u64)·Σ|a||b|. Hence
 * |c − r| ≤ (γ_K(u32) + γ_{K−1}(u64))·Σ|a||b|, plus 2^-149 (one f32 subnormal step) in case
 * anything underflows.
 */
export function errorBound(absSum: number, k: number): number {
  return (gamma(k, U32) + gamma(k - 1, U64)) * absSum + 2 ** -149;
}

/** Bᵀ (n×k, row-major) of B (k×n). */
export function transposed(b: Float32Array, k: number, n: number): Float32Array {
  const out = new Float32Array(k * n);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) out[j * k + p] = b[p * n + j]!;
  return out;
}

/**
 * Runs the kernel into a NaN-filled C with sentinels on both sides, and checks every entry
 * against the error bound and (with `bitwise`) bit for bit against the naive f32 loop. With
 * `transB` the kernel gets Bᵀ. Returns C.
 */
export function checkProduct(
  wasm: WasmKernels,
  m: number,
  k: number,
  n: number,
  seed: number,
  { transB = false, bitwise = true }: { transB?: boolean; bitwise?: boolean } = {},
): Float32Array {
  const random = makeRandom(seed);
  const a = randomMatrix(m * k, random);
  const b = randomMatrix(k * n, random);
  const sentinel = 12345.5;
  const cBuffer = new Float32Array(m * n + 8).fill(sentinel);
  const c = cBuffer.subarray(4, 4 + m * n).fill(NaN);
  wasm.matmul(a, transB ? transposed(b, k, n) : b, c, m, k, n, transB);

  const { product, absProduct, naiveF32 } = referenceProduct(a, b, m, k, n);
  const where = `${m}×${k}·${k}×${n}${transB ? ' (Bᵀ given)' : ''}`;
  let worst = -Infinity;
  let worstIndex = -1;
  let mismatches = 0;
  let firstMismatch = -1;
  for (let index = 0; index < m * n; index++) {
    const error = Math.abs(c[index]! - product[index]!);
    // NaN (an entry never written) makes the ratio NaN; count it as the worst possible.
    const ratio = error / errorBound(absProduct[index]!, k);
    const score = Number.isNaN(ratio) ? Infinity : ratio;
    if (score > worst) {
      worst = score;
      worstIndex = index;
    }
    if (!Object.is(c[index], naiveF32[index])) {
      if (mismatches++ === 0) firstMismatch = index;
    }
  }
  expect(
    worst,
    `${where}, entry ${worstIndex}: c=${c[worstIndex]} ref=${product[worstIndex]}`,
  ).toBeLessThanOrEqual(1);
  if (bitwise) {
    expect(
      mismatches,
      `${where}: entries differing from the naive f32 loop, first ${firstMismatch}: ` +
        `c=${c[firstMismatch]} naive=${naiveF32[firstMismatch]}`,
    ).toBe(0);
  }
  for (const i of [0, 1, 2, 3, m * n + 4, m * n + 5, m * n + 6, m * n + 7]) {
    expect(cBuffer[i], `${where}: sentinel ${i}`).toBe(sentinel);
  }
  return c;
}
