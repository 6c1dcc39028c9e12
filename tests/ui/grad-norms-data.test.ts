import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../../src/engine/experiment.ts';
import type { RunResult } from '../../src/engine/results.ts';
import { DEFAULT_SPEC, parseSpec, type RunSpec } from '../../src/engine/spec.ts';
import {
  attenuationChart,
  attenuationTableData,
  collectResults,
  comparisonChart,
  depthSweepChart,
  formatFactor,
  formatScientific,
  planRuns,
  powerOfTen,
  runSpecFor,
  type ComparisonResult,
} from '../../src/ui/grad-norms/norms-data.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../../src/ui/lab/lab-state.ts';

/** A result with the given per-layer norms (only what the shaping reads is filled in). */
function fakeResult(spec: RunSpec, gradNorm: number[], weightGradNorm = gradNorm): RunResult {
  return {
    spec,
    backend: { name: spec.backend, precision: 'f64' },
    timings: { initMs: 0, computeMs: 0, computeRunsMs: [0] },
    stats: {
      layerCount: gradNorm.length,
      gradNorm: Float64Array.from(gradNorm),
      weightGradNorm: Float64Array.from(weightGradNorm),
    } as RunResult['stats'],
  };
}

describe('planning the runs', () => {
  it('runs the spec activation at each depth and each activation at the spec depth, once each', () => {
    const state: LabState = {
      ...DEFAULT_LAB_STATE,
      spec: { ...DEFAULT_SPEC, activation: 'sigmoid', depth: 10 },
      depths: [3, 10, 20],
      activations: ['sigmoid', 'relu', 'elu'],
    };
    const plan = planRuns(state);
    expect(plan.sweep.map((r) => [r.activation, r.depth])).toEqual([
      ['sigmoid', 3],
      ['sigmoid', 10],
      ['sigmoid', 20],
    ]);
    expect(plan.comparison.map((r) => [r.activation, r.depth])).toEqual([
      ['sigmoid', 10],
      ['relu', 10],
      ['elu', 10],
    ]);
    // sigmoid at depth 10 is in both sweeps: one run.
    expect(plan.unique).toHaveLength(5);
    expect(plan.sweep[1]).toBe(plan.comparison[0]);
    expect(plan.refused).toEqual([]);
  });

  it('gives each activation a valid α: its default, or the spec’s own for the spec’s activation', () => {
    const spec = parseSpec({ activation: 'leaky_relu', alpha: '0.2' });
    expect(runSpecFor(spec, 'leaky_relu', 5)).toMatchObject({ depth: 5, alpha: 0.2 });
    expect(runSpecFor(spec, 'elu', 5).alpha).toBe(1);
    expect(runSpecFor(spec, 'sigmoid', 5).alpha).toBe(0);
    // Every planned spec passes the one parser.
    const plan = planRuns({
      ...DEFAULT_LAB_STATE,
      spec,
      activations: ['sigmoid', 'elu', 'leaky_relu'],
    });
    for (const run of plan.unique) {
      const entries = Object.fromEntries(
        Object.entries(run.spec).map(([key, value]) => [key, String(value)]),
      );
      expect(parseSpec(entries)).toEqual(run.spec);
    }
  });

  it('refuses, by name, a depth whose network would not fit in memory', () => {
    const plan = planRuns({
      ...DEFAULT_LAB_STATE,
      spec: { ...DEFAULT_SPEC, width: 16384, depth: 1 },
      depths: [1, 3],
      activations: ['tanh'],
    });
    expect(plan.sweep.map((r) => r.depth)).toEqual([1]);
    expect(plan.refused).toHaveLength(1);
    expect(plan.refused[0]).toMatch(/^sigmoid at depth 3 not run: width: .*memory budget/);
  });

  it('collects what has been computed and says whether it is complete', () => {
    const plan = planRuns({ ...DEFAULT_LAB_STATE, depths: [3, 5], activations: ['relu'] });
    const results = new Map(
      plan.unique.slice(0, 1).map((r) => [r.key, fakeResult(r.spec, [1, 2, 3, 4])]),
    );
    const partial = collectResults(plan, (key) => results.get(key));
    expect(partial.complete).toBe(false);
    expect(partial.sweep.map((s) => s.depth)).toEqual([3]);
    for (const r of plan.unique) results.set(r.key, fakeResult(r.spec, [1]));
    const complete = collectResults(plan, (key) => results.get(key));
    expect(complete.complete).toBe(true);
    expect(complete.comparison.map((c) => [c.activation, c.alpha])).toEqual([['relu', 0]]);
  });
});

