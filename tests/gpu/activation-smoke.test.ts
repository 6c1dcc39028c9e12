/**
 * WebGPU smoke test in Node (Dawn; SwiftShader without a GPU): every activation of the table, its
 * WGSL f and f' against the f64 reference on a grid with the tails and the kinks.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES } from '../../src/engine/activations.ts';
import { TOLERANCES } from '../../src/engine/tolerance.ts';
import { checkActivation, describeCheck } from './activation-check.ts';
import { gpuAdapterInfo, gpuTest, gpuTestsRun, isCi, NO_ADAPTER_MESSAGE } from './gpu.ts';

const tol = TOLERANCES.f32GpuElementwise;
const cases: { name: (typeof ACTIVATION_NAMES)[number]; alpha?: number }[] = [
  ...ACTIVATION_NAMES.map((name) => ({ name })),
  { name: 'leaky_relu', alpha: 0.2 },
  { name: 'elu', alpha: 0.5 },
];

describe('WebGPU activation kernel (Node)', () => {
  it('reports the adapter', async (context) => {
    const info = await gpuAdapterInfo();
    if (!info) {
      if (isCi()) throw new Error(NO_ADAPTER_MESSAGE);
      return context.skip('no WebGPU adapter');
    }
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

  it('ran every GPU test when CI is set', () => {
    if (!isCi()) return;
    expect(gpuTestsRun(), 'GPU tests were skipped in CI').toBe(cases.length);
  });
});
