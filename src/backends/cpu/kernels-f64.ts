/**
 * The f64 reference kernels: plain loops in the textbook summation order, kept simple so that
 * they are easy to trust. cpu64 checks every other backend with them.
 */
import type { FloatArray, PrecisionKernels } from './pass-rows.ts';

/** C = A·B by rows (i-k-j), so the inner loop runs over contiguous memory. */
export function matmulF64(
  a: FloatArray,
  b: FloatArray,
  c: FloatArray,
  m: number,
  k: number,
  n: number,
): void {
  c.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    const cRow = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      if (aip === 0) continue;
      const bRow = p * n;
      for (let j = 0; j < n; j++) c[cRow + j]! += aip * b[bRow + j]!;
    }
  }
}

export function transposeAny(src: FloatArray, rows: number, cols: number, dst: FloatArray): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j]!;
  }
}

export const F64_KERNELS: PrecisionKernels = {
  variant: 'f64',
  wasm: null,
  alloc: (length) => new Float64Array(length),
  matmul: matmulF64,
  transpose: transposeAny,
};
