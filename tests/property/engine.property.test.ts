/**
 * The engine under random small specs: the f32 CPU backend is within verify's bound of cpu64 on
 * every statistic (the same comparison the page's Verify section makes). The WebGPU half runs on
 * SwiftShader in tests/gpu/reliability.test.ts.
 *
 * Batch normalization is left out: its forward pass subtracts the batch mean and its backward
 * pass projects out two directions per unit, cancellations that verify's bound does not measure
 * (engine/verify.ts says so). This property found three gaps in the bound, fixed in verify.ts:
 * units whose φ underflows f32 (counted dead in f32 only), |φ′| at the saturation threshold
 * (leaky_relu with α = 0.001), and a std tiny next to its mean.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../../src/engine/experiment.ts';
import { layerSizes } from '../../src/engine/problem.ts';
import { compareRuns, describeCheck } from '../../src/engine/verify.ts';
import { propertyRuns } from './config.ts';
import { smallSpec } from './engine-arbitraries.ts';

const cpu = createCpuBackend('f32');
const cpu64 = createCpuBackend('f64');

describe('engine properties', () => {
  it('cpu (f32) is within its bound of cpu64 on random small specs', async () => {
    await fc.assert(
      fc.asyncProperty(
        smallSpec.filter((spec) => !spec.batchnorm),
        async (spec) => {
          const test = await runExperiment({ ...spec, backend: 'cpu' }, cpu);
          const reference = await runExperiment({ ...spec, backend: 'cpu64' }, cpu64);
          const report = compareRuns(
            test.stats,
            reference.stats,
            layerSizes(spec),
            spec.batch,
            'f32',
          );
          const failures = [report.loss, ...report.layers.flatMap((l) => l.checks)]
            .filter((check) => !check.pass)
            .map(describeCheck);
          expect(failures).toEqual([]);
        },
      ),
      propertyRuns(400),
    );
  }, 120_000);
});
