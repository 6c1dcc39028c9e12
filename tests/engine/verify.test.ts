/**
 * Verification against cpu64: the check plan, the subset problem (its columns, and that per-sample
 * quantities on a subset are those of the full batch), and the comparison rules.
 */
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { runExperiment, runProblemOn } from '../../src/engine/experiment.ts';
import { buildProblem } from '../../src/engine/problem.ts';
import type { LayerStatistics } from '../../src/engine/results.ts';
import { parseSpec, type RunSpec } from '../../src/engine/spec.ts';
import { TOLERANCES } from '../../src/engine/tolerance.ts';
import {
  compareRuns,
  describeCheck,
  FULL_CHECK_MULTIPLY_ADDS,
  multiplyAdds,
  planCheck,
  sampleIndices,
  subsetOfSpec,
  subsetProblem,
} from '../../src/engine/verify.ts';

const small = parseSpec({
  activation: 'tanh',
  depth: 3,
  width: 10,
  inputs: 7,
  outputs: 3,
  batch: 6,
  seed: 5,
  'sigma-b': 0.2,
});

const cpu64 = () => createCpuBackend('f64');

describe('the check plan', () => {
  it('counts the multiply-adds of the three products, as the benchmark does', () => {
    // Layers 7→10, 10→10, 10→10, 10→3.
    // Forward and weight gradient at every layer, backward from layer 2 on (none into the input).
    expect(multiplyAdds(small)).toBe(6 * (2 * (70 + 100 + 100 + 30) + (100 + 100 + 30)));
  });

  it('checks a cheap run whole, and an expensive one on the largest subset within the limit', () => {
    expect(planCheck(small)).toEqual({ kind: 'full' });
    const perSample = multiplyAdds({ ...small, batch: 1 });
    const plan = planCheck(small, 2.5 * perSample);
    expect(plan.kind).toBe('subset');
    if (plan.kind !== 'subset') return;
    expect(plan.indices).toHaveLength(2);
    expect(plan.batch).toBe(6);
    expect(plan.indices).toEqual(sampleIndices(6, 2, small.seed));
    // Even a limit below one sample checks one sample.
    const tiny = planCheck(small, 1);
    expect(tiny.kind === 'subset' && tiny.indices.length).toBe(1);
    expect(() => planCheck(small, NaN)).toThrow(
      'full-check-limit: got NaN; allowed: a positive number of multiply-adds',
    );
    // The default limit keeps the lab's default spec whole.
    expect(planCheck(parseSpec({})).kind).toBe('full');
    expect(multiplyAdds(parseSpec({}))).toBeLessThan(FULL_CHECK_MULTIPLY_ADDS);
  });

  it('checks batchnorm and single-sample runs whole, saying why', () => {
    const batchnorm = planCheck({ ...small, batchnorm: true }, 10);
    expect(batchnorm.kind).toBe('full');
    expect(batchnorm.kind === 'full' && batchnorm.note).toMatch(/batch normalization couples/);
    const single = planCheck({ ...small, batch: 1 }, 10);
    expect(single.kind === 'full' && single.note).toMatch(/one sample/);
  });

  it('refuses a check that cannot fit in memory, with the reason', () => {
    // A spec the GPU may take (its limits are the device's) but cpu64 cannot hold.
    const huge = parseSpec({ width: 16384, inputs: 16384, depth: 10, batch: 4, backend: 'webgpu' });
    const plan = planCheck(huge);
    expect(plan.kind).toBe('impossible');
    expect(plan.kind === 'impossible' && plan.reason).toMatch(
      /GiB, more than the 4 GiB memory budget/,
    );
  });

  it('samples distinct indices, sorted, reproducibly from the seed', () => {
    const indices = sampleIndices(100, 10, 42);
    expect(new Set(indices).size).toBe(10);
    expect(indices).toEqual([...indices].sort((a, b) => a - b));
    expect(indices.every((i) => Number.isInteger(i) && i >= 0 && i < 100)).toBe(true);
    expect(sampleIndices(100, 10, 42)).toEqual(indices);
    expect(sampleIndices(100, 10, 43)).not.toEqual(indices);
    expect(sampleIndices(5, 5, 1)).toEqual([0, 1, 2, 3, 4]);
    expect(() => sampleIndices(5, 6, 1)).toThrow('a subset needs 1 to 5 samples, got 6');
  });
});

