/**
 * The WebGPU matmul kernel (src/backends/webgpu/kernels/matmul.ts) against an f64 reference, on
 * Dawn (SwiftShader without a GPU). Every program bakes its shape into the shader, so each case
 * costs a compilation (1–2 s on SwiftShader): the shapes are a sample, chosen so that every size
 * of the lists, every transpose combination and every tile config's edge paths (partial tiles in
 * m and n, a partial last K step, K shorter than one step, exact multiples) appear.
 */
import { describe, expect, it } from 'vitest';
import {
  chooseTile,
  describeTile,
  MATMUL_DEFAULT_LIMITS,
  MATMUL_TILES,
  matmulProgram,
  SOFTWARE_FILL_WORKGROUPS,
  matmulTileFootprint,
  type MatmulEpilogue,
  type MatmulOptions,
  type MatmulShape,
  type MatmulTile,
} from '../../src/backends/webgpu/kernels/matmul.ts';
import { groupsFor } from '../../src/backends/webgpu/program.ts';
import { GpuRunner, readBuffer, uploadBuffer } from '../../src/backends/webgpu/runner.ts';
import { GPU_SKIP_REASON, gpuTest, gpuTestsRun } from './gpu.ts';
import { makeRandom, randomMatrix } from '../matrices.ts';

const U32 = 2 ** -24; // unit roundoff of f32, round to nearest

/**
 * The standard bound for a dot product of length K computed in f32, in any summation order, with
 * or without fused multiply-adds (Higham, "Accuracy and Stability of Numerical Algorithms",
 * 2nd ed., §3.1, eq. 3.5): |c − s| ≤ γ_K·Σ|a||b|, γ_K = K·u / (1 − K·u). The f64 reference's
 * own error (≈ K·2^-53·Σ|a||b|) and any underflow fit in the 2^-126 term.
 */
function errorBound(absSum: number, k: number): number {
  const gamma = (k * U32) / (1 - k * U32);
  return gamma * absSum + 2 ** -126;
}

interface Operands {
  readonly a: Float32Array;
  readonly b: Float32Array;
}

/** Operands as stored: A m×k (k×m with transposeA), B k×n (n×k with transposeB). */
function makeOperands(shape: MatmulShape, seed: number): Operands {
  const random = makeRandom(seed);
  return {
    a: randomMatrix(shape.m * shape.k, random),
    b: randomMatrix(shape.k * shape.n, random),
  };
}

/** f64 reference of op(A)·op(B) and Σ_p |op(A)[i,p]·op(B)[p,j]|. */
function reference(shape: MatmulShape, options: MatmulOptions, { a, b }: Operands) {
  const { m, k, n } = shape;
  const product = new Float64Array(m * n);
  const absProduct = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let absSum = 0;
      for (let p = 0; p < k; p++) {
        const left = options.transposeA ? a[p * m + i]! : a[i * k + p]!;
        const right = options.transposeB ? b[j * k + p]! : b[p * n + j]!;
        sum += left * right;
        absSum += Math.abs(left * right);
      }
      product[i * n + j] = sum;
      absProduct[i * n + j] = absSum;
    }
  }
  return { product, absProduct };
}

/** Floats past C's m·n entries, which must come back untouched. */
const TAIL = 67;
const SENTINEL = -7777.25;

let runner: GpuRunner | undefined;

/**
 * Runs the program on a C buffer of m·n NaNs followed by TAIL sentinels (and any extra bindings)
 * and returns the whole of C as read back.
 */
async function runProduct(
  device: GPUDevice,
  shape: MatmulShape,
  options: MatmulOptions,
  operands: Operands,
  extra: readonly GPUBuffer[] = [],
): Promise<Float32Array> {
  if (runner?.device !== device) runner = new GpuRunner(device);
  const program = matmulProgram(shape, options);
  const size = shape.m * shape.n;
  const initial = new Float32Array(size + TAIL).fill(SENTINEL);
  initial.fill(NaN, 0, size);
  const a = uploadBuffer(device, operands.a, 'matmul-test:a');
  const b = uploadBuffer(device, operands.b, 'matmul-test:b');
  const c = uploadBuffer(device, initial, 'matmul-test:c');
  await runner.runOnce(program, [a, b, c, ...extra]);
  return new Float32Array(await readBuffer(device, c, initial.byteLength));
}

function caseName(shape: MatmulShape, options: MatmulOptions): string {
  const transposes = `${options.transposeA ? 'Aᵀ' : 'A'}·${options.transposeB ? 'Bᵀ' : 'B'}`;
  const tile = describeTile(options.tile ?? chooseTile(shape));
  return `${shape.m}×${shape.k}·${shape.k}×${shape.n} ${transposes}, tile ${tile}`;
}