describe('chart data', () => {
  const spec = DEFAULT_SPEC;
  const sweep = [
    { depth: 2, result: fakeResult(spec, [0.01, 0.1, 1]) },
    { depth: 4, result: fakeResult(spec, [1e-4, 1e-3, 0.01, 0.1, 1]) },
  ];

  it('lines up depths at the output layer, or at layer 1 on the chapter’s axis', () => {
    const fromOutput = depthSweepChart(sweep, 'below-output');
    expect(fromOutput.x).toEqual([0, 1, 2, 3, 4]);
    expect(fromOutput.series.map((s) => s.label)).toEqual(['2 hidden layers', '4 hidden layers']);
    expect(fromOutput.series[0]!.values).toEqual([1, 0.1, 0.01]);
    expect(fromOutput.series[1]!.values).toEqual([1, 0.1, 0.01, 1e-3, 1e-4]);
    const byLayer = depthSweepChart(sweep, 'layer');
    expect(byLayer.x).toEqual([1, 2, 3, 4, 5]);
    expect(byLayer.series[0]!.values).toEqual([0.01, 0.1, 1]);
  });

  const comparison: ComparisonResult[] = [
    {
      activation: 'sigmoid',
      alpha: 0,
      result: fakeResult(spec, [1e-3, 0.02, 0.2, 2], [5, 6, 7, 8]),
    },
    { activation: 'tanh', alpha: 0, result: fakeResult(spec, [0.5, 1, 1, 1]) },
    { activation: 'relu', alpha: 0, result: fakeResult(spec, [0, 2, 4, 2]) },
    { activation: 'elu', alpha: 1, result: fakeResult(spec, [1, 1, 1, 1]) },
  ];

  it('compares activations per layer, ‖δ‖ or ‖∂L/∂W‖', () => {
    const norms = comparisonChart(comparison, 'gradNorm');
    expect(norms.x).toEqual([1, 2, 3, 4]);
    expect(norms.series.map((s) => s.label)).toEqual(['Sigmoid', 'Tanh', 'ReLU', 'ELU (α = 1)']);
    expect(norms.series[0]!.values).toEqual([1e-3, 0.02, 0.2, 2]);
    expect(comparisonChart(comparison, 'weightGradNorm').series[0]!.values).toEqual([5, 6, 7, 8]);
  });

  it('puts measured attenuation and one bound per distinct max|f′| on one axis', () => {
    const chart = attenuationChart(comparison);
    expect(chart.x).toEqual([0, 1, 2, 3]);
    expect(chart.series.map((s) => s.label)).toEqual([
      'Sigmoid: measured',
      'Tanh: measured',
      'ReLU: measured',
      'ELU (α = 1): measured',
      'bound 0.25^k: Sigmoid',
      'bound 1^k: Tanh, ReLU, ELU (α = 1)',
    ]);
    expect(chart.series[0]!.values).toEqual([1, 0.1, 0.01, 0.0005]);
    expect(chart.series[2]!.values).toEqual([1, 2, 1, 0]);
    expect(chart.series[4]!.values).toEqual([1, 0.25, 0.0625, 0.015625]);
    Array.from(chart.series[5]!.values).forEach((v) => expect(v).toBeCloseTo(1, 13));
  });

  it('tabulates the bound for k = 1..20 beside the measurement where the network has k layers', () => {
    const table = attenuationTableData(comparison.slice(0, 2));
    expect(table.columns.map((c) => [c.label, c.maxAbsDerivative])).toEqual([
      ['Sigmoid', 0.25],
      ['Tanh', expect.closeTo(1, 14)],
    ]);
    expect(table.rows).toHaveLength(20);
    expect(table.rows.filter((r) => r.inChapter).map((r) => r.layers)).toEqual([1, 3, 5, 10, 20]);
    expect(table.rows[0]!.cells[0]).toEqual({ bound: 0.25, measured: 0.1 });
    expect(table.rows[2]!.cells[0]).toEqual({ bound: 0.015625, measured: 0.0005 });
    expect(table.rows[3]!.cells[0]!.measured).toBeUndefined();
    expect(table.rows[19]!.cells[0]!.bound).toBe(0.25 ** 20);
  });
});