describe('the subset problem', () => {
  it('keeps the weights and biases and takes the chosen X and Y columns', () => {
    const problem = buildProblem(small);
    const subset = subsetProblem(problem, [1, 4]);
    expect(subset.spec.batch).toBe(2);
    expect(subset.weights).toBe(problem.weights);
    expect(subset.biases).toBe(problem.biases);
    for (let r = 0; r < small.inputs; r++) {
      expect(subset.x[r * 2]).toBe(problem.x[r * 6 + 1]);
      expect(subset.x[r * 2 + 1]).toBe(problem.x[r * 6 + 4]);
    }
    for (let r = 0; r < small.outputs; r++) {
      expect(subset.y[r * 2]).toBe(problem.y[r * 6 + 1]);
      expect(subset.y[r * 2 + 1]).toBe(problem.y[r * 6 + 4]);
    }
    expect(() => subsetProblem(problem, [6])).toThrow('sample 6 is not in the batch of 6');
    expect(() => subsetProblem(problem, [])).toThrow('at least one sample');
  });

  it('is built from a spec without the whole batch under Philox, with the same values', () => {
    for (const rng of ['philox', 'numpy'] as const) {
      for (const init of ['xavier', 'orthogonal'] as const) {
        const spec = { ...small, rng, init };
        const direct = subsetOfSpec(spec, [0, 3, 5]);
        const viaFull = subsetProblem(buildProblem(spec), [0, 3, 5]);
        expect(direct.spec).toEqual(viaFull.spec);
        expect(direct.sizes).toEqual(viaFull.sizes);
        direct.weights.forEach((w, l) => expect(w).toEqual(viaFull.weights[l]));
        direct.biases.forEach((b, l) => expect(b).toEqual(viaFull.biases[l]));
        expect(direct.x).toEqual(viaFull.x);
        expect(direct.y).toEqual(viaFull.y);
      }
    }
  });

  it('gives each sample the gradients it has in the full batch (without batchnorm)', async () => {
    const full = await runExperiment({ ...small, backend: 'cpu64' }, cpu64());
    const problem = buildProblem(small);
    const singles: LayerStatistics[] = [];
    for (let j = 0; j < small.batch; j++)
      singles.push((await runProblemOn(subsetProblem(problem, [j]), cpu64())).stats);
    // ‖δ⁽ˡ⁾‖² over the batch is the sum of each sample's ‖δ⁽ˡ⁾‖², the loss is the sum of the
    // samples' losses, and the mean activation is the mean of the samples' means.
    for (let i = 0; i < full.stats.layerCount; i++) {
      const squares = singles.reduce((sum, s) => sum + s.gradNorm[i]! ** 2, 0);
      expect(Math.sqrt(squares)).toBeCloseTo(full.stats.gradNorm[i]!, 13);
      const means = singles.reduce((sum, s) => sum + s.activationMean[i]!, 0) / small.batch;
      expect(means).toBeCloseTo(full.stats.activationMean[i]!, 13);
    }
    const losses = singles.reduce((sum, s) => sum + s.loss, 0);
    expect(losses).toBeCloseTo(full.stats.loss, 12);

    // A one-sample subset is that sample run alone: the same numbers as a batch-1 problem made
    // from its columns by hand.
    const j = 2;
    const alone = {
      ...problem,
      spec: { ...small, batch: 1 },
      x: Float64Array.from({ length: small.inputs }, (_, r) => problem.x[r * small.batch + j]!),
      y: Float64Array.from({ length: small.outputs }, (_, r) => problem.y[r * small.batch + j]!),
    };
    const aloneStats = (await runProblemOn(alone, cpu64())).stats;
    expect(Array.from(aloneStats.gradNorm)).toEqual(Array.from(singles[j]!.gradNorm));
  });

  it('is not exact with batchnorm, which couples the samples', async () => {
    const spec = { ...small, batchnorm: true };
    const problem = buildProblem(spec);
    const full = await runExperiment({ ...spec, backend: 'cpu64' }, cpu64());
    const halves = [
      await runProblemOn(subsetProblem(problem, [0, 1, 2]), cpu64()),
      await runProblemOn(subsetProblem(problem, [3, 4, 5]), cpu64()),
    ];
    const squares = halves.reduce((sum, r) => sum + r.stats.gradNorm[0]! ** 2, 0);
    expect(Math.abs(Math.sqrt(squares) - full.stats.gradNorm[0]!)).toBeGreaterThan(
      1e-6 * full.stats.gradNorm[0]!,
    );
  });
});

