/**
 * The relaxed-SIMD build of the WebAssembly kernels (f32x4.relaxed_madd in the matmul) against
 * the same bounds as the plain build, and against the plain build itself.
 *
 * Node 20 (V8 11.3) has relaxed SIMD behind --experimental-wasm-relaxed-simd; newer Node and
 * Chromium have it on. This file turns V8's flag on for its own process (vitest runs each test
 * file in a fork of its own) before anything compiles the kernels, so both builds run here: a
 * test that is skipped on some engines would not test the kernel that browsers pick.
 */
import v8 from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend, f32KernelName } from '../../src/backends/cpu/cpu-backend.ts';
import { createNodeLaneTeam } from '../../src/backends/cpu/node/node-lanes.ts';
import type { LaneTeam } from '../../src/backends/cpu/lanes.ts';
import { RELAXED_MATMUL_WASM } from '../../src/backends/cpu/wasm/kernels-wasm.generated.ts';
import { bestWasmKernel, WasmKernels } from '../../src/backends/cpu/wasm/wasm-kernels.ts';
import { problemFromSpec } from '../../src/engine/problem.ts';
import { parseSpec } from '../../src/engine/spec.ts';
import { compareRuns } from '../../src/engine/verify.ts';
import { checkProduct, errorBound, referenceProduct, transposed } from './product-check.ts';
import { makeRandom, randomMatrix } from '../matrices.ts';

const builtIn = WebAssembly.validate(RELAXED_MATMUL_WASM);
if (!builtIn) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

function kernels(name: 'wasm-relaxed-simd' | 'wasm-simd'): WasmKernels {
  const instance = WasmKernels.create(name);
  expect(instance, `${name} does not load in Node ${process.version}`).not.toBeNull();
  return instance!;
}

describe('relaxed SIMD in this engine', () => {
  it('validates (natively or with V8’s flag) and is the build gradlab prefers', () => {
    expect(WebAssembly.validate(RELAXED_MATMUL_WASM)).toBe(true);
    expect(bestWasmKernel()).toBe('wasm-relaxed-simd');
    expect(f32KernelName()).toBe('wasm-relaxed-simd');
    expect(createCpuBackend('f32').info.kernel).toBe('wasm-relaxed-simd');
    expect(kernels('wasm-relaxed-simd').name).toBe('wasm-relaxed-simd');
  });
});

