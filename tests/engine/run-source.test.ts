/**
 * runSource and runProblemOn: a hand-built problem runs through the same path as a spec, so a
 * problem built from a spec gives exactly that spec's statistics.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import type { Backend, ComputeOptions } from '../../src/engine/backend.ts';
import {
  problemShapeError,
  runExperiment,
  runProblemOn,
  runSource,
} from '../../src/engine/experiment.ts';
import { buildProblem, problemFromSpec } from '../../src/engine/problem.ts';
import type { LayerStatistics } from '../../src/engine/results.ts';
import { parseSpec } from '../../src/engine/spec.ts';

const spec = parseSpec({
  activation: 'tanh',
  depth: 4,
  width: 12,
  inputs: 6,
  outputs: 3,
  batch: 5,
  seed: 9,
  'sigma-b': 0.1,
});

function expectSameStats(a: LayerStatistics, b: LayerStatistics): void {
  expect(Array.from(a.gradNorm)).toEqual(Array.from(b.gradNorm));
  expect(Array.from(a.weightGradNorm)).toEqual(Array.from(b.weightGradNorm));
  expect(Array.from(a.activationMean)).toEqual(Array.from(b.activationMean));
  expect(Array.from(a.activationStd)).toEqual(Array.from(b.activationStd));
  expect(Array.from(a.deadFraction)).toEqual(Array.from(b.deadFraction));
  expect(Array.from(a.saturatedFraction)).toEqual(Array.from(b.saturatedFraction));
  expect(Array.from(a.histograms.counts)).toEqual(Array.from(b.histograms.counts));
  expect(a.loss).toBe(b.loss);
}

describe('runSource', () => {
  it('is what runExperiment runs, repeat times', async () => {
    const repeated = { ...spec, repeat: 3 };
    const viaSpec = await runExperiment(repeated, createCpuBackend('f64'));
    const viaSource = await runSource(problemFromSpec(repeated), createCpuBackend('f64'));
    expectSameStats(viaSource.stats, viaSpec.stats);
    expect(viaSource.timings.computeRunsMs).toHaveLength(3);
    expect(viaSource.spec).toBe(repeated);
  });

  /** A CPU backend whose passes are counted. */
  function countingBackend(): { backend: Backend; passes: () => number } {
    const inner = createCpuBackend('f32');
    let passes = 0;
    const backend: Backend = {
      info: inner.info,
      prepare: async (source, options) => {
        const run = await inner.prepare(source, options);
        return new Proxy(run, {
          get: (target, name) =>
            name === 'compute'
              ? (computeOptions?: ComputeOptions) => {
                  passes++;
                  return target.compute(computeOptions);
                }
              : (Reflect.get(target, name, target) as unknown),
        });
      },
    };
    return { backend, passes: () => passes };
  }

  it('warms up after the first run when asked: untimed passes, then the timed runs', async () => {
    const repeated = { ...spec, repeat: 3 };
    const plain = countingBackend();
    const cold = await runSource(problemFromSpec(repeated), plain.backend);
    expect(plain.passes()).toBe(3);
    const warmed = countingBackend();
    const start = performance.now();
    const warm = await runSource(problemFromSpec(repeated), warmed.backend, { warmUpMs: 40 });
    expect(performance.now() - start).toBeGreaterThanOrEqual(40);
    expect(warmed.passes()).toBeGreaterThan(3);
    // Only the repeat runs are timed, the first of them cold; the numbers are the same.
    expect(warm.timings.computeRunsMs).toHaveLength(3);
    expectSameStats(warm.stats, cold.stats);
    // One run has no steady state to warm up for.
    const once = countingBackend();
    await runSource(problemFromSpec(spec), once.backend, { warmUpMs: 40 });
    expect(once.passes()).toBe(1);
  });

  it('stops a warm-up when cancelled', async () => {
    const controller = new AbortController();
    const { backend, passes } = countingBackend();
    const run = runSource(problemFromSpec({ ...spec, repeat: 2 }), backend, {
      signal: controller.signal,
      warmUpMs: 60_000,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(run).rejects.toThrow();
    expect(passes()).toBeGreaterThan(1);
  });
});

describe('runProblemOn', () => {
  it('gives a problem built from a spec exactly that spec’s statistics, on either precision', async () => {
    for (const precision of ['f64', 'f32'] as const) {
      const backend = createCpuBackend(precision);
      const fromSpec = await runExperiment({ ...spec, backend: backend.info.name }, backend);
      const fromProblem = await runProblemOn(buildProblem(spec), createCpuBackend(precision));
      expectSameStats(fromProblem.stats, fromSpec.stats);
      // The result's spec names the backend that computed it, not the one the problem came with.
      expect(fromProblem.spec.backend).toBe(precision === 'f64' ? 'cpu64' : 'cpu');
      expect(fromProblem.backend.precision).toBe(precision);
    }
  });

  it('rejects a problem whose arrays do not fit its spec, saying which', async () => {
    const problem = buildProblem(spec);
    const shortX = { ...problem, x: problem.x.subarray(1) };
    expect(problemShapeError(problem)).toBeNull();
    expect(problemShapeError(shortX)).toBe(
      `X has ${problem.x.length - 1} values, not inputs 6 × batch 5`,
    );
    await expect(runProblemOn(shortX, createCpuBackend('f64'))).rejects.toThrow(
      'the problem does not fit its spec: X has',
    );
    const wrongWeights = {
      ...problem,
      weights: [problem.weights[1]!, ...problem.weights.slice(1)],
    };
    expect(problemShapeError(wrongWeights)).toBe('W of layer 1 has 144 values, not 12 × 6');
    const wrongBatch = { ...problem, spec: { ...spec, batch: 4 } };
    expect(problemShapeError(wrongBatch)).toMatch(/^X has 30 values, not inputs 6 × batch 4$/);
    const wrongBias = { ...problem, biases: [new Float64Array(3), ...problem.biases.slice(1)] };
    expect(problemShapeError(wrongBias)).toBe('b of layer 1 has 3 values, not 12');
  });
});

describe('progress', () => {
  it('tells each layer as its weights are drawn, then the forward and backward passes', async () => {
    for (const rng of ['philox', 'numpy'] as const) {
      for (const precision of ['f32', 'f64'] as const) {
        const seen: string[] = [];
        await runExperiment(parseSpec({ ...spec, rng, repeat: 1 }), createCpuBackend(precision), {
          onProgress: (p) => seen.push(`${p.phase} ${p.done}/${p.total}`),
        });
        const layers = [1, 2, 3, 4, 5];
        expect(seen, `${rng} ${precision}`).toEqual([
          ...layers.map((l) => `prepare ${l}/5`),
          ...layers.map((l) => `forward ${l}/5`),
          ...layers.map((l) => `backward ${l}/5`),
        ]);
      }
    }
  });

  it('draws the same weights whether told or not', () => {
    const told: number[] = [];
    const a = buildProblem(spec, (done) => told.push(done));
    expect(told).toEqual([1, 2, 3, 4, 5]);
    expect(a).toEqual(buildProblem(spec));
  });
});
