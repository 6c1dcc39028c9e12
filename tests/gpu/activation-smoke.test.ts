/**
 * WebGPU smoke test in Node (Dawn; SwiftShader without a GPU): every activation of the table, its
 * WGSL f and f' against the f64 reference on a grid with the tails and the kinks.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES } from '../../src/engine/activations.ts';
import { TOLERANCES } from '../../src/engine/tolerance.ts';
import { checkActivation, describeCheck } from './activation-check.ts';
import { GPU_SKIP_REASON, gpuAdapterInfo, gpuTest, gpuTestsRun, noAdapterFailure } from './gpu.ts';

const tol = TOLERANCES.f32GpuElementwise;
const cases: { name: (typeof ACTIVATION_NAMES)[number]; alpha?: number }[] = [
  ...ACTIVATION_NAMES.map((name) => ({ name })),
  { name: 'leaky_relu', alpha: 0.2 },
  { name: 'elu', alpha: 0.5 },
];

describe('WebGPU activation kernel (Node)', () => {
  it('reports the adapter', async (context) => {
    if (GPU_SKIP_REASON) return context.skip(GPU_SKIP_REASON);
    const info = await gpuAdapterInfo();
    if (!info) throw noAdapterFailure();
    console.info(`WebGPU adapter (Node): ${JSON.stringify(info)}`);
    expect(typeof info.vendor).toBe('string');
    expect(typeof info.architecture).toBe('string');
    expect(typeof info.isFallbackAdapter).toBe('boolean');
    expect(`${info.vendor}${info.architecture}${info.description}`).not.toBe('');
  });

  for (const { name, alpha } of cases) {
    const label = alpha === undefined ? name : `${name} (α=${alpha})`;
    gpuTest(`${label}: f and f' match the f64 reference`, async (device) => {
      const check = await checkActivation(device, name, alpha, tol);
      expect(check.nonFinite, describeCheck(check)).toEqual([]);
      expect(check.failures, describeCheck(check)).toBe(0);
    });
  }

  it('ran every GPU test (unless GRADLAB_SKIP_GPU asked to skip them)', (context) => {
    if (GPU_SKIP_REASON) return context.skip(GPU_SKIP_REASON);
    expect(gpuTestsRun(), 'GPU tests were skipped').toBe(cases.length);
  });
});
