/**
 * CPU histograms (bins, min, max, counts) against the numpy reference: cpu64 and cpu (f32) on
 * the fixture's networks, exact bin for bin where the binning rule is exact. (That threads bin
 * exactly as one thread does is tests/cpu/threads.test.ts's.)
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { runProblemOn } from '../../src/engine/experiment.ts';
import { loadFixture } from '../fixtures.ts';
import {
  compareHistograms,
  F32_CPU,
  F64,
  histogramProblem,
  type HistogramCase,
} from '../reference/histograms.ts';

const { cases } = loadFixture<{ cases: HistogramCase[] }>('histograms.json');

describe('CPU histograms against numpy', () => {
  it('the fixture has exact layers and layers with bounded slack', () => {
    const exact = cases.flatMap((c) => c.layers.filter((l) => l.exact));
    expect(exact.length).toBeGreaterThanOrEqual(10);
    // Values exactly on an inner edge, in exact layers, test the rule's choice of the upper bin:
    // the cases are dyadic, so with a power-of-two bin width many values are edges.
    expect(exact.reduce((sum, l) => sum + l.onEdge, 0)).toBeGreaterThan(50);
    const inexact = cases.flatMap((c) => c.layers.filter((l) => !l.exact));
    expect(inexact.every((l) => l.distances?.length === l.values)).toBe(true);
  });

  for (const c of cases) {
    it(c.name, async () => {
      const problem = histogramProblem(c);
      const runs = [
        { label: 'cpu64', precision: F64, backend: createCpuBackend('f64') },
        { label: 'cpu', precision: F32_CPU, backend: createCpuBackend('f32') },
      ];
      for (const { label, precision, backend } of runs) {
        const result = await runProblemOn(problem, backend);
        const comparison = compareHistograms(result.stats, c, precision);
        expect(comparison.problems, `${c.name} on ${label}`).toEqual([]);
        // The slack is a few values at most: the comparison still says something.
        expect(comparison.movable, `${c.name} on ${label}`).toBeLessThanOrEqual(
          Math.ceil(comparison.values / 10),
        );
      }
    });
  }
});
