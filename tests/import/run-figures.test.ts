/** The figures' data for an imported run: values as recorded, in the chart wrapper's shape. */
import { describe, expect, it } from 'vitest';
import type { ChartData } from '../../src/ui/grad-chart/chart-data.ts';
import { metricAt } from '../../src/import/run-data.ts';
import {
  fractionsFigure,
  gradNormDepthFigure,
  histogramFigure,
  layerStepHeatmap,
  lossFigure,
  recordNearest,
  spreadRecords,
} from '../../src/import/run-figures.ts';
import { parseRunFile } from '../../src/import/run-parser.ts';
import { meanFieldComparison } from '../../src/import/run-theory.ts';
import { fixtureText, syntheticEntry, syntheticFile, syntheticHeader } from './run-files.ts';

const mlp = parseRunFile(fixtureText('digits-mlp')).run!;

describe('figures of an imported run', () => {
  it('layers × steps heat-maps: one column per step, one cell per layer, as recorded', () => {
    for (const metric of ['gradNorm', 'updateRatio', 'deadFraction'] as const) {
      const figure = layerStepHeatmap(mlp, metric);
      // The lab's chart wrapper takes it as it is.
      const chart: ChartData = figure;
      expect(Array.from(chart.x)).toEqual(Array.from(mlp.steps));
      expect(figure.heatmap!.columns).toHaveLength(15);
      expect(figure.heatmap!.logColor).toBe(metric !== 'deadFraction');
      figure.heatmap!.columns.forEach((column, r) => {
        expect([column.lo, column.hi]).toEqual([0.5, 21.5]);
        expect(Array.from(column.values)).toEqual(
          Array.from({ length: 21 }, (_, l) => metricAt(mlp, metric, r, l + 1)),
        );
      });
      expect(figure.missing).toBe(0);
    }
  });

  it('cells not recorded are left empty and counted, without touching the run', () => {
    const text = syntheticFile(syntheticHeader([{}, {}, { activation: null }]), [
      { step: 0, layers: [syntheticEntry({ gradNorm: null }), syntheticEntry(), syntheticEntry()] },
      {
        step: 10,
        layers: [syntheticEntry(), syntheticEntry({ gradNorm: 'NaN' }), syntheticEntry()],
      },
    ]);
    const run = parseRunFile(text).run!;
    const figure = layerStepHeatmap(run, 'gradNorm');
    expect(Array.from(figure.heatmap!.columns[0]!.values)).toEqual([0, 1, 1]);
    expect(Array.from(figure.heatmap!.columns[1]!.values)).toEqual([1, NaN, 1]);
    expect(figure.missing).toBe(1);
    expect(run.metrics.gradNorm[0]).toBeNaN();
    // In the depth figure a missing value is a gap (null); a non-finite one stays as it is.
    const depth = gradNormDepthFigure(run, [0, 1]);
    expect(depth.series.map((s) => Array.from(s.values))).toEqual([
      [null, 1, 1],
      [1, NaN, 1],
    ]);
    expect(depth.missing).toBe(1);
  });

  it('histograms per layer at a step, with mean ± std over them', () => {
    const record = 7;
    const figure = histogramFigure(mlp, record);
    const chart: ChartData = figure;
    expect(Array.from(chart.x)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    const columns = figure.heatmap!.columns;
    expect(figure.heatmap!.normalize).toBe('column');
    columns.forEach((column, l) => {
      const cell = record * 21 + l;
      expect(column.lo).toBe(mlp.histogramMin[cell]);
      expect(column.hi).toBe(mlp.histogramMax[cell]);
      const total = Array.from(column.values).reduce((a, b) => a + b, 0);
      // Every activation of the batch (64 samples × units) is in a bin.
      expect(total).toBe(64 * mlp.header.layers[l]!.units);
    });
    const [mean, plus, minus] = figure.series;
    expect(mean!.values[3]).toBe(metricAt(mlp, 'activationMean', record, 4));
    expect(plus!.values[3]).toBe(
      metricAt(mlp, 'activationMean', record, 4)! + metricAt(mlp, 'activationStd', record, 4)!,
    );
    expect(minus!.values[3]).toBe(
      metricAt(mlp, 'activationMean', record, 4)! - metricAt(mlp, 'activationStd', record, 4)!,
    );
  });

  it('a layer whose activations are all equal is one cell; one without a histogram is empty', () => {
    const text = syntheticFile(syntheticHeader([{}, {}, { activation: null }]), [
      {
        step: 0,
        layers: [
          syntheticEntry({ histogram: { min: 0, max: 0, counts: [5, 0, 0, 0], nonFinite: 0 } }),
          syntheticEntry({ histogram: null }),
          syntheticEntry({
            histogram: { min: null, max: null, counts: [0, 0, 0, 0], nonFinite: 8 },
          }),
        ],
      },
    ]);
    const columns = histogramFigure(parseRunFile(text).run!, 0).heatmap!.columns;
    expect(columns[0]).toEqual({ lo: 0, hi: 0, values: [5] });
    expect(columns[1]).toEqual({ lo: NaN, hi: NaN, values: [] });
    expect(columns[2]).toEqual({ lo: NaN, hi: NaN, values: [] });
  });

  it('dead and saturated fractions per layer; the output layer has no saturation', () => {
    const figure = fractionsFigure(mlp, 14);
    expect(figure.series.map((s) => s.label)).toEqual([
      'dead units',
      'saturated (unit, sample) pairs',
    ]);
    expect(figure.series[0]!.values[5]).toBe(metricAt(mlp, 'deadFraction', 14, 6));
    expect(figure.series[1]!.values[20]).toBeNull();
    expect(figure.missing).toBe(1);
  });

  it('gradient norm through depth at chosen steps, with the mean-field prediction at step 0', () => {
    const meanField = meanFieldComparison(mlp);
    const records = spreadRecords(mlp);
    expect(records).toEqual([0, 5, 9, 14]);
    const figure = gradNormDepthFigure(mlp, records, meanField);
    expect(figure.series.map((s) => s.label)).toEqual([
      'step 0',
      'step 100',
      'step 180',
      'step 280',
      'mean-field prediction (ordered, χ₁ = 0.167)',
    ]);
    expect(figure.series[4]!.values).toBe(meanField.applicable && meanField.predictedGradNorm);
    expect(gradNormDepthFigure(mlp, [14], meanField).series).toHaveLength(1);
  });

  it('the loss, and finding records by step', () => {
    const figure = lossFigure(mlp);
    expect(figure.series[0]!.values[0]).toBe(mlp.loss[0]);
    expect(recordNearest(mlp, 100)).toBe(5);
    expect(recordNearest(mlp, 111)).toBe(6);
    expect(recordNearest(mlp, 10_000)).toBe(14);
  });
});