/** Checks every entry of C against the bound, and that nothing past C was written. */
function expectProduct(
  shape: MatmulShape,
  options: MatmulOptions,
  operands: Operands,
  c: Float32Array,
  expected: (index: number, product: number) => number = (_index, product) => product,
  bound: (absSum: number, value: number) => number = (absSum) => errorBound(absSum, shape.k),
): void {
  const { product, absProduct } = reference(shape, options, operands);
  const where = caseName(shape, options);
  let worst = -Infinity;
  let worstIndex = -1;
  for (let index = 0; index < product.length; index++) {
    const value = expected(index, product[index]!);
    const error = Math.abs(c[index]! - value);
    // An entry never written is NaN: the ratio is NaN, counted as the worst possible.
    const ratio = error / bound(absProduct[index]!, value);
    const score = Number.isNaN(ratio) ? Infinity : ratio;
    if (score > worst) {
      worst = score;
      worstIndex = index;
    }
  }
  const row = Math.floor(worstIndex / shape.n);
  const col = worstIndex % shape.n;
  expect(
    worst,
    `${where}: C[${row}, ${col}] = ${c[worstIndex]}, reference ${expected(worstIndex, product[worstIndex]!)}`,
  ).toBeLessThanOrEqual(1);
  const tail = Array.from(c.subarray(product.length));
  expect(tail, `${where}: wrote past C`).toEqual(new Array<number>(TAIL).fill(SENTINEL));
}

async function checkCase(
  device: GPUDevice,
  shape: MatmulShape,
  options: MatmulOptions,
  seed: number,
): Promise<void> {
  const operands = makeOperands(shape, seed);
  const c = await runProduct(device, shape, options, operands);
  expectProduct(shape, options, operands, c);
}

const TRANSPOSES: readonly MatmulOptions[] = [
  { transposeA: false, transposeB: false },
  { transposeA: true, transposeB: false },
  { transposeA: false, transposeB: true },
  { transposeA: true, transposeB: true },
];

const SIZES = [1, 3, 4, 17, 37, 65];
const BATCHES = [1, 3, 17, 64];

/**
 * Six shapes per transpose combination from SIZES × SIZES × BATCHES, rotated so that every value
 * of each list appears in each combination, plus one 257-sized shape for three of them.
 */
function sampleShapes(combination: number): MatmulShape[] {
  const shapes: MatmulShape[] = [];
  for (let i = 0; i < SIZES.length; i++) {
    shapes.push({
      m: SIZES[(i + combination) % SIZES.length]!,
      k: SIZES[(2 * i + 3 * combination + 1) % SIZES.length]!,
      n: BATCHES[(i + combination) % BATCHES.length]!,
    });
  }
  const big: (MatmulShape | null)[] = [
    { m: 257, k: 65, n: 64 },
    { m: 64, k: 257, n: 17 },
    { m: 257, k: 257, n: 3 },
    null,
  ];
  const extra = big[combination];
  if (extra) shapes.push(extra);
  return shapes;
}

describe('WebGPU matmul: op(A)·op(B) against the f64 reference', () => {
  TRANSPOSES.forEach((options, combination) => {
    const label = `${options.transposeA ? 'Aᵀ' : 'A'}·${options.transposeB ? 'Bᵀ' : 'B'}`;
    gpuTest(
      `${label}, chosen tiles, sizes from {1,3,4,17,37,65}² × {1,3,17,64} and 257`,
      async (device) => {
        const shapes = sampleShapes(combination);
        for (const [index, shape] of shapes.entries()) {
          await checkCase(device, shape, options, 1000 * combination + index);
        }
      },
      240_000,
    );
  });
});

/** Shapes that take each edge path of a tile: partial in m, n and the last K step; exact. */
function tileShapes(tile: MatmulTile): MatmulShape[] {
  return [
    // Two workgroups each way, both partial; two full K steps and a partial third.
    { m: tile.tileM + 3, k: 2 * tile.tileK + 5, n: tile.tileN + 3 },
    // Exact multiples everywhere: the generator emits no edge checks at all.
    { m: 2 * tile.tileM, k: 2 * tile.tileK, n: 2 * tile.tileN },
    // Smaller than one tile and one K step in every dimension.
    { m: 3, k: 5, n: Math.min(7, tile.tileN + 2) },
  ];
}