describe("the chapter's number formats", () => {
  it('writes attenuation factors as the chapter does', () => {
    expect([1, 3, 5, 10, 20].map((k) => formatFactor(0.25 ** k))).toEqual([
      '0.25',
      '0.0156',
      '9.77 × 10⁻⁴',
      '9.54 × 10⁻⁷',
      '9.09 × 10⁻¹³',
    ]);
    expect(formatFactor(1.0000000000000002 ** 20)).toBe('1');
    expect(formatFactor(0)).toBe('0');
    expect(formatFactor(NaN)).toBe('NaN');
    expect(formatFactor(Infinity)).toBe('∞');
    expect(formatFactor(-Infinity)).toBe('−∞');
    expect(formatFactor(123456)).toBe('1.23 × 10⁵');
  });

  it('writes scientific notation with the nearest power of ten', () => {
    expect(formatScientific(0.25)).toBe('2.5 × 10⁻¹ ≈ 10⁻¹');
    expect(formatScientific(0.25 ** 10)).toBe('9.5 × 10⁻⁷ ≈ 10⁻⁶');
    expect(formatScientific(0.25 ** 20)).toBe('9.1 × 10⁻¹³ ≈ 10⁻¹²');
    expect(formatScientific(1)).toBe('1.0 × 10⁰ ≈ 10⁰');
    expect(powerOfTen(-12)).toBe('10⁻¹²');
  });
});

describe('with real runs', () => {
  it('measures sigmoid attenuation below its bound and ReLU’s He-init gradients near 1', async () => {
    const backend = createCpuBackend('f64');
    const base = parseSpec({
      depth: '8',
      width: '32',
      inputs: '32',
      batch: '16',
      backend: 'cpu64',
    });
    const sigmoid = await runExperiment(runSpecFor(base, 'sigmoid', 8), backend);
    const relu = await runExperiment({ ...runSpecFor(base, 'relu', 8), init: 'he' }, backend);
    const table = attenuationTableData([
      { activation: 'sigmoid', alpha: 0, result: sigmoid },
      { activation: 'relu', alpha: 0, result: relu },
    ]);
    for (const row of table.rows.slice(0, 8)) {
      const [sig, rel] = row.cells as [{ bound: number; measured: number }, { measured: number }];
      expect(sig.measured).toBeCloseTo(
        sigmoid.stats.gradNorm[8 - row.layers]! / sigmoid.stats.gradNorm[8]!,
        15,
      );
      // Sigmoid′ ≤ 1/4, and Xavier weights scale ‖Wᵀδ‖ by a factor near 1 (here up to 1.3: the
      // bound ignores the weights), so the measurement stays under 0.25^k · 1.5^k.
      expect(sig.measured).toBeLessThan(sig.bound * 1.5 ** row.layers);
      // He-init ReLU neither vanishes nor explodes over 8 layers.
      expect(rel.measured).toBeGreaterThan(0.5);
      expect(rel.measured).toBeLessThan(2);
    }
  });
});
