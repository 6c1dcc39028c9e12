/**
 * The roofline measurement (src/backends/cpu/roofline.ts): which peaks it measures and which one
 * the kernels are held against, on this engine (Node 20 runs SIMD128; relaxed SIMD is tested in
 * relaxed-simd.test.ts and in Chromium). Its values are timings: only their kind is checked, never
 * their size.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  measurePeakGflops,
  measureRoofline,
  PEAK_FLOPS_PER_ITERATION,
} from '../../src/backends/cpu/roofline.ts';
import { executeRoofline } from '../../src/backends/cpu/worker-jobs.ts';
import { WasmKernels } from '../../src/backends/cpu/wasm/wasm-kernels.ts';

describe('measureRoofline', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('measures the mul + add peak and holds the SIMD128 kernels against it', () => {
    const roofline = measureRoofline({ samples: 2, sampleMs: 5 });
    expect(roofline.kernel).toBe('wasm-simd');
    expect(roofline.mulAddGflops).toBeGreaterThan(0);
    expect(Number.isFinite(roofline.mulAddGflops)).toBe(true);
    // Node 20 validates relaxed SIMD only behind V8's flag, which this file does not set.
    expect(roofline.fusedMulAddGflops).toBeNull();
    expect(roofline.peakGflops).toBe(roofline.mulAddGflops);
    expect(roofline.measuredMs).toBeGreaterThan(0);
  });

  it('has no peak for the TypeScript kernels', () => {
    const roofline = measureRoofline({ samples: 1, sampleMs: 2, kernel: 'typescript' });
    expect(roofline.peakGflops).toBeNull();
    expect(roofline.mulAddGflops).toBeGreaterThan(0);
  });

  it('is null throughout where the engine has no WebAssembly SIMD', async () => {
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    vi.resetModules();
    const fresh = await import('../../src/backends/cpu/roofline.ts');
    const roofline = fresh.measureRoofline({ samples: 1, sampleMs: 1 });
    expect(roofline).toMatchObject({
      kernel: 'typescript',
      mulAddGflops: null,
      fusedMulAddGflops: null,
      peakGflops: null,
    });
  });

  it('counts 96 flops per iteration: 12 chains of 4 lanes, a multiply and an add each', () => {
    expect(PEAK_FLOPS_PER_ITERATION).toBe(12 * 4 * 2);
    const wasm = WasmKernels.create('wasm-simd')!;
    // 1000 iterations from c = 0.1…1.2 towards 10: the loop really ran (its result moved).
    expect(wasm.peak('mul-add', 1000)).not.toBe(wasm.peak('mul-add', 1));
    expect(measurePeakGflops(wasm, 'mul-add', { samples: 1, sampleMs: 2 })).toBeGreaterThan(0);
  });

  it('answers the CPU worker’s roofline request', () => {
    const roofline = executeRoofline({ type: 'roofline', id: 1, sampleMs: 2 });
    expect(roofline.kernel).toBe('wasm-simd');
    expect(roofline.peakGflops).toBeGreaterThan(0);
  });
});
