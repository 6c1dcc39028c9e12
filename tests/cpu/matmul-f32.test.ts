import { describe, it, expect } from 'vitest';
import { matmulF32, transposeF32 } from '../../src/backends/cpu/matmul-f32.ts';
import { makeRandom, randomMatrix } from '../matrices.ts';

/** f64 reference: ref[i, j] = Σ_p a[i, p]·b[p, j] and the matching Σ_p |a[i, p]·b[p, j]|. */
function referenceProduct(a: Float32Array, b: Float32Array, m: number, k: number, n: number) {
  const product = new Float64Array(m * n);
  const absProduct = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let absSum = 0;
      for (let p = 0; p < k; p++) {
        const term = a[i * k + p] * b[p * n + j];
        sum += term;
        absSum += Math.abs(term);
      }
      product[i * n + j] = sum;
      absProduct[i * n + j] = absSum;
    }
  }
  return { product, absProduct };
}

const U32 = 2 ** -24; // unit roundoff of f32 (round to nearest)
const U64 = 2 ** -53; // unit roundoff of f64

/**
 * The error bound that matmulF32's precision contract implies (Higham, "Accuracy and Stability
 * of Numerical Algorithms", 2nd ed., §3.1, eq. 3.5, and §2.2).
 *
 * A product of two f32 values is exact in f64 (24 + 24 significant bits ≤ 53), so both the
 * kernel's f64 sum s and the reference r are recursive sums of the same exact terms, in possibly
 * different orders: |s − S|, |r − S| ≤ γ_{K−1}·Σ|a||b| with γ_n = n·u64 / (1 − n·u64) and S the
 * exact dot product. The kernel then rounds s once to f32: |c − s| ≤ u32·|s| (plus half the
 * smallest subnormal, 2^-150, should the result underflow). Hence
 *   |c − r| ≤ u32·|r| + (2 + 2·u32)·γ_{K−1}·Σ|a||b| + 2^-150.
 * Accumulating in f32 instead would allow errors of order K·u32·Σ|a||b|, which this bound
 * rejects for all but the smallest K.
 */
function errorBound(reference: number, absSum: number, k: number): number {
  const gamma = ((k - 1) * U64) / (1 - (k - 1) * U64);
  return U32 * Math.abs(reference) + (2 + 2 * U32) * gamma * absSum + 2 ** -150;
}

/**
 * Runs matmulF32 into a NaN-filled C with sentinels past its end, and checks every entry; with
 * `transB`, the kernel gets Bᵀ and must give the same product (bit for bit, returned for that).
 */
function checkProduct(m: number, k: number, n: number, seed: number, transB = false): Float32Array {
  const random = makeRandom(seed);
  const a = randomMatrix(m * k, random);
  const b = randomMatrix(k * n, random);
  const sentinel = 12345.5;
  const cBuffer = new Float32Array(m * n + 8).fill(sentinel);
  const c = cBuffer.subarray(0, m * n);
  c.fill(NaN);
  if (transB) {
    const bt = new Float32Array(k * n);
    transposeF32(b, k, n, bt);
    matmulF32(a, bt, c, m, k, n, true);
  } else matmulF32(a, b, c, m, k, n);

  const { product, absProduct } = referenceProduct(a, b, m, k, n);
  let worst = -Infinity;
  let worstIndex = -1;
  for (let index = 0; index < m * n; index++) {
    const error = Math.abs(c[index] - product[index]);
    // NaN (an entry never written) makes the ratio NaN; count it as the worst possible.
    const ratio = error / errorBound(product[index], absProduct[index], k);
    const score = Number.isNaN(ratio) ? Infinity : ratio;
    if (score > worst) {
      worst = score;
      worstIndex = index;
    }
  }
  const where = `${m}×${k}·${k}×${n}, entry ${worstIndex}`;
  expect(worst, `${where}: c=${c[worstIndex]} ref=${product[worstIndex]}`).toBeLessThanOrEqual(1);
  for (let i = m * n; i < cBuffer.length; i++) expect(cBuffer[i], where).toBe(sentinel);
  return c;
}

