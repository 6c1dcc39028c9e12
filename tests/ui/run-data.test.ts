/** What the figures of one run draw: grad-layer-plot's series and grad-layer-table's cells. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerStatistics } from '../../src/engine/results.ts';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../../src/engine/experiment.ts';
import { parseSpec } from '../../src/engine/spec.ts';
import {
  formatLayerValue,
  LAYER_PLOT_STATS,
  layerPlotAxes,
  layerPlotChart,
} from '../../src/ui/grad-run/run-data.ts';

describe('layerPlotChart', () => {
  const spec = parseSpec({ activation: 'tanh', depth: 4, width: 8, inputs: 8, batch: 4 });
  let stats: LayerStatistics;
  beforeAll(async () => {
    stats = (await runExperiment(spec, createCpuBackend('f64'))).stats;
  });

  it('draws both gradient norms over every layer with weights, input side first', () => {
    const chart = layerPlotChart(stats, spec.depth, 'gradients');
    expect(Array.from(chart.x)).toEqual([1, 2, 3, 4, 5]);
    expect(chart.series.map((s) => s.values)).toEqual([stats.gradNorm, stats.weightGradNorm]);
    expect(layerPlotAxes('gradients')).toEqual({
      xLabel: 'layer',
      yLabel: 'norm',
      logY: true,
      fraction: false,
    });
  });

  it('draws an activation statistic over the hidden layers only', () => {
    const chart = layerPlotChart(stats, spec.depth, 'std');
    expect(Array.from(chart.x)).toEqual([1, 2, 3, 4]);
    expect(Array.from(chart.series[0]!.values)).toEqual(
      Array.from(stats.activationStd.subarray(0, 4)),
    );
    const dead = layerPlotAxes('dead');
    expect([dead.fraction, dead.logY, dead.xLabel]).toEqual([true, false, 'hidden layer']);
    // The gradient statistics alone cover the output layer too.
    expect(layerPlotChart(stats, spec.depth, 'weight-grad').x).toHaveLength(5);
    expect(LAYER_PLOT_STATS[0]).toBe('gradients');
  });

  it('writes a table cell with 4 significant digits, or non-finite', () => {
    expect(formatLayerValue(null)).toBe('non-finite');
    expect(formatLayerValue(0)).toBe('0');
    expect(formatLayerValue(1234.5678)).toBe('1235');
    expect(formatLayerValue(1.5e-7)).toBe('1.500e-7');
  });
});
