import { readFile } from 'node:fs/promises';
import { describe, it, expect, vi } from 'vitest';
import { createWasmMatmul, type WasmMatmul } from '../../src/backends/cpu/wasm/wasm-matmul.ts';
import { MATMUL_WASM_BASE64 } from '../../src/backends/cpu/wasm/matmul-wasm.generated.ts';
import { makeRandom, randomMatrix } from '../matrices.ts';

/**
 * References for C = A·B: `product` and `absProduct` are Σ_p a·b and Σ_p |a·b| in f64;
 * `naiveF32` is the naive f32 loop, s ← fl(s + fl(a·b)) for p = 0, 1, …, K−1, which the kernel's
 * contract says it reproduces bit for bit.
 */
function referenceProduct(a: Float32Array, b: Float32Array, m: number, k: number, n: number) {
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
 * The error bound of the wasm kernel's precision contract, against the f64 reference.
 *
 * The kernel forms each entry as an f32 recursive dot product of length K, so
 * |c − S| ≤ γ_K(u32)·Σ|a||b| (Higham eq. 3.5), with S the exact dot product. A product of two
 * f32 values is exact in f64, so the reference r is a recursive f64 sum of K exact terms:
 * |r − S| ≤ γ_{K−1}(u64)·Σ|a||b|. Hence |c − r| ≤ (γ_K(u32) + γ_{K−1}(u64))·Σ|a||b|, plus 2^-149
 * (one f32 subnormal step) in case anything underflows.
 */
function errorBound(absSum: number, k: number): number {
  return (gamma(k, U32) + gamma(k - 1, U64)) * absSum + 2 ** -149;
}

const wasmOrNull = createWasmMatmul();

/** The kernel; fails the test where this runtime (Node 20 has SIMD128) cannot load it. */
function kernel(): WasmMatmul {
  expect(wasmOrNull, 'createWasmMatmul() returned null').not.toBeNull();
  return wasmOrNull!;
}

/**
 * Runs the kernel into a NaN-filled C with sentinels on both sides, and checks every entry
 * against the error bound and bit for bit against the naive f32 loop.
 */
function checkProduct(wasm: WasmMatmul, m: number, k: number, n: number, seed: number): void {
  const random = makeRandom(seed);
  const a = randomMatrix(m * k, random);
  const b = randomMatrix(k * n, random);
  const sentinel = 12345.5;
  const cBuffer = new Float32Array(m * n + 8).fill(sentinel);
  const c = cBuffer.subarray(4, 4 + m * n).fill(NaN);
  wasm.matmul(a, b, c, m, k, n);

  const { product, absProduct, naiveF32 } = referenceProduct(a, b, m, k, n);
  const where = `${m}×${k}·${k}×${n}`;
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
  expect(
    mismatches,
    `${where}: entries differing from the naive f32 loop, first ${firstMismatch}: ` +
      `c=${c[firstMismatch]} naive=${naiveF32[firstMismatch]}`,
  ).toBe(0);
  for (const i of [0, 1, 2, 3, m * n + 4, m * n + 5, m * n + 6, m * n + 7]) {
    expect(cBuffer[i], `${where}: sentinel ${i}`).toBe(sentinel);
  }
}

describe('createWasmMatmul', () => {
  it('loads in Node (SIMD128 is available from Node 16.4 on)', () => {
    expect(wasmOrNull).not.toBeNull();
  });

  it('embeds a module under 4 KB, which Chromium compiles synchronously on the main thread', () => {
    const bytes = atob(MATMUL_WASM_BASE64).length;
    expect(bytes).toBeGreaterThan(8);
    expect(bytes).toBeLessThan(4096);
  });

  it('returns null where WebAssembly SIMD is unsupported', async () => {
    // A fresh copy of the loader, so that its per-realm module cache starts empty.
    vi.resetModules();
    const validate = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    try {
      const fresh = await import('../../src/backends/cpu/wasm/wasm-matmul.ts');
      expect(fresh.createWasmMatmul()).toBeNull();
      expect(validate).toHaveBeenCalled();
    } finally {
      validate.mockRestore();
      vi.resetModules();
    }
  });

  it('gives independent instances (each with its own memory)', () => {
    const first = createWasmMatmul()!;
    const second = createWasmMatmul()!;
    checkProduct(first, 70, 40, 30, 11);
    checkProduct(second, 5, 6, 7, 12);
    checkProduct(first, 9, 10, 11, 13);
  });
});

describe('wasm matmul', () => {
  // Sizes straddle the micro-tile (4 rows, 8 columns), the row block (128), the depth block
  // (256), the f32x4 and the 4×4 transpose in packing, and include degenerate vectors.
  const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 37, 65, 257];
  it.each(sizes.flatMap((m) => sizes.map((k) => [m, k])))('M=%i K=%i over all N', (m, k) => {
    const wasm = kernel();
    for (const n of sizes) checkProduct(wasm, m, k, n, 1000 * m + 31 * k + n);
  });

  it.each([
    [129, 513, 65], // three depth blocks: C's running sums are resumed twice
    [67, 600, 261], // depth blocks with a ragged end, ragged tiles on both edges
    [5, 3, 1100], // two column blocks (1024 + 76)
    [9, 300, 1031], // two column and two depth blocks, the last of each ragged
    [300, 1, 300],
    [1, 1000, 3],
    [256, 256, 64], // the bench's shapes
    [256, 64, 256],
  ])('M=%i K=%i N=%i', (m, k, n) => {
    checkProduct(kernel(), m, k, n, m * 7 + k * 11 + n * 13);
  });

  it('is exact on small integers (a dot product with no rounding at all)', () => {
    const m = 5;
    const k = 300;
    const n = 6;
    const a = Float32Array.from({ length: m * k }, (_, i) => (i % 7) - 3);
    const b = Float32Array.from({ length: k * n }, (_, i) => (i % 5) - 2);
    const c = new Float32Array(m * n).fill(NaN);
    kernel().matmul(a, b, c, m, k, n);
    const { product } = referenceProduct(a, b, m, k, n);
    expect(Array.from(c)).toEqual(Array.from(product));
  });

  it('accumulates in f32: small terms after a large one are lost, as in the naive f32 loop', () => {
    // 1 + 2^-24 added 2^12 times: exact sum 1 + 2^-12, but an f32 running sum stays at 1.
    // (matmulF32 accumulates in f64 and returns 1 + 2^-12.) The error, 2^-12, is within
    // γ_K·Σ|a||b| ≈ 4097·2^-24·2.
    const k = 4097;
    const a = new Float32Array(k).fill(1);
    const b = new Float32Array(k * 2);
    for (let p = 0; p < k; p++) b[p * 2] = b[p * 2 + 1] = p === 0 ? 1 : 2 ** -24;
    const c = new Float32Array(2);
    kernel().matmul(a, b, c, 1, k, 2);
    expect(Array.from(c)).toEqual([1, 1]);
  });

  it('confines a NaN in A to its row of C and a NaN in B to its column (padding leaks nothing)', () => {
    const m = 9;
    const k = 6;
    const n = 11;
    const random = makeRandom(3);
    const a = randomMatrix(m * k, random);
    const b = randomMatrix(k * n, random);
    a[8 * k + 2] = NaN; // row 8: alone in the last, padded row panel
    b[3 * n + 10] = Infinity; // column 10: in the last, padded column panel
    const c = new Float32Array(m * n);
    kernel().matmul(a, b, c, m, k, n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const value = c[i * n + j]!;
        if (i === 8) expect(value, `C[${i}, ${j}]`).toBeNaN();
        else if (j === 10) expect(Math.abs(value), `C[${i}, ${j}]`).toBe(Infinity);
        else expect(Number.isFinite(value), `C[${i}, ${j}] = ${value}`).toBe(true);
      }
    }
  });

  it('stays correct as memory grows: small, large, then small calls', () => {
    const wasm = kernel();
    checkProduct(wasm, 3, 5, 7, 21);
    // 4·(600·700 + 700·500 + 600·500) bytes ≈ 4.3 MB of operands: memory must grow.
    checkProduct(wasm, 600, 700, 500, 22);
    checkProduct(wasm, 17, 9, 33, 23);
    checkProduct(wasm, 600, 700, 500, 24);
  });

  it('works on views with byte offsets, including A and B in one buffer, and longer arrays', () => {
    const m = 9;
    const k = 13;
    const n = 11;
    const random = makeRandom(77);
    const storage = randomMatrix(3 + m * k + 5 + k * n + 7, random);
    const a = storage.subarray(3, 3 + m * k);
    const b = storage.subarray(3 + m * k + 5); // 7 entries longer than k·n
    const cStorage = new Float32Array(m * n + 10).fill(NaN);
    const c = cStorage.subarray(1); // 9 entries longer than m·n
    kernel().matmul(a, b, c, m, k, n);
    const { naiveF32, product, absProduct } = referenceProduct(a, b, m, k, n);
    for (let i = 0; i < m * n; i++) {
      expect(c[i]).toBe(naiveF32[i]);
      expect(Math.abs(c[i]! - product[i]!)).toBeLessThanOrEqual(errorBound(absProduct[i]!, k));
    }
    expect(cStorage[0]).toBeNaN();
    for (let i = m * n; i < c.length; i++) expect(c[i]).toBeNaN();
  });

  it('writes zeros for K = 0, does nothing for M = 0 or N = 0, rejects short arrays', () => {
    const wasm = kernel();
    const c = new Float32Array(6).fill(NaN);
    wasm.matmul(new Float32Array(0), new Float32Array(0), c, 2, 0, 3);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
    const untouched = new Float32Array(3).fill(7);
    wasm.matmul(new Float32Array(0), new Float32Array(12), untouched, 0, 4, 3);
    wasm.matmul(new Float32Array(8), new Float32Array(0), untouched, 2, 4, 0);
    expect(Array.from(untouched)).toEqual([7, 7, 7]);
    expect(() => wasm.matmul(new Float32Array(5), new Float32Array(6), c, 2, 3, 2)).toThrow(
      RangeError,
    );
    expect(() => wasm.matmul(new Float32Array(6), new Float32Array(5), c, 2, 3, 2)).toThrow(
      RangeError,
    );
    expect(() => wasm.matmul(new Float32Array(6), new Float32Array(6), c, 3, 2, 3)).toThrow(
      RangeError,
    );
  });
});

// The build needs the assemblyscript devDependency, which `npm install` always brings.
const build = await import('../../scripts/build-wasm.mjs');

describe('matmul-wasm.generated.ts', () => {
  it('is up to date with matmul.as.ts (npm run build:wasm)', async () => {
    const binary = await build.compileMatmulWasm();
    const base64 = Buffer.from(binary).toString('base64');
    expect(base64, 'stale: run `npm run build:wasm`').toBe(MATMUL_WASM_BASE64);
    const text = await build.renderGeneratedModule(binary);
    expect(text, 'stale header: run `npm run build:wasm`').toBe(
      await readFile(build.GENERATED_PATH, 'utf8'),
    );
  });
});
