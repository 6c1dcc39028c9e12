/**
 * What grad-run-file-chart draws for each view of an imported run: run-figures.ts's data as it is
 * (only the mean-field prediction is marked dashed), the records it shows, its axes and its
 * one-line caption. Pure, so the figure holds no data logic and the tests check it in Node.
 */
import type { ImportedRun } from '../../../import/run-data.ts';
import {
  fractionsFigure,
  gradNormDepthFigure,
  histogramFigure,
  layerStepHeatmap,
  lossFigure,
  recordNearest,
  spreadRecords,
  type FigureData,
} from '../../../import/run-figures.ts';
import {
  LAYER_METRIC_LABELS,
  LAYER_METRICS,
  type LayerMetric,
} from '../../../import/run-format.ts';
import type { MeanFieldResult } from '../../../import/run-theory.ts';
import type { ChartData } from '../../grad-chart/chart-data.ts';
import type { RunFileState } from '../run-file-state.ts';

/** The figure's views (the `view` attribute). */
export const RUN_FILE_VIEWS = ['depth', 'heatmap', 'histograms', 'fractions', 'loss'] as const;
export type RunFileView = (typeof RUN_FILE_VIEWS)[number];

/** A statistic as attributes write it: gradNorm → grad-norm. */
export function metricAttribute(metric: LayerMetric): string {
  return metric.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** The `metric` attribute's values, in the format's order. */
export const RUN_FILE_METRIC_NAMES = LAYER_METRICS.map(metricAttribute);

/** The statistic an attribute value names, or undefined. */
export function metricOf(name: string): LayerMetric | undefined {
  return LAYER_METRICS.find((metric) => metricAttribute(metric) === name);
}

export interface RunFileChartOptions {
  readonly view: RunFileView;
  /** The heat-map's statistic. */
  readonly metric: LayerMetric;
  readonly state: RunFileState;
  /** The mean-field prediction (run-theory.ts), drawn in the depth view where it applies. */
  readonly meanField: MeanFieldResult;
}

export interface RunFileChart {
  /** data-chart and export name. */
  readonly name: string;
  readonly data: ChartData;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly logY: boolean;
  readonly yMin?: number;
  readonly yMax?: number;
  readonly caption: string;
  /** The records drawn (the per-layer views and the depth view); every record otherwise. */
  readonly records: readonly number[];
}

/** "0, 100, 180 and 280". */
function list(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

const stepNumber = (step: number): string => step.toLocaleString('en-US');

/** The record a state's step shows: the nearest recorded one, or the first. */
export function recordOfStep(run: ImportedRun, step: number | null): number {
  return step === null ? 0 : recordNearest(run, step);
}

/** The records of the depth view: the nearest to each step asked for, or four spread out. */
export function depthRecords(run: ImportedRun, steps: readonly number[] | null): number[] {
  if (steps === null) return spreadRecords(run, 4);
  return [...new Set(steps.map((step) => recordNearest(run, step)))].sort((a, b) => a - b);
}

/** "step 280", with the step asked for where the nearest recorded one differs. */
function stepAt(run: ImportedRun, record: number, asked: number | null): string {
  const step = run.steps[record]!;
  return asked === null || asked === step
    ? `step ${stepNumber(step)}`
    : `step ${stepNumber(step)} (the recorded step nearest ${stepNumber(asked)})`;
}

function notRecorded(figure: FigureData): string {
  return figure.missing > 0
    ? ` (${figure.missing} value${figure.missing === 1 ? '' : 's'} not recorded)`
    : '';
}

function depthCaption(
  run: ImportedRun,
  records: readonly number[],
  meanField: MeanFieldResult,
  asked: readonly number[] | null,
): string {
  const steps = records.map((r) => stepNumber(run.steps[r]!));
  const drawn = `‖δ⁽ˡ⁾‖ through depth at step${records.length === 1 ? '' : 's'} ${list(steps)}`;
  const missed = asked?.filter((step) => !records.some((r) => run.steps[r] === step)) ?? [];
  const nearest = missed.length ? ` (nearest recorded to ${list(missed.map(stepNumber))})` : '';
  if (!meanField.applicable)
    return `${drawn}${nearest}; no mean-field prediction: ${meanField.reason}`;
  // The phase first, so that it stays in sight where a narrow figure cuts its caption short.
  const { theory } = meanField;
  const phase = `${theory.phase[0]!.toUpperCase()}${theory.phase.slice(1)} phase (χ₁ = ${theory.chi1.toPrecision(3)})`;
  const at = `step ${stepNumber(meanField.step)}`;
  return records.includes(meanField.record)
    ? `${phase}: ${drawn}${nearest}, the mean-field prediction at ${at} dashed`
    : `${phase} by the mean-field prediction at ${at} (not drawn): ${drawn}${nearest}`;
}

/** The chart of one view, or null for a run without step records. */
export function runFileChart(run: ImportedRun, options: RunFileChartOptions): RunFileChart | null {
  if (run.recordCount === 0) return null;
  const { view, metric, state, meanField } = options;
  const every = Array.from({ length: run.recordCount }, (_, r) => r);
  switch (view) {
    case 'depth': {
      const records = depthRecords(run, state.steps);
      const figure = gradNormDepthFigure(run, records, meanField);
      // The prediction, where drawn, is the last series: dashed over the measured decay.
      const predicted = figure.series.length > records.length;
      const data: ChartData = {
        ...figure,
        series: figure.series.map((series, i) =>
          predicted && i === records.length ? { ...series, dashed: true } : series,
        ),
      };
      return {
        name: 'run-file-depth',
        data,
        xLabel: 'layer (1 = input side)',
        yLabel: '‖δ⁽ˡ⁾‖',
        logY: true,
        caption: depthCaption(run, records, meanField, state.steps) + notRecorded(figure),
        records,
      };
    }
    case 'heatmap': {
      const figure = layerStepHeatmap(run, metric);
      return {
        name: `run-file-heatmap-${metricAttribute(metric)}`,
        data: figure,
        xLabel: 'step',
        yLabel: 'layer (1 = input side)',
        logY: false,
        caption: `${LAYER_METRIC_LABELS[metric]} per layer and recorded step${
          figure.heatmap!.logColor ? ' (log colour)' : ''
        }${notRecorded(figure)}`,
        records: every,
      };
    }
    case 'histograms': {
      const record = recordOfStep(run, state.step);
      const figure = histogramFigure(run, record);
      return {
        name: 'run-file-histograms',
        data: figure,
        xLabel: 'layer (1 = input side)',
        yLabel: 'activation a⁽ˡ⁾',
        logY: false,
        caption: `Activations of every layer at ${stepAt(run, record, state.step)}: histograms, mean and mean ± std${notRecorded(figure)}`,
        records: [record],
      };
    }
    case 'fractions': {
      const record = recordOfStep(run, state.step);
      const figure = fractionsFigure(run, record);
      return {
        name: 'run-file-fractions',
        data: figure,
        xLabel: 'layer (1 = input side)',
        yLabel: 'fraction',
        logY: false,
        yMin: 0,
        yMax: 1,
        caption: `Dead units and saturated (unit, sample) pairs per layer at ${stepAt(run, record, state.step)}${notRecorded(figure)}`,
        records: [record],
      };
    }
    case 'loss': {
      const figure = lossFigure(run);
      return {
        name: 'run-file-loss',
        data: figure,
        xLabel: 'step',
        yLabel: 'loss',
        logY: false,
        caption: `Loss per recorded step${notRecorded(figure)}`,
        records: every,
      };
    }
  }
}
