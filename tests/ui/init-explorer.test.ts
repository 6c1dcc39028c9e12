import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../../src/engine/experiment.ts';
import type { LayerStatistics } from '../../src/engine/results.ts';
import { DEFAULT_SPEC, parseSpec, SpecError, type RunSpec } from '../../src/engine/spec.ts';
import {
  bestVarianceKeeper,
  distributionChartData,
  formatFraction,
  formatLayerList,
  formatStatistic,
  fractionsScaleInvariant,
  seriesCoincide,
  histogramColumns,
  initLayerRows,
  initRunSpec,
  initSpec,
  nonFiniteLayers,
  planInitRuns,
  varianceSummary,
  type InitRun,
} from '../../src/ui/grad-init-explorer/explorer-data.ts';
import { layerStatsChart } from '../../src/ui/figures/grad-layer-stats/layer-stats-data.ts';

/** Three hidden layers and the output layer, 4 bins: spread, all zero (dead), overflowed. */
function handMadeStats(): LayerStatistics {
  const bins = 4;
  // prettier-ignore
  const counts = new Uint32Array([
    1, 2, 3, 4, // layer 1: 10 values on [-1, 3]
    6, 0, 0, 0, // layer 2: 6 exact zeros
    0, 1, 0, 2, // layer 3: 3 finite values on [0.5, 2], 3 non-finite
    5, 0, 0, 5, // output layer
  ]);
  return {
    layerCount: 4,
    gradNorm: new Float64Array([1, 2, 3, 4]),
    weightGradNorm: new Float64Array([1, 2, 3, 4]),
    activationMean: new Float64Array([0.5, 0, NaN, 0.1]),
    activationStd: new Float64Array([2, 0, NaN, 1]),
    deadFraction: new Float64Array([0, 1, 0, 0]),
    saturatedFraction: new Float64Array([0.25, 0, 0.5, 0]),
    histograms: {
      bins,
      min: new Float64Array([-1, 0, 0.5, -3]),
      max: new Float64Array([3, 0, 2, 3]),
      counts,
      nonFinite: new Uint32Array([0, 0, 3, 0]),
    },
    loss: 1,
  };
}

const spec3: RunSpec = { ...DEFAULT_SPEC, depth: 3, init: 'he' };