describe('WebGPU matmul: every tile config, edges and exact multiples', () => {
  MATMUL_TILES.forEach((tile, tileIndex) => {
    gpuTest(
      `tile ${describeTile(tile)}`,
      async (device) => {
        for (const [index, shape] of tileShapes(tile).entries()) {
          const options = { ...TRANSPOSES[(tileIndex + index) % TRANSPOSES.length]!, tile };
          await checkCase(device, shape, options, 5000 + 10 * tileIndex + index);
        }
      },
      180_000,
    );
  });
});

/** Writes value·2 + bias[row]: a custom epilogue with its own binding. */
const SCALE_BIAS: MatmulEpilogue = {
  key: 'test-scale-bias',
  bindings: ['read-only-storage'],
  wgsl: `@group(0) @binding(3) var<storage, read> test_bias: array<f32>;
fn epilogue(row: u32, col: u32, value: f32) {
  c[row * N + col] = value * 2.0 + test_bias[row];
}`,
};

describe('WebGPU matmul: custom epilogue', () => {
  const cases: { shape: MatmulShape; options: MatmulOptions }[] = [
    // The default store here would be vec4 (n % 4 = 0): the epilogue replaces it.
    { shape: { m: 37, k: 17, n: 64 }, options: { tile: MATMUL_TILES[1] } },
    { shape: { m: 65, k: 37, n: 3 }, options: { transposeA: true, transposeB: true } },
  ];
  for (const { shape, options } of cases) {
    gpuTest(`value·2 + bias[row], ${caseName(shape, options)}`, async (device) => {
      const operands = makeOperands(shape, 77 + shape.m);
      const bias = randomMatrix(shape.m, makeRandom(99));
      const biasBuffer = uploadBuffer(device, bias, 'matmul-test:bias');
      const withEpilogue = { ...options, epilogue: SCALE_BIAS };
      const c = await runProduct(device, shape, withEpilogue, operands, [biasBuffer]);
      // Doubling is exact; adding the bias rounds once more, by at most u·|2c + bias|, and
      // |2c + bias| ≤ |value| + 2·bound.
      expectProduct(
        shape,
        withEpilogue,
        operands,
        c,
        (index, product) => 2 * product + bias[Math.floor(index / shape.n)]!,
        (absSum, value) => 2 * (1 + U32) * errorBound(absSum, shape.k) + U32 * Math.abs(value),
      );
    });
  }
});

