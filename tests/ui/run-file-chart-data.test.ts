/**
 * grad-run-file-chart's views: run-figures.ts's data as it is (the prediction dashed), the records
 * each view draws, captions that name the steps drawn and the mean-field phase; its state's
 * attributes (step, steps) and its src rule (same origin only).
 */
import { describe, expect, it } from 'vitest';
import {
  fractionsFigure,
  gradNormDepthFigure,
  histogramFigure,
  layerStepHeatmap,
  lossFigure,
} from '../../src/import/run-figures.ts';
import { parseRunFile } from '../../src/import/run-parser.ts';
import { meanFieldComparison } from '../../src/import/run-theory.ts';
import {
  depthRecords,
  metricAttribute,
  metricOf,
  RUN_FILE_METRIC_NAMES,
  runFileChart,
  type RunFileChartOptions,
} from '../../src/ui/figures/grad-run-file-chart/run-file-chart-data.ts';
import {
  DEFAULT_RUN_FILE_STATE,
  RUN_FILE_STATE_READER,
} from '../../src/ui/figures/run-file-state.ts';
import { sameOriginUrl } from '../../src/ui/figures/run-file-store.ts';
import { fixtureText } from '../import/run-files.ts';

const mlp = parseRunFile(fixtureText('digits-mlp')).run!;
const cnn = parseRunFile(fixtureText('digits-cnn')).run!;
const options = (overrides: Partial<RunFileChartOptions> = {}): RunFileChartOptions => ({
  view: 'depth',
  metric: 'gradNorm',
  state: DEFAULT_RUN_FILE_STATE,
  meanField: meanFieldComparison(mlp),
  ...overrides,
});

describe('grad-run-file-chart views', () => {
  it('metric attributes are the format’s statistics in kebab-case', () => {
    expect(RUN_FILE_METRIC_NAMES).toEqual([
      'grad-norm',
      'weight-grad-norm',
      'weight-norm',
      'bias-norm',
      'update-ratio',
      'input-mean-square',
      'activation-mean',
      'activation-std',
      'dead-fraction',
      'saturated-fraction',
    ]);
    for (const name of RUN_FILE_METRIC_NAMES) expect(metricAttribute(metricOf(name)!)).toBe(name);
    expect(metricOf('gradNorm')).toBeUndefined();
  });

  it('depth: four records spread out, the prediction dashed over them, the phase in the caption', () => {
    const chart = runFileChart(mlp, options())!;
    expect(chart.records).toEqual([0, 5, 9, 14]);
    const expected = gradNormDepthFigure(mlp, [0, 5, 9, 14], meanFieldComparison(mlp));
    expect(chart.data.series.map((s) => s.values)).toEqual(expected.series.map((s) => s.values));
    expect(chart.data.series.map((s) => s.dashed ?? false)).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(chart.logY).toBe(true);
    expect(chart.caption).toBe(
      'Ordered phase (χ₁ = 0.167): ‖δ⁽ˡ⁾‖ through depth at steps 0, 100, 180 and 280, the mean-field prediction at step 0 dashed',
    );
  });

  it('depth at chosen steps: the nearest recorded, and the caption says where they differ', () => {
    const chart = runFileChart(mlp, options({ state: { step: null, steps: [150, 280] } }))!;
    expect(chart.records).toEqual([7, 14]);
    expect(chart.data.series).toHaveLength(2);
    expect(chart.caption).toBe(
      'Ordered phase (χ₁ = 0.167) by the mean-field prediction at step 0 (not drawn): ‖δ⁽ˡ⁾‖ through depth at steps 140 and 280 (nearest recorded to 150)',
    );
    expect(depthRecords(mlp, [0, 5, 10])).toEqual([0]);
  });

  it('depth without a prediction says why', () => {
    const chart = runFileChart(cnn, options({ meanField: meanFieldComparison(cnn) }))!;
    expect(chart.data.series.every((s) => !s.dashed)).toBe(true);
    expect(chart.caption).toBe(
      '‖δ⁽ˡ⁾‖ through depth at steps 0, 20, 30 and 50; no mean-field prediction: layer 1 (0) is Conv2d, not Linear',
    );
  });

  it('heat-map, histograms, fractions and loss: run-figures’ data as it is', () => {
    const heat = runFileChart(mlp, options({ view: 'heatmap', metric: 'updateRatio' }))!;
    expect(heat.data).toEqual(layerStepHeatmap(mlp, 'updateRatio'));
    expect(heat.name).toBe('run-file-heatmap-update-ratio');
    expect(heat.caption).toBe('‖ΔW⁽ˡ⁾‖ / ‖W⁽ˡ⁾‖ per layer and recorded step (log colour)');
    const histograms = runFileChart(
      mlp,
      options({ view: 'histograms', state: { step: 150, steps: null } }),
    )!;
    expect(histograms.records).toEqual([7]);
    expect(histograms.data).toEqual(histogramFigure(mlp, 7));
    expect(histograms.caption).toContain('at step 140 (the recorded step nearest 150)');
    const fractions = runFileChart(mlp, options({ view: 'fractions' }))!;
    expect(fractions.data).toEqual(fractionsFigure(mlp, 0));
    expect([fractions.yMin, fractions.yMax]).toEqual([0, 1]);
    expect(fractions.caption).toBe(
      'Dead units and saturated (unit, sample) pairs per layer at step 0 (1 value not recorded)',
    );
    expect(runFileChart(mlp, options({ view: 'loss' }))!.data).toEqual(lossFigure(mlp));
  });

  it('a run without records has no chart', () => {
    const empty = parseRunFile(fixtureText('digits-mlp').split('\n')[0]!).run!;
    expect(empty.recordCount).toBe(0);
    expect(runFileChart(empty, options())).toBeNull();
  });
});

describe('its attributes', () => {
  it('step and steps: step numbers, each bad one named', () => {
    expect(RUN_FILE_STATE_READER.read({ step: '140', steps: '280, 0,0' })).toEqual({
      state: { step: 140, steps: [0, 280] },
      problems: [],
    });
    const bad = RUN_FILE_STATE_READER.read({ step: '-1', steps: '1,2,3,4,5,6,7,8,9' });
    expect(bad.state).toEqual(DEFAULT_RUN_FILE_STATE);
    expect(bad.problems.map((p) => p.message)).toEqual([
      'step: got "-1"; allowed: a step number (an integer ≥ 0); the nearest recorded step is drawn',
      'steps: got "1,2,3,4,5,6,7,8,9"; allowed: a comma-separated list of 1 to 8 step numbers (integers ≥ 0); the nearest recorded steps are drawn',
    ]);
    expect(RUN_FILE_STATE_READER.entries({ step: 20, steps: [0, 280] })).toEqual([
      ['step', '20'],
      ['steps', '0,280'],
    ]);
  });

  it('src: the page’s own origin only', () => {
    const page = 'https://blog.example/posts/why.html';
    expect(sameOriginUrl('run.jsonl', page)).toBe('https://blog.example/posts/run.jsonl');
    expect(sameOriginUrl('/data/run.jsonl', page)).toBe('https://blog.example/data/run.jsonl');
    expect(sameOriginUrl('https://blog.example/x.jsonl', page)).toBe(
      'https://blog.example/x.jsonl',
    );
    expect(sameOriginUrl('https://cdn.example/x.jsonl', page)).toBeNull();
    expect(sameOriginUrl('http://blog.example/x.jsonl', page)).toBeNull();
    expect(sameOriginUrl('data:text/plain,{}', page)).toBeNull();
    expect(sameOriginUrl('  ', page)).toBeNull();
  });
});