describe('init explorer data', () => {
  it('turns each hidden layer’s histogram into one heat-map column, leaving the output out', () => {
    const columns = histogramColumns(handMadeStats(), 3);
    expect(columns).toHaveLength(3);
    expect(columns[0]).toEqual({ lo: -1, hi: 3, values: [1, 2, 3, 4] });
    // A layer of exact zeros has no range to bin: one cell at 0 holding all six.
    expect(columns[1]).toEqual({ lo: 0, hi: 0, values: [6] });
    // Non-finite activations are not in any bin; the finite ones keep their range.
    expect(columns[2]).toEqual({ lo: 0.5, hi: 2, values: [0, 1, 0, 2] });
  });

  it('gives a layer with no finite activation an empty column without a range', () => {
    const stats = handMadeStats();
    stats.histograms.min[0] = NaN;
    stats.histograms.max[0] = NaN;
    stats.histograms.counts.fill(0, 0, 4);
    const [column] = histogramColumns(stats, 1);
    expect(column!.values).toEqual([]);
    expect(column!.lo).toBeNaN();
    expect(column!.hi).toBeNaN();
  });

  it('draws mean and mean ± std per hidden layer over the histograms', () => {
    const run: InitRun = { init: 'he', spec: spec3, stats: handMadeStats() };
    const data = distributionChartData(run);
    expect(Array.from(data.x)).toEqual([1, 2, 3]);
    expect(data.series.map((s) => s.label)).toEqual(['mean', 'mean + std', 'mean − std']);
    expect(Array.from(data.series[0]!.values)).toEqual([0.5, 0, NaN]);
    expect(Array.from(data.series[1]!.values)).toEqual([2.5, 0, NaN]);
    expect(Array.from(data.series[2]!.values)).toEqual([-1.5, 0, NaN]);
    expect(data.heatmap!.columns).toHaveLength(3);
    expect(data.heatmap!.normalize).toBe('column');
  });

  it('reports non-finite activations by layer', () => {
    const run: InitRun = { init: 'he', spec: spec3, stats: handMadeStats() };
    expect(nonFiniteLayers(run)).toEqual({ layers: [3], count: 3 });
    expect(formatLayerList([1, 3, 4, 5, 9, 10])).toBe('1, 3–5, 9–10');
    expect(formatStatistic(NaN)).toBe('non-finite');
    expect(formatStatistic(-Infinity)).toBe('non-finite');
    expect(formatStatistic(0.000123456)).toBe('0.0001235');
    expect(formatStatistic(4.4712e18)).toBe('4.471e18');
    expect(formatStatistic(-2.5e-9)).toBe('-2.500e-9');
    expect(formatStatistic(0)).toBe('0');
    expect(formatFraction(0.125)).toBe('12.5 %');
    expect(formatFraction(NaN)).toBe('non-finite');
  });

  it('charts dead and saturated fractions with one series per init over the hidden layers', () => {
    // grad-layer-stats draws the explorer's comparison: the output layer is left out.
    const runs = [
      { label: 'Normal (std 1)', stats: handMadeStats(), depth: 3 },
      { label: 'He (normal)', stats: handMadeStats(), depth: 3 },
    ];
    const dead = layerStatsChart(runs, 'dead');
    expect(Array.from(dead.x)).toEqual([1, 2, 3]);
    expect(dead.series.map((s) => s.label)).toEqual(['Normal (std 1)', 'He (normal)']);
    expect(Array.from(dead.series[1]!.values)).toEqual([0, 1, 0]);
    const saturated = layerStatsChart(runs, 'saturated');
    expect(Array.from(saturated.series[0]!.values)).toEqual([0.25, 0, 0.5]);
  });

  it('lists every hidden layer of an init’s run for its table, the output layer left out', () => {
    const rows = initLayerRows({ init: 'he', spec: spec3, stats: handMadeStats() });
    expect(rows.map((row) => row.layer)).toEqual([1, 2, 3]);
    expect(rows[0]).toEqual({
      layer: 1,
      mean: 0.5,
      std: 2,
      min: -1,
      max: 3,
      deadFraction: 0,
      saturatedFraction: 0.25,
      nonFinite: 0,
    });
    expect(rows[1]!.deadFraction).toBe(1);
    expect(rows[2]!.nonFinite).toBe(3);
    expect(rows[2]!.mean).toBeNaN();
  });

  it('notices when the inits’ curves coincide, and knows when scaling cannot change them', () => {
    const he: InitRun = {
      init: 'he',
      spec: { ...spec3, activation: 'relu' },
      stats: handMadeStats(),
    };
    const xavier: InitRun = { ...he, init: 'xavier' };
    expect(seriesCoincide([he, xavier], 'deadFraction')).toBe(true);
    expect(seriesCoincide([he], 'deadFraction')).toBe(false);
    const other = handMadeStats();
    other.deadFraction[2] = 0.5;
    expect(seriesCoincide([he, { ...xavier, stats: other }], 'deadFraction')).toBe(false);
    // Beyond the hidden layers (the output layer) differences do not count.
    other.deadFraction[2] = 0;
    other.deadFraction[3] = 0.5;
    expect(seriesCoincide([he, { ...xavier, stats: other }], 'deadFraction')).toBe(true);

    expect(fractionsScaleInvariant([he, xavier])).toBe(true);
    const tanh = (run: InitRun): InitRun => ({ ...run, spec: { ...run.spec, activation: 'tanh' } });
    expect(fractionsScaleInvariant([tanh(he), tanh(xavier)])).toBe(false);
    expect(fractionsScaleInvariant([he, { ...xavier, init: 'xavier_uniform' }])).toBe(false);
    const biased = (run: InitRun): InitRun => ({ ...run, spec: { ...run.spec, sigmaB: 0.1 } });
    expect(fractionsScaleInvariant([biased(he), biased(xavier)])).toBe(false);
  });

  it('builds the dead fractions of a real ReLU run identical for normal, Xavier and He', async () => {
    const base = parseSpec({
      activation: 'relu',
      depth: '5',
      width: '12',
      inputs: '10',
      batch: '6',
    });
    const runs: InitRun[] = [];
    for (const init of ['normal', 'xavier', 'he'] as const) {
      const spec = initRunSpec(base, init);
      runs.push({ init, spec, stats: (await runExperiment(spec, createCpuBackend('f64'))).stats });
    }
    expect(fractionsScaleInvariant(runs)).toBe(true);
    expect(seriesCoincide(runs, 'deadFraction')).toBe(true);
    expect(seriesCoincide(runs, 'saturatedFraction')).toBe(true);
    // The scales differ, so the std does not coincide.
    expect(seriesCoincide(runs, 'activationStd')).toBe(false);
  });

  it('names the init whose variance ratio is closest to 1, never one that overflowed', () => {
    const withStd = (init: InitRun['init'], std: number[], nonFinite = 0): InitRun => {
      const stats = handMadeStats();
      stats.activationStd.set(std);
      stats.histograms.nonFinite.fill(0);
      stats.histograms.nonFinite[1] = nonFinite;
      return { init, spec: { ...spec3, init }, stats };
    };
    const summaries = [
      withStd('normal', [1, 1, 1.01], 5), // flat but overflowed somewhere: disqualified
      withStd('xavier', [1, 0.5, 0.25]), // ratio 1/16
      withStd('he', [1, 1.5, 2]), // ratio 4: closer to 1 on a log scale
      withStd('lecun', [0, 0, 0]), // no spread at all: NaN ratio
    ].map(varianceSummary);
    expect(summaries[1]!.varianceRatio).toBeCloseTo(1 / 16, 15);
    expect(summaries[1]!.middleStd).toBe(0.5);
    expect(summaries[0]!.nonFinite).toBe(5);
    expect(bestVarianceKeeper(summaries)?.init).toBe('he');
    expect(bestVarianceKeeper([summaries[0]!, summaries[3]!])).toBeUndefined();
  });

  it('swaps the init into the lab spec and keeps σ_w and the gain to their own inits', () => {
    const custom = parseSpec({ init: 'custom', 'sigma-w': '2', repeat: '5' });
    expect(initRunSpec(custom, 'custom')).toMatchObject({ init: 'custom', sigmaW: 2, repeat: 1 });
    expect(initRunSpec(custom, 'he')).toMatchObject({ init: 'he', sigmaW: 1, gain: 1 });
    const orthogonal = parseSpec({ init: 'orthogonal', gain: '1.5' });
    expect(initRunSpec(orthogonal, 'orthogonal').gain).toBe(1.5);
    expect(initRunSpec(orthogonal, 'xavier').gain).toBe(1);
    expect(() => initRunSpec({ ...DEFAULT_SPEC, batchnorm: true, batch: 1 }, 'he')).toThrow(
      SpecError,
    );
    // The figures of one init are handed initSpec: the same, unvalidated and with its repeat.
    expect(initSpec(custom, 'he')).toEqual({ ...custom, init: 'he', sigmaW: 1 });
    expect(initSpec(custom, 'he').repeat).toBe(5);
    expect(initSpec(orthogonal, 'orthogonal')).toEqual(orthogonal);
  });

  it('plans one run per listed init, in order, naming the inits the validator refused', () => {
    const base = parseSpec({ depth: '4', width: '8', inputs: '8', batch: '4' });
    const { runs, refused } = planInitRuns(base, ['he', 'normal']);
    expect(runs.map((run) => run.init)).toEqual(['he', 'normal']);
    expect(runs[0]!.spec).toEqual(initRunSpec(base, 'he'));
    expect(runs[0]!.key).toBe(JSON.stringify(initRunSpec(base, 'he')));
    expect(refused).toEqual([]);
    const single = planInitRuns({ ...base, batchnorm: true, batch: 1 }, ['he', 'xavier']);
    expect(single.runs).toEqual([]);
    expect(single.refused).toHaveLength(2);
    expect(single.refused[0]).toMatch(/^He \(normal\) not run: batchnorm: needs batch ≥ 2/);
  });

  it('builds columns that hold every finite activation of a real run', async () => {
    const spec = initRunSpec(
      parseSpec({ activation: 'relu', depth: 6, width: 12, inputs: 10, batch: 5, bins: 8 }),
      'normal',
    );
    const { stats } = await runExperiment(spec, createCpuBackend('f64'));
    const columns = histogramColumns(stats, spec.depth);
    expect(columns).toHaveLength(6);
    columns.forEach((column, i) => {
      const total = Array.from(column.values).reduce((a, b) => a + b, 0);
      expect(total + stats.histograms.nonFinite[i]!).toBe(spec.width * spec.batch);
      expect(column.lo).toBe(stats.histograms.min[i]);
      expect(column.hi).toBe(stats.histograms.max[i]);
      // ReLU: nothing below 0.
      expect(column.lo).toBeGreaterThanOrEqual(0);
    });
  });
});