describe('relaxed matmul', () => {
  const sizes = [1, 3, 4, 5, 8, 9, 17, 33, 65, 257];
  it('is within the f32 dot-product bound on every shape, B as given or transposed', () => {
    const relaxed = kernels('wasm-relaxed-simd');
    for (const m of sizes)
      for (const k of sizes)
        for (const n of [1, 7, 8, 31]) {
          checkProduct(relaxed, m, k, n, 1000 * m + 31 * k + n, { bitwise: false });
          checkProduct(relaxed, m, k, n, 7 * m + k + n, { bitwise: false, transB: true });
        }
    for (const [m, k, n] of [
      [129, 513, 65],
      [256, 256, 64],
      [256, 64, 256],
      [9, 300, 1031],
    ] as const) {
      checkProduct(relaxed, m, k, n, m + k + n, { bitwise: false });
    }
  });

  it('agrees with the plain build within the sum of their bounds, entry by entry', () => {
    const relaxed = kernels('wasm-relaxed-simd');
    const plain = kernels('wasm-simd');
    for (const [m, k, n] of [
      [64, 256, 64],
      [33, 1000, 17],
      [256, 64, 256],
    ] as const) {
      const random = makeRandom(m * k + n);
      const a = randomMatrix(m * k, random);
      const b = randomMatrix(k * n, random);
      const fused = new Float32Array(m * n);
      const unfused = new Float32Array(m * n);
      relaxed.matmul(a, b, fused, m, k, n);
      plain.matmul(a, b, unfused, m, k, n);
      const { absProduct } = referenceProduct(a, b, m, k, n);
      for (let i = 0; i < m * n; i++) {
        expect(Math.abs(fused[i]! - unfused[i]!)).toBeLessThanOrEqual(
          2 * errorBound(absProduct[i]!, k),
        );
      }
      // Bᵀ given: the same products, the same sums.
      const viaTranspose = new Float32Array(m * n);
      relaxed.matmul(a, transposed(b, k, n), viaTranspose, m, k, n, true);
      expect(Array.from(viaTranspose)).toEqual(Array.from(fused));
    }
  });

  it('gives the same bits in every tier of the engine (a run is reproducible)', () => {
    // The first calls run baseline code, later ones optimized code: the fused multiply-add must
    // not depend on which.
    const fresh = kernels('wasm-relaxed-simd');
    const random = makeRandom(5);
    const a = randomMatrix(40 * 300, random);
    const b = randomMatrix(300 * 24, random);
    const first = new Float32Array(40 * 24);
    fresh.matmul(a, b, first, 40, 300, 24);
    const later = new Float32Array(40 * 24);
    for (let i = 0; i < 300; i++) fresh.matmul(a, b, later, 40, 300, 24);
    expect(Array.from(later)).toEqual(Array.from(first));
  });

  it('runs its peak micro-kernel', () => {
    const relaxed = kernels('wasm-relaxed-simd');
    // Every chain converges to 10⁴·seed = 10 (to within its rounding, about 10⁻² here): the
    // twelve chains of lane 0 sum to 120.
    expect(relaxed.peak('kernel', 1_000_000)).toBeCloseTo(120, 0);
    expect(relaxed.peak('mul-add', 1_000_000)).toBeCloseTo(120, 0);
  });
});

describe('the cpu backend on relaxed SIMD', () => {
  let team: LaneTeam;
  beforeAll(async () => {
    team = await createNodeLaneTeam(2);
  });
  afterAll(() => team.dispose());

  for (const activation of ['tanh', 'gelu', 'relu'] as const) {
    it(`${activation}: passes against cpu64, and 2 threads equal 1 thread`, async () => {
      const spec = parseSpec({
        activation,
        depth: 6,
        width: 96,
        inputs: 80,
        outputs: 24,
        batch: 44,
        backend: 'cpu',
        residual: activation === 'relu',
      });
      const source = problemFromSpec(spec);
      const reference = await (await createCpuBackend('f64').prepare(source)).compute();
      const relaxed = createCpuBackend('f32', { kernel: 'wasm-relaxed-simd' });
      expect(relaxed.info.kernel).toBe('wasm-relaxed-simd');
      const one = await (await relaxed.prepare(source)).compute();
      const report = compareRuns(one, reference, source.problem().sizes, spec.batch, 'f32');
      expect(report.pass, `max rel. error ${report.maxRelativeError}`).toBe(true);
      const plain = await (
        await createCpuBackend('f32', { kernel: 'wasm-simd' }).prepare(source)
      ).compute();
      expect(compareRuns(one, plain, source.problem().sizes, spec.batch, 'f32').pass).toBe(true);

      const before = team.dispatched;
      const threaded = createCpuBackend('f32', { team, kernel: 'wasm-relaxed-simd' });
      const two = await (await threaded.prepare(source)).compute();
      expect(team.dispatched).toBeGreaterThan(before);
      expect(two.loss).toBe(one.loss);
      // The same products row by row; only f64 partial sums are added in another order.
      for (let l = 0; l < one.layerCount; l++) {
        for (const key of ['gradNorm', 'weightGradNorm', 'activationMean'] as const) {
          const expected = one[key][l]!;
          expect(Math.abs(two[key][l]! - expected)).toBeLessThanOrEqual(
            1e-12 * Math.max(1, Math.abs(expected)),
          );
        }
      }
      expect(Array.from(two.histograms.counts)).toEqual(Array.from(one.histograms.counts));
    });
  }
});
