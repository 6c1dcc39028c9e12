/**
 * cpu64 against an independent numpy implementation of the same forward/backward statistics
 * (scripts/make_fixtures.py), with the same random draws (numpy protocol).
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../../src/engine/experiment.ts';
import { layerRecords } from '../../src/engine/results.ts';
import { parseSpec } from '../../src/engine/spec.ts';
import { relativeError, TOLERANCES } from '../../src/engine/tolerance.ts';
import { loadFixture } from '../fixtures.ts';

interface NetworkCase {
  name: string;
  spec: Record<string, string | number | boolean | null>;
  loss: number;
  layers: Record<string, number>[];
}
const { cases } = loadFixture<{ cases: NetworkCase[] }>('network.json');

const STATS = [
  'gradNorm',
  'weightGradNorm',
  'activationMean',
  'activationStd',
  'deadFraction',
  'saturatedFraction',
] as const;

describe('cpu64 per-layer statistics against numpy', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const input = Object.fromEntries(
        Object.entries(c.spec).filter(([, v]) => v !== null) as [
          string,
          string | number | boolean,
        ][],
      );
      const spec = parseSpec({ ...input, rng: 'numpy', backend: 'cpu64' });
      const result = await runExperiment(spec, createCpuBackend('f64'));
      expect(relativeError(result.stats.loss, c.loss)).toBeLessThan(1e-12);
      const records = layerRecords(result.stats);
      expect(records).toHaveLength(c.layers.length);
      c.layers.forEach((expected, i) => {
        for (const key of STATS) {
          const actual = records[i]![key]!;
          const reference = expected[key]!;
          // Means near zero lose relative meaning: compare them against the layer's std.
          const scale =
            key === 'activationMean'
              ? Math.max(Math.abs(reference), expected.activationStd!)
              : Math.abs(reference);
          const err = scale === 0 ? Math.abs(actual) : Math.abs(actual - reference) / scale;
          expect(err, `${c.name} layer ${i + 1} ${key}: ${actual} vs ${reference}`).toBeLessThan(
            // Deep networks (case f: 51 layers) accumulate rounding differences in the order of
            // summation; still far inside anything that matters.
            c.layers.length > 20 ? 1e-9 : TOLERANCES.f64.rel * 100,
          );
        }
      });
    });
  }
});
