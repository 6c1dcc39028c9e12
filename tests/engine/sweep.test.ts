import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../../src/engine/experiment.ts';
import { SpecError } from '../../src/engine/spec.ts';
import {
  criticalLine,
  gridValues,
  parseSweepOptions,
  phaseDiagramSweep,
  pointSpec,
  predictPoint,
  type SweepPoint,
} from '../../src/engine/sweep.ts';

const SMALL = {
  activation: 'tanh',
  depth: '8',
  width: '48',
  inputs: '48',
  batch: '8',
  'sigma-w2-min': '0.5',
  'sigma-w2-max': '4',
  'sigma-w2-steps': '2',
  'sigma-b2-min': '0',
  'sigma-b2-max': '0.2',
  'sigma-b2-steps': '2',
};

function specError(run: () => unknown): SpecError {
  try {
    run();
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error('expected a SpecError');
}

describe('the grid', () => {
  it('has evenly spaced values that end exactly at max; one step is min alone', () => {
    expect(gridValues({ min: 0.5, max: 4, steps: 8 })).toEqual([0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
    expect(gridValues({ min: 0.1, max: 0.3, steps: 3 }).at(-1)).toBe(0.3);
    expect(gridValues({ min: 2, max: 2, steps: 1 })).toEqual([2]);
  });

  it('parses flags with defaults and init custom', () => {
    const options = parseSweepOptions({});
    expect(options.sigmaW2).toEqual({ min: 0.5, max: 4, steps: 8 });
    expect(options.sigmaB2).toEqual({ min: 0, max: 0.5, steps: 6 });
    expect(options.spec).toMatchObject({
      activation: 'tanh',
      init: 'custom',
      depth: 20,
      width: 256,
    });
    expect(parseSweepOptions(SMALL).spec).toMatchObject({ depth: 8, width: 48, batch: 8 });
  });

  it('rejects bad grids, naming the flag and what is allowed', () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ 'sigma-w2-min': '0' }, 'sigma-w2-min', /> 0/],
      [{ 'sigma-w2-min': 'abc' }, 'sigma-w2-min', /a number from 0 to 10000/],
      [{ 'sigma-b2-max': '-1' }, 'sigma-b2-max', /from 0 to/],
      [{ 'sigma-w2-max': '0.2' }, 'sigma-w2-max', /below sigma-w2-min/],
      [{ 'sigma-w2-steps': '0' }, 'sigma-w2-steps', /integer from 1 to 64/],
      [{ 'sigma-b2-steps': '1.5' }, 'sigma-b2-steps', /integer/],
      [{ 'sigma-b2-steps': '65' }, 'sigma-b2-steps', /64/],
      [{ 'sigma-b2-min': '1', 'sigma-b2-max': '1' }, 'sigma-b2-steps', /empty range/],
      [{ init: 'he' }, 'init', /not a sweep field/],
      [{ depth: '0' }, 'depth', /integer from 1/],
    ];
    for (const [input, field, detail] of cases) {
      const error = specError(() => parseSweepOptions(input));
      expect(error.field, JSON.stringify(input)).toBe(field);
      expect(error.detail).toMatch(detail);
    }
  });
});

describe('the phase-diagram sweep', () => {
  const backend = createCpuBackend('f64');

  it('yields one point per grid point, σ_b² major, each equal to its own run and theory', async () => {
    const options = parseSweepOptions(SMALL);
    const points: SweepPoint[] = [];
    for await (const point of phaseDiagramSweep(options, backend)) points.push(point);
    expect(points.map((p) => [p.index, p.total, p.sigmaW2, p.sigmaB2])).toEqual([
      [0, 4, 0.5, 0],
      [1, 4, 4, 0],
      [2, 4, 0.5, 0.2],
      [3, 4, 4, 0.2],
    ]);
    for (const point of points) {
      const spec = pointSpec(options, point.sigmaW2, point.sigmaB2, backend.info.name);
      expect(spec).toMatchObject({ init: 'custom', backend: 'cpu64' });
      expect(spec.sigmaW).toBeCloseTo(Math.sqrt(point.sigmaW2), 15);
      const { stats } = await runExperiment(spec, backend);
      expect(point.gradNormFirst).toBe(stats.gradNorm[0]);
      expect(point.gradNormLast).toBe(stats.gradNorm[8]);
      expect(point.measuredLog10Ratio).toBe(Math.log10(stats.gradNorm[0]! / stats.gradNorm[8]!));
      expect(point).toMatchObject(predictPoint(spec));
    }
    // σ_w² = 0.5 is deep in the ordered phase and σ_w² = 4 in the chaotic one, measured and predicted.
    for (const point of points) {
      const sign = point.sigmaW2 < 1 ? -1 : 1;
      expect(Math.sign(point.measuredLog10Ratio)).toBe(sign);
      expect(Math.sign(point.predictedLog10Ratio)).toBe(sign);
      expect(point.phase).toBe(sign < 0 ? 'ordered' : 'chaotic');
    }
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const point of phaseDiagramSweep(
          parseSweepOptions(SMALL),
          backend,
          controller.signal,
        )) {
          seen.push(point.index);
          controller.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(seen).toEqual([0]);
  });

  it('draws the critical line within the widened σ_w² range', () => {
    const line = criticalLine('relu', undefined, [0, 0.3], { min: 0.5, max: 4 });
    expect(line.map((p) => p.sigmaB2)).toEqual([0, 0.3]);
    for (const point of line) expect(point.sigmaW2).toBeCloseTo(2, 9);
    expect(criticalLine('step', undefined, [0.1], { min: 0.5, max: 4 })[0]!.sigmaW2).toBeNull();
  });
});