/** Statistics for a network of `layers` layers, each `units` wide, with the given overrides. */
function stats(
  layers: number,
  overrides: Partial<Record<keyof LayerStatistics, unknown>> = {},
): LayerStatistics {
  const fill = (value: number) => new Float64Array(layers).fill(value);
  return {
    layerCount: layers,
    gradNorm: fill(2),
    weightGradNorm: fill(3),
    activationMean: fill(0.1),
    activationStd: fill(1),
    deadFraction: fill(0.25),
    saturatedFraction: fill(0.01),
    histograms: {
      bins: 2,
      min: fill(-1),
      max: fill(1),
      counts: new Uint32Array(2 * layers),
      nonFinite: new Uint32Array(layers),
    },
    loss: 4,
    ...overrides,
  } as LayerStatistics;
}

const SIZES = [4, 8, 8]; // two layers of 8 units
const BATCH = 100; // 800 entries per layer: saturated may differ by 0.002 (1.6 entries)
const REL = TOLERANCES.f32Statistics.rel;

describe('compareRuns', () => {
  it('passes identical runs with zero error', () => {
    const report = compareRuns(stats(2), stats(2), SIZES, BATCH, 'f32');
    expect(report.pass).toBe(true);
    expect(report.maxRelativeError).toBe(0);
    expect(report.layers.map((l) => l.pass)).toEqual([true, true]);
    expect(report.tolerance).toBe(TOLERANCES.f32Statistics);
  });

  it('fails a norm beyond the f32 tolerance, in that layer only, and reports its error', () => {
    const grad = Float64Array.from([2 * (1 + 0.5 * REL), 2 * (1 + 3 * REL)]);
    const report = compareRuns(stats(2, { gradNorm: grad }), stats(2), SIZES, BATCH, 'f32');
    expect(report.layers[0]!.pass).toBe(true);
    expect(report.layers[0]!.maxRelativeError).toBeCloseTo(0.5 * REL, 12);
    expect(report.layers[0]!.maxRelativeStatistic).toBe('gradNorm');
    expect(report.layers[1]!.pass).toBe(false);
    expect(report.layers[1]!.maxRelativeError).toBeCloseTo(3 * REL, 12);
    expect(report.pass).toBe(false);
    const failed = report.layers[1]!.checks.find((c) => !c.pass)!;
    expect(describeCheck(failed)).toMatch(
      /^‖δ‖: relative error 7\.15e-4 > 2\.38e-4 \(2\.00143\d* vs 2\)$/,
    );
    // The same difference is far beyond the f64 tolerance.
    expect(compareRuns(stats(2, { gradNorm: grad }), stats(2), SIZES, BATCH, 'f64').pass).toBe(
      false,
    );
  });

  it('compares a mean near zero on the scale of the spread', () => {
    const reference = stats(2, { activationMean: new Float64Array([1e-9, 1e-9]) });
    // 1e-6 off a mean of 1e-9 is 1000× relative, but tiny next to std 1.
    const close = stats(2, { activationMean: new Float64Array([1e-9 + 1e-6, 1e-9]) });
    const report = compareRuns(close, reference, SIZES, BATCH, 'f32');
    expect(report.pass).toBe(true);
    const mean = report.layers[0]!.checks.find((c) => c.statistic === 'activationMean')!;
    expect(mean.error).toBeCloseTo(1e-6, 12);
    const far = stats(2, { activationMean: new Float64Array([1e-3, 1e-9]) });
    expect(compareRuns(far, reference, SIZES, BATCH, 'f32').layers[0]!.pass).toBe(false);
  });

  it('compares against a zero reference absolutely', () => {
    const zero = stats(2, { gradNorm: new Float64Array([0, 0]) });
    const tiny = stats(2, { gradNorm: new Float64Array([1e-35, 0]) });
    const report = compareRuns(tiny, zero, SIZES, BATCH, 'f32');
    const check = report.layers[0]!.checks[0]!;
    expect(check).toMatchObject({ kind: 'absolute', error: 1e-35, pass: true });
    expect(report.pass).toBe(true);
    const notTiny = stats(2, { gradNorm: new Float64Array([1e-20, 0]) });
    expect(compareRuns(notTiny, zero, SIZES, BATCH, 'f32').layers[0]!.pass).toBe(false);
  });

  it('lets one unit be dead and two entries be saturated differently, not more', () => {
    const reference = stats(2);
    const oneUnit = stats(2, { deadFraction: new Float64Array([0.25 + 1 / 8, 0.25 + 2 / 8]) });
    const dead = compareRuns(oneUnit, reference, SIZES, BATCH, 'f32');
    expect(dead.layers.map((l) => l.pass)).toEqual([true, false]);
    const saturated = stats(2, {
      saturatedFraction: new Float64Array([0.01 + 0.002, 0.01 + 0.003]),
    });
    const report = compareRuns(saturated, reference, SIZES, BATCH, 'f32');
    expect(report.layers.map((l) => l.pass)).toEqual([true, false]);
  });

  it('agrees on a non-finite value only where both runs have the same one, and says which', () => {
    const same = compareRuns(
      stats(2, { gradNorm: new Float64Array([Infinity, NaN]) }),
      stats(2, { gradNorm: new Float64Array([Infinity, NaN]) }),
      SIZES,
      BATCH,
      'f32',
    );
    expect(same.pass).toBe(true);
    expect(same.layers[0]!.checks[0]).toMatchObject({
      note: 'both +Infinity: they agree',
      nonFinite: { test: '+Infinity', reference: '+Infinity' },
    });
    expect(same.layers[1]!.checks[0]!.note).toBe('both NaN: they agree');
    expect(same.maxRelativeError).toBe(0);

    // NaN where cpu64 has +∞, and −∞ where it has +∞: different values, so failures.
    const different = compareRuns(
      stats(2, { gradNorm: new Float64Array([NaN, Infinity]), loss: -Infinity }),
      stats(2, { gradNorm: new Float64Array([Infinity, Infinity]), loss: Infinity }),
      SIZES,
      BATCH,
      'f32',
    );
    expect(different.layers.map((l) => l.pass)).toEqual([false, true]);
    const check = different.layers[0]!.checks[0]!;
    expect(check).toMatchObject({
      pass: false,
      error: Infinity,
      nonFinite: { test: 'NaN', reference: '+Infinity' },
      note: 'NaN under test but +Infinity in cpu64: they differ',
    });
    expect(describeCheck(check)).toBe(
      '‖δ‖: NaN under test but +Infinity in cpu64: they differ (NaN vs Infinity)',
    );
    expect(different.loss).toMatchObject({
      pass: false,
      note: '-Infinity under test but +Infinity in cpu64: they differ',
    });
    expect(different.pass).toBe(false);

    // f32 overflows where cpu64 does not: a failure, explained.
    const overflow = compareRuns(
      stats(2, { gradNorm: new Float64Array([Infinity, 2]) }),
      stats(2, { gradNorm: new Float64Array([1e40, 2]) }),
      SIZES,
      BATCH,
      'f32',
    );
    expect(overflow.layers.map((l) => l.pass)).toEqual([false, true]);
    const overflowed = overflow.layers[0]!.checks[0]!;
    expect(overflowed.note).toBe(
      '+Infinity under test only: cpu64’s 1.00e+40 is beyond the f32 range',
    );
    expect(overflowed.nonFinite).toEqual({ test: '+Infinity', reference: 'finite' });
    expect(describeCheck(overflowed)).toContain('Infinity vs 1e+40');
    // Finite values on both sides carry no non-finite kinds.
    expect(overflow.layers[1]!.checks[0]!.nonFinite).toBeUndefined();

    const referenceOnly = compareRuns(
      stats(2, { loss: 4 }),
      stats(2, { loss: NaN }),
      SIZES,
      BATCH,
      'f32',
    );
    expect(referenceOnly.loss).toMatchObject({ pass: false, note: 'NaN in cpu64 only' });
    expect(referenceOnly.pass).toBe(false);
  });

  // Found by the engine property (tests/property/engine.property.test.ts): three places where a
  // correct f32 run failed verification. Each specification below failed before the fix.
  it('passes correct f32 runs the old bound failed: underflow, the saturation threshold, a tiny std', async () => {
    const cases = [
      // GELU (tanh form) far into its negative tail: f32 rounds φ to 0, so 2 of 19 units are
      // dead in f32 and none in cpu64 (one unit was allowed).
      parseSpec({
        activation: 'gelu_tanh',
        init: 'normal',
        depth: 2,
        width: 19,
        inputs: 2,
        outputs: 1,
        batch: 1,
        rng: 'numpy',
        seed: 451652563,
      }),
      // leaky_relu with α = 0.001 has |φ′| = α = the threshold 1e-3 on every negative entry:
      // f32's α is just above it, so half the entries flipped from saturated to not.
      parseSpec({ activation: 'leaky_relu', alpha: 0.001, depth: 3, width: 16, batch: 8 }),
      // A sigmoid layer whose std (1e-8) is tiny next to its mean: f32 keeps no digit of it.
      parseSpec({
        activation: 'sigmoid',
        init: 'xavier',
        depth: 6,
        width: 1,
        inputs: 16,
        outputs: 2,
        batch: 6,
        'sigma-b': 1,
        rng: 'numpy',
        seed: 1,
      }),
    ];
    for (const spec of cases) {
      const test = await runExperiment({ ...spec, backend: 'cpu' }, createCpuBackend('f32'));
      const reference = await runExperiment({ ...spec, backend: 'cpu64' }, cpu64());
      const report = compareRuns(
        test.stats,
        reference.stats,
        layerSizesOf(spec),
        spec.batch,
        'f32',
      );
      const failures = report.layers.flatMap((l) => l.checks).filter((c) => !c.pass);
      expect(failures.map(describeCheck), spec.activation).toEqual([]);
    }
    // What the reference reports, and how it widens the allowance.
    const leaky = cases[1]!;
    const reference = await runExperiment({ ...leaky, backend: 'cpu64' }, cpu64());
    expect(reference.stats.thresholdFraction![0]).toBeGreaterThan(0.3);
    expect(reference.stats.thresholdFraction![0]).toBe(reference.stats.saturatedFraction[0]);
  });

  it('widens the dead and saturated allowances by the reference’s underflow and threshold counts', () => {
    const reference = stats(2, {
      underflowFraction: new Float64Array([0.25, 0]),
      thresholdFraction: new Float64Array([0.5, 0]),
    });
    const test = stats(2, {
      deadFraction: new Float64Array([0.25 + 3 / 8, 0.25 + 3 / 8]),
      saturatedFraction: new Float64Array([0.01 + 0.5, 0.01 + 0.5]),
    });
    const report = compareRuns(test, reference, SIZES, BATCH, 'f32');
    const failed = report.layers.map((l) =>
      l.checks.filter((c) => !c.pass).map((c) => c.statistic),
    );
    expect(failed).toEqual([[], ['deadFraction', 'saturatedFraction']]);
    // They are f32's: an f64 run gets none of it.
    expect(compareRuns(test, reference, SIZES, BATCH, 'f64').layers[0]!.pass).toBe(false);
  });

  it('compares std on the scale of rms(a), not of std alone', () => {
    const reference = stats(2, {
      activationMean: new Float64Array([0.7, 0.7]),
      activationStd: new Float64Array([1e-6, 1e-6]),
    });
    // 1e-7 off a std of 1e-6 is 10% of it, but 1.4e-7 of rms(a): f32 rounding of values near 0.7.
    const test = stats(2, {
      activationMean: new Float64Array([0.7, 0.7]),
      activationStd: new Float64Array([1.1e-6, 1e-6 + 1e-3]),
    });
    const report = compareRuns(test, reference, SIZES, BATCH, 'f32');
    expect(report.layers.map((l) => l.pass)).toEqual([true, false]);
  });

  it('requires the same number of non-finite activations', () => {
    const some = stats(2);
    (some.histograms.nonFinite as Uint32Array)[1] = 3;
    const report = compareRuns(some, stats(2), SIZES, BATCH, 'f32');
    expect(report.layers.map((l) => l.pass)).toEqual([true, false]);
  });

  it('rejects runs of different depths', () => {
    expect(() => compareRuns(stats(2), stats(3), SIZES, BATCH, 'f32')).toThrow(/layers/);
  });

  it('passes the f32 CPU backend against cpu64 on real problems, whole and on a subset', async () => {
    for (const activation of ['sigmoid', 'relu', 'tanh'] as const) {
      const spec = { ...small, activation, depth: 8, batch: 16 };
      const reference = await runExperiment({ ...spec, backend: 'cpu64' }, cpu64());
      const test = await runExperiment({ ...spec, backend: 'cpu' }, createCpuBackend('f32'));
      const report = compareRuns(test.stats, reference.stats, layerSizesOf(spec), 16, 'f32');
      expect(report.pass, activation).toBe(true);
      expect(report.maxRelativeError).toBeGreaterThan(0); // f32 does round
      expect(report.maxRelativeError).toBeLessThan(REL);

      const subset = subsetOfSpec(spec, sampleIndices(16, 4, spec.seed));
      const subsetReference = await runProblemOn(subset, cpu64());
      const subsetTest = await runProblemOn(subset, createCpuBackend('f32'));
      expect(
        compareRuns(subsetTest.stats, subsetReference.stats, subset.sizes, 4, 'f32').pass,
      ).toBe(true);
    }
  });
});

function layerSizesOf(spec: RunSpec): number[] {
  return [spec.inputs, ...Array<number>(spec.depth).fill(spec.width), spec.outputs];
}