describe('matmulF32', () => {
  it('reads B transposed (Bᵀ given) with the same products, bit for bit', () => {
    for (const [m, k, n] of [
      [1, 1, 1],
      [5, 3, 7],
      [17, 64, 65],
      [70, 300, 9],
      [3, 5, 260],
      [9, 2, 1],
    ] as const) {
      const seed = 7 * m + 11 * k + n;
      expect(Array.from(checkProduct(m, k, n, seed, true))).toEqual(
        Array.from(checkProduct(m, k, n, seed)),
      );
    }
  });

  // Sizes straddle the micro-tile (4), the row block (64), the depth block (256) and the column
  // block (256), and include degenerate vectors.
  const sizes = [1, 2, 3, 4, 5, 7, 17, 37, 65];
  it.each(sizes.flatMap((m) => sizes.map((k) => [m, k])))('M=%i K=%i over all N', (m, k) => {
    for (const n of sizes) checkProduct(m, k, n, 1000 * m + 31 * k + n);
  });

  it.each([
    [1, 1, 1],
    [1, 257, 1],
    [257, 1, 257],
    [1, 300, 300],
    [300, 300, 1],
    [257, 257, 257],
    [129, 513, 65], // three depth blocks: the f64 partial tile is loaded and stored
    [67, 600, 261], // depth and column blocks both with ragged ends
    [256, 256, 64],
    [256, 64, 256],
    [64, 1024, 64],
    [3, 1000, 2],
  ])('M=%i K=%i N=%i', (m, k, n) => {
    checkProduct(m, k, n, m * 7 + k * 11 + n * 13);
  });

  it('is exact on small integers (a dot product with no rounding at all)', () => {
    const m = 5;
    const k = 300;
    const n = 6;
    const a = Float32Array.from({ length: m * k }, (_, i) => (i % 7) - 3);
    const b = Float32Array.from({ length: k * n }, (_, i) => (i % 5) - 2);
    const c = new Float32Array(m * n).fill(NaN);
    matmulF32(a, b, c, m, k, n);
    const { product } = referenceProduct(a, b, m, k, n);
    expect(Array.from(c)).toEqual(Array.from(product));
  });

  it('keeps an f64 accumulator where f32 accumulation would lose the small terms', () => {
    // 1 + 2^-24 added 2^12 times: exact sum 1 + 2^-12; an f32 running sum would stay at 1.
    const k = 4097;
    const a = new Float32Array(k).fill(1);
    const b = new Float32Array(k * 2);
    for (let p = 0; p < k; p++) b[p * 2] = b[p * 2 + 1] = p === 0 ? 1 : 2 ** -24;
    const c = new Float32Array(2);
    matmulF32(a, b, c, 1, k, 2);
    expect(Array.from(c)).toEqual([1 + 2 ** -12, 1 + 2 ** -12]);
    // N = 1 takes the matrix–vector path; same contract.
    const column = Float32Array.from({ length: k }, (_, p) => b[p * 2]);
    const c1 = new Float32Array(1);
    matmulF32(a, column, c1, 1, k, 1);
    expect(c1[0]).toBe(1 + 2 ** -12);
  });

  it('gives the same answer after calls with larger shapes (no stale scratch)', () => {
    checkProduct(300, 600, 300, 1);
    checkProduct(5, 3, 7, 2);
    checkProduct(70, 270, 9, 3);
  });

  it('works on views with a byte offset into a larger buffer', () => {
    const m = 9;
    const k = 13;
    const n = 11;
    const random = makeRandom(77);
    const storage = randomMatrix(3 + m * k + 5 + k * n, random);
    const a = storage.subarray(3, 3 + m * k);
    const b = storage.subarray(3 + m * k + 5);
    const c = new Float32Array(m * n).fill(NaN);
    matmulF32(a, b, c, m, k, n);
    const { product, absProduct } = referenceProduct(a, b, m, k, n);
    for (let i = 0; i < m * n; i++) {
      expect(Math.abs(c[i] - product[i])).toBeLessThanOrEqual(
        errorBound(product[i], absProduct[i], k),
      );
    }
  });

  it('writes zeros for K = 0 and rejects arrays that are too short', () => {
    const c = new Float32Array(6).fill(NaN);
    matmulF32(new Float32Array(0), new Float32Array(0), c, 2, 0, 3);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => matmulF32(new Float32Array(5), new Float32Array(6), c, 2, 3, 2)).toThrow(
      RangeError,
    );
  });
});

describe('transposeF32', () => {
  it.each([
    [1, 1],
    [1, 7],
    [7, 1],
    [3, 5],
    [32, 32],
    [33, 65],
    [100, 37],
  ])('%i×%i', (rows, cols) => {
    const src = Float32Array.from({ length: rows * cols }, (_, i) => i + 0.5);
    const dstBuffer = new Float32Array(rows * cols + 4).fill(-1);
    const dst = dstBuffer.subarray(0, rows * cols).fill(NaN);
    transposeF32(src, rows, cols, dst);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) expect(dst[j * rows + i]).toBe(src[i * cols + j]);
    }
    for (let i = rows * cols; i < dstBuffer.length; i++) expect(dstBuffer[i]).toBe(-1);
    const back = new Float32Array(rows * cols);
    transposeF32(dst, cols, rows, back);
    expect(back).toEqual(src);
  });

  it('agrees with matmulF32 against the identity: Aᵀ·I = Aᵀ', () => {
    const rows = 19;
    const cols = 23;
    const a = randomMatrix(rows * cols, makeRandom(5));
    const aT = new Float32Array(rows * cols);
    transposeF32(a, rows, cols, aT);
    const identity = new Float32Array(rows * rows);
    for (let i = 0; i < rows; i++) identity[i * rows + i] = 1;
    // Aᵀ (cols×rows) · I (rows×rows) = Aᵀ, exactly.
    const product = new Float32Array(cols * rows);
    matmulF32(aT, identity, product, cols, rows, rows);
    expect(product).toEqual(aT);
  });
});
