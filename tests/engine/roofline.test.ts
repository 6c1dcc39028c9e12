/**
 * Roofline figures (src/engine/roofline.ts) from known numbers: each product's GFLOP/s and share
 * of the peak, the whole pass against the time the peak allows for its products, and parallel
 * efficiency. No timing is measured here.
 */
import { describe, expect, it } from 'vitest';
import { parallelEfficiency, passRoofline } from '../../src/engine/roofline.ts';
import { parseSpec } from '../../src/engine/spec.ts';
import { passFlops } from '../../src/engine/work.ts';

describe('passRoofline', () => {
  // 50 hidden layers × 256 × batch 64 (the bench's workload): 51 products of each kind, but no
  // backward product into the inputs.
  const spec = parseSpec({ depth: 50, width: 256, inputs: 256, outputs: 256, batch: 64 });
  const flops = passFlops(spec);

  it('counts the products of the pass', () => {
    const product = 2 * 256 * 256 * 64;
    expect(flops.forward).toBe(51 * product);
    expect(flops.weightGradient).toBe(51 * product);
    expect(flops.backward).toBe(50 * product);
  });

  it('puts each product and the whole pass against the peak', () => {
    const kernelsMs = {
      forward: 10,
      backward: 12,
      weightGradient: 16,
      activation: 3,
      reductions: 1,
    };
    const figures = passRoofline(spec, kernelsMs, 45, 40);
    const forward = figures.kernels.find((k) => k.kernel === 'forward')!;
    expect(forward.flops).toBe(flops.forward);
    expect(forward.gflops).toBeCloseTo(flops.forward / 10e6, 9);
    expect(forward.percentOfPeak).toBeCloseTo((100 * flops.forward) / 10e6 / 40, 9);
    const all = flops.forward + flops.backward + flops.weightGradient;
    expect(figures.products.flops).toBe(all);
    expect(figures.products.ms).toBe(38);
    expect(figures.products.gflops).toBeCloseTo(all / 38e6, 9);
    // The peak allows all / (40 GFLOP/s) for the products; the pass took 45 ms.
    expect(figures.pass.peakMs).toBeCloseTo(all / 40e6, 9);
    expect(figures.pass.percentOfPeak).toBeCloseTo((100 * all) / 40e6 / 45, 9);
    expect(figures.pass.gflops).toBeCloseTo(all / 45e6, 9);
    expect(figures.peakGflops).toBe(40);
  });

  it('leaves a product without a time as NaN rather than inventing one', () => {
    const figures = passRoofline(spec, { forward: 10 }, 20, 40);
    expect(figures.kernels.find((k) => k.kernel === 'backward')!.gflops).toBeNaN();
    expect(figures.products.gflops).toBeNaN();
  });
});

describe('parallelEfficiency', () => {
  it('is the speed-up over the thread count', () => {
    expect(parallelEfficiency(80, 50, 2)).toEqual({ speedup: 1.6, efficiency: 0.8 });
    expect(parallelEfficiency(30, 30, 1)).toEqual({ speedup: 1, efficiency: 1 });
  });
});
