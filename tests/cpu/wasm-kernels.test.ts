/**
 * The WebAssembly kernels' matmul (plain SIMD128 build) against its precision contract, the
 * loader, the generated module and the built worker's copy of it (kernels-wasm.fetch.ts). The activation and reduction kernels are tested in
 * activation-wasm.test.ts; the relaxed-SIMD build in relaxed-simd.test.ts.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, it, expect, vi } from 'vitest';
import {
  KERNELS_WASM,
  RELAXED_MATMUL_WASM,
} from '../../src/backends/cpu/wasm/kernels-wasm.generated.ts';
import { RESIDENT_BUDGET_BYTES, WasmKernels } from '../../src/backends/cpu/wasm/wasm-kernels.ts';
import { makeRandom, randomMatrix } from '../matrices.ts';
import { checkProduct, errorBound, referenceProduct } from './product-check.ts';

const wasmOrNull = WasmKernels.create('wasm-simd');

/** The kernel; fails the test where this runtime (Node 20 has SIMD128) cannot load it. */
function kernel(): WasmKernels {
  expect(wasmOrNull, "WasmKernels.create('wasm-simd') returned null").not.toBeNull();
  return wasmOrNull!;
}

describe('WasmKernels', () => {
  it('loads in Node (SIMD128 is available from Node 16.4 on)', () => {
    expect(wasmOrNull).not.toBeNull();
    expect(wasmOrNull!.name).toBe('wasm-simd');
  });

  it('embeds small modules: the kernels under 16 KB, the relaxed matmul under 4 KB', () => {
    const sizes = [KERNELS_WASM.length, RELAXED_MATMUL_WASM.length];
    expect(sizes[0]).toBeGreaterThan(8);
    expect(sizes[0]).toBeLessThan(16384);
    expect(sizes[1]).toBeGreaterThan(8);
    expect(sizes[1]).toBeLessThan(4096);
  });

  it('returns null where WebAssembly SIMD is unsupported, and picks no build', async () => {
    // A fresh copy of the loader, so that its per-realm module cache starts empty.
    vi.resetModules();
    const validate = vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    try {
      const fresh = await import('../../src/backends/cpu/wasm/wasm-kernels.ts');
      expect(fresh.WasmKernels.create('wasm-simd')).toBeNull();
      expect(fresh.WasmKernels.create()).toBeNull();
      expect(fresh.bestWasmKernel()).toBeNull();
      expect(validate).toHaveBeenCalled();
      const backend = await import('../../src/backends/cpu/cpu-backend.ts');
      expect(backend.f32KernelName()).toBe('typescript');
      expect(backend.createCpuBackend('f32').info.kernel).toBe('typescript');
    } finally {
      validate.mockRestore();
      vi.resetModules();
    }
  });

  it('prefers relaxed SIMD where the engine validates it, else SIMD128', async () => {
    vi.resetModules();
    const relaxed = RELAXED_MATMUL_WASM;
    expect(relaxed.length).not.toBe(KERNELS_WASM.length);
    const validate = vi
      .spyOn(WebAssembly, 'validate')
      // Claim no relaxed SIMD: the relaxed module is the one of its length.
      .mockImplementation((bytes) => (bytes as Uint8Array).length !== relaxed.length);
    try {
      const fresh = await import('../../src/backends/cpu/wasm/wasm-kernels.ts');
      expect(fresh.bestWasmKernel()).toBe('wasm-simd');
      expect(fresh.wasmKernelAvailable('wasm-relaxed-simd')).toBe(false);
      expect(fresh.WasmKernels.create('wasm-relaxed-simd')).toBeNull();
    } finally {
      validate.mockRestore();
      vi.resetModules();
    }
  });

  it('gives independent instances (each with its own memory)', () => {
    const first = WasmKernels.create('wasm-simd')!;
    const second = WasmKernels.create('wasm-simd')!;
    checkProduct(first, 70, 40, 30, 11);
    checkProduct(second, 5, 6, 7, 12);
    checkProduct(first, 9, 10, 11, 13);
  });
});