describe('matmul program generation', () => {
  it('chooseTile returns a config of MATMUL_TILES within the default limits, 1×1×1 to 4096×4096×1024', () => {
    const sizes = [1, 2, 3, 7, 16, 33, 64, 100, 256, 1000, 1024, 4096];
    const batches = [1, 2, 5, 8, 16, 32, 64, 128, 256, 1024];
    for (const m of sizes) {
      for (const k of sizes) {
        for (const n of [...batches, ...sizes]) {
          const shape = { m, k, n };
          const tile = chooseTile(shape);
          expect(MATMUL_TILES).toContain(tile);
          const { invocations, workgroupStorageBytes } = matmulTileFootprint(tile);
          expect(invocations).toBeLessThanOrEqual(
            MATMUL_DEFAULT_LIMITS.maxComputeInvocationsPerWorkgroup,
          );
          expect(workgroupStorageBytes).toBeLessThanOrEqual(
            MATMUL_DEFAULT_LIMITS.maxComputeWorkgroupStorageSize,
          );
          expect(groupsFor(n, tile.tileN)).toBeLessThanOrEqual(65535);
          expect(groupsFor(m, tile.tileM)).toBeLessThanOrEqual(65535);
        }
      }
    }
  });

  it('chooseTile: big tiles for big square products, narrow ones for skinny N, matrix-vector for n = 1', () => {
    expect(chooseTile({ m: 4096, k: 4096, n: 4096 })).toMatchObject({ tileM: 128, tileN: 128 });
    expect(chooseTile({ m: 4096, k: 4096, n: 1024 })).toMatchObject({ tileM: 128, tileN: 128 });
    expect(chooseTile({ m: 1024, k: 1024, n: 64 }).tileN).toBeLessThanOrEqual(64);
    expect(chooseTile({ m: 4096, k: 4096, n: 8 }).tileN).toBeLessThanOrEqual(16);
    expect(chooseTile({ m: 4096, k: 4096, n: 1 }).tileN).toBe(1);
    expect(chooseTile({ m: 1, k: 1, n: 1 }).tileN).toBe(1);
  });

  it('chooseTile for a software adapter: fewer, bigger workgroups', () => {
    const shape = { m: 256, k: 256, n: 256 };
    expect(chooseTile(shape).tileM).toBeLessThan(128);
    expect(chooseTile(shape, undefined, SOFTWARE_FILL_WORKGROUPS)).toMatchObject({
      tileM: 128,
      tileN: 128,
    });
    expect(chooseTile({ m: 256, k: 256, n: 1 }, undefined, SOFTWARE_FILL_WORKGROUPS).tileN).toBe(1);
    expect(() => chooseTile(shape, undefined, 0)).toThrow(/fillWorkgroups/);
  });

  it('chooseTile respects smaller limits and says so when nothing fits', () => {
    const limits = {
      maxComputeWorkgroupStorageSize: 10_000,
      maxComputeInvocationsPerWorkgroup: 256,
    };
    for (const shape of [
      { m: 1024, k: 1024, n: 64 },
      { m: 256, k: 256, n: 8 },
      { m: 4096, k: 4096, n: 1 },
    ]) {
      const tile = chooseTile(shape, limits);
      expect(matmulTileFootprint(tile).workgroupStorageBytes).toBeLessThanOrEqual(10_000);
    }
    expect(() =>
      chooseTile({ m: 64, k: 64, n: 64 }, { maxComputeInvocationsPerWorkgroup: 32 }),
    ).toThrow(/no tile config fits/);
  });

  it('bakes shape, transposes, tile and epilogue into the key', () => {
    const shape = { m: 64, k: 32, n: 16 };
    const keys = new Set([
      matmulProgram(shape).key,
      matmulProgram({ ...shape, k: 33 }).key,
      matmulProgram(shape, { transposeA: true }).key,
      matmulProgram(shape, { transposeB: true }).key,
      matmulProgram(shape, { tile: MATMUL_TILES[0] }).key,
      matmulProgram(shape, { epilogue: SCALE_BIAS }).key,
    ]);
    expect(keys.size).toBe(6);
    expect(matmulProgram(shape).key).toBe(matmulProgram(shape).key);
    expect(matmulProgram(shape, { epilogue: SCALE_BIAS }).bindings).toEqual([
      'read-only-storage',
      'read-only-storage',
      'storage',
      'read-only-storage',
    ]);
  });

  it('emits no edge checks for exact multiples, and vec4 loads where the layout allows', () => {
    const tile = MATMUL_TILES[0]!;
    const exact = matmulProgram({ m: 256, k: 64, n: 128 }, { tile });
    expect(exact.code).not.toMatch(/\bmin\(|\bselect\(|< M\b|< N\b/);
    expect(exact.code).toMatch(/var<storage, read> mm_a: array<vec4<f32>>/);
    expect(exact.code).toMatch(/var<storage, read> mm_b: array<vec4<f32>>/);
    expect(exact.workgroups).toEqual([1, 2, 1]);
    const ragged = matmulProgram({ m: 257, k: 63, n: 129 }, { tile });
    expect(ragged.code).toMatch(/var<storage, read> mm_a: array<f32>/);
    expect(ragged.code).toMatch(/< M\b/);
    expect(ragged.workgroups).toEqual([2, 3, 1]);
  });

  it('rejects tiles that are inconsistent or over the default limits, and bad shapes', () => {
    const shape = { m: 8, k: 8, n: 8 };
    const bad: MatmulTile[] = [
      { tileM: 64, tileN: 64, tileK: 8, threadM: 3, threadN: 4 },
      { tileM: 64, tileN: 64, tileK: 8, threadM: 4, threadN: 4, splitK: 3 },
      { tileM: 64, tileN: 64, tileK: 8, threadM: 2, threadN: 2 }, // 1024 invocations
      { tileM: 128, tileN: 128, tileK: 32, threadM: 8, threadN: 8 }, // 32 KiB of tiles
    ];
    for (const tile of bad) expect(() => matmulProgram(shape, { tile })).toThrow(/matmul tile/);
    expect(() => matmulProgram({ m: 0, k: 1, n: 1 })).toThrow(/positive integer/);
    expect(() => matmulProgram({ m: 2.5, k: 1, n: 1 })).toThrow(/positive integer/);
  });
});

describe('WebGPU matmul, every test', () => {
  it('ran every GPU test (unless GRADLAB_SKIP_GPU asked to skip them)', (context) => {
    if (GPU_SKIP_REASON) return context.skip(GPU_SKIP_REASON);
    const expected = TRANSPOSES.length + MATMUL_TILES.length + 2;
    expect(gpuTestsRun(), 'GPU tests were skipped').toBe(expected);
  });
});