describe('resident arrays', () => {
  it('are copied in once, again when their version moves, and start over when the budget is spent', () => {
    const wasm = WasmKernels.create('wasm-simd')!;
    const start = wasm.base;
    const network = {};
    const other = {};
    const weights = Float32Array.from({ length: 1000 }, (_, i) => i);
    const at = wasm.resident(network, 'W1', weights, 0);
    expect(at).toBe(start);
    expect(wasm.base).toBeGreaterThanOrEqual(start + 4 * weights.length);
    expect(Array.from(wasm.f32(at, 3))).toEqual([0, 1, 2]);
    // Same version: not copied again (a change to the source is not seen).
    weights[0] = 42;
    expect(wasm.resident(network, 'W1', weights, 0)).toBe(at);
    expect(wasm.f32(at, 1)[0]).toBe(0);
    // A new version: copied again, in place.
    expect(wasm.resident(network, 'W1', weights, 1)).toBe(at);
    expect(wasm.f32(at, 1)[0]).toBe(42);
    // Another network's arrays sit beside this one's.
    const otherAt = wasm.resident(other, 'W1', Float32Array.of(7, 8), 0);
    expect(otherAt).toBeGreaterThan(at);
    expect(wasm.resident(network, 'W1', weights, 1)).toBe(at);
    // Operands go after the resident arrays.
    expect(wasm.base).toBeGreaterThan(otherAt);
    // Past the budget the area starts over; an array larger than the budget is not kept.
    const big = new Float32Array(RESIDENT_BUDGET_BYTES / 4 - 64);
    expect(wasm.resident(network, 'big', big, 0)).toBe(start);
    // W1 no longer fits beside it: the area starts over again, and W1 is copied in anew.
    weights[0] = 43;
    expect(wasm.resident(network, 'W1', weights, 1)).toBe(start);
    expect(wasm.f32(start, 1)[0]).toBe(43);
    expect(wasm.resident(network, 'huge', new Float32Array(RESIDENT_BUDGET_BYTES / 4 + 1), 0)).toBe(
      -1,
    );
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

  it('reads B transposed (Bᵀ given, as for δ·aᵀ) with the same results, bit for bit', () => {
    // Widths straddle the 8-column panel and its 4×4 transposes, depths the depth block (256).
    for (const [m, k, n] of [
      [1, 1, 1],
      [5, 3, 7],
      [9, 4, 8],
      [16, 17, 31],
      [33, 64, 257],
      [7, 300, 9],
      [256, 64, 256], // the bench's weight gradient
      [64, 257, 1030],
    ] as const) {
      checkProduct(kernel(), m, k, n, 17 * m + 5 * k + n, { transB: true });
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

describe('kernels-wasm.generated.ts', () => {
  it('is up to date with the *.as.ts sources (npm run build:wasm), both modules', async () => {
    const kernels = await build.compileWasmModule('kernels');
    const relaxed = await build.compileWasmModule('relaxed');
    const stale = 'stale: run `npm run build:wasm`';
    expect(Buffer.from(KERNELS_WASM).equals(kernels), stale).toBe(true);
    expect(Buffer.from(RELAXED_MATMUL_WASM).equals(relaxed), stale).toBe(true);
    const text = await build.renderGeneratedModule(kernels, relaxed);
    expect(text, 'stale header: run `npm run build:wasm`').toBe(
      await readFile(build.GENERATED_PATH, 'utf8'),
    );
  });

  it('holds the bytes of kernels.wasm and relaxed.wasm, which the built CPU worker fetches', async () => {
    const stale = 'the .wasm files differ from the generated module: run `npm run build:wasm`';
    expect((await readFile(build.BINARY_PATHS.kernels)).equals(KERNELS_WASM), stale).toBe(true);
    expect((await readFile(build.BINARY_PATHS.relaxed)).equals(RELAXED_MATMUL_WASM), stale).toBe(
      true,
    );
  });
});

/**
 * The built worker's copy of the generated module, loaded in place of it (as the worker's bundle
 * has it), with XMLHttpRequest answered by `answer`: the file's bytes, or a status; fresh copies
 * of the loader and the backend, so that their per-realm caches start empty.
 */
async function withFetchedBinaries(
  answer: (file: string) => Uint8Array | number,
  use: (modules: {
    fetched: typeof import('../../src/backends/cpu/wasm/kernels-wasm.fetch.ts');
    loader: typeof import('../../src/backends/cpu/wasm/wasm-kernels.ts');
    backend: typeof import('../../src/backends/cpu/cpu-backend.ts');
  }) => void,
): Promise<void> {
  class FileRequest {
    private file = '';
    status = 0;
    responseType = '';
    response: ArrayBuffer | null = null;
    open(method: string, url: URL, async: boolean): void {
      expect([method, async]).toEqual(['GET', false]);
      this.file = fileURLToPath(url);
    }
    send(): void {
      const result = answer(this.file);
      if (typeof result === 'number') {
        this.status = result;
        return;
      }
      this.status = 200;
      this.response = new Uint8Array(result).buffer;
    }
  }
  vi.resetModules();
  vi.stubGlobal('XMLHttpRequest', FileRequest);
  vi.doMock(
    '../../src/backends/cpu/wasm/kernels-wasm.generated.ts',
    () => import('../../src/backends/cpu/wasm/kernels-wasm.fetch.ts'),
  );
  try {
    use({
      fetched: await import('../../src/backends/cpu/wasm/kernels-wasm.fetch.ts'),
      loader: await import('../../src/backends/cpu/wasm/wasm-kernels.ts'),
      backend: await import('../../src/backends/cpu/cpu-backend.ts'),
    });
  } finally {
    vi.doUnmock('../../src/backends/cpu/wasm/kernels-wasm.generated.ts');
    vi.unstubAllGlobals();
    vi.resetModules();
  }
}

describe('kernels-wasm.fetch.ts (the built CPU worker reads the .wasm files beside it)', () => {
  it('reads the bytes the generated module embeds, and the kernels run from them', async () => {
    const requested: string[] = [];
    await withFetchedBinaries(
      (file) => {
        requested.push(file);
        return readFileSync(file);
      },
      ({ fetched, loader }) => {
        expect(requested).toEqual([build.BINARY_PATHS.kernels, build.BINARY_PATHS.relaxed]);
        expect(Buffer.from(fetched.KERNELS_WASM).equals(KERNELS_WASM)).toBe(true);
        expect(Buffer.from(fetched.RELAXED_MATMUL_WASM).equals(RELAXED_MATMUL_WASM)).toBe(true);
        checkProduct(loader.WasmKernels.create('wasm-simd')!, 9, 10, 11, 14);
      },
    );
  });

  it('has empty binaries where a request fails, and the backend runs the TypeScript kernels', async () => {
    const failures: ((file: string) => Uint8Array | number)[] = [
      () => 404,
      () => {
        throw new DOMException('Failed to load', 'NetworkError');
      },
    ];
    for (const failure of failures) {
      await withFetchedBinaries(failure, ({ fetched, loader, backend }) => {
        expect(fetched.KERNELS_WASM.length).toBe(0);
        expect(fetched.RELAXED_MATMUL_WASM.length).toBe(0);
        expect(loader.bestWasmKernel()).toBeNull();
        expect(backend.f32KernelName()).toBe('typescript');
        expect(backend.createCpuBackend('f32').info.kernel).toBe('typescript');
      });
    }
  });
});
