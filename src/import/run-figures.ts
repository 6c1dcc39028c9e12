/**
 * The data of each figure the lab draws for an imported run, in the columnar form of the lab's
 * chart wrapper (x values, line series, an optional heat-map of columns): the same figures it draws
 * for its own runs. Every FigureData is structurally a ChartData of grad-chart, so it can be
 * passed to <grad-chart> as it is; `missing` says how many values the file did not record (drawn
 * as gaps in series, left empty in heat-maps), which is not the same as non-finite (drawn in the
 * error colour and counted by the chart).
 */
import type { ImportedRun } from './run-data.ts';
import { LAYER_METRIC_LABELS, type LayerMetric } from './run-format.ts';
import type { MeanFieldResult } from './run-theory.ts';

export interface FigureSeries {
  readonly label: string;
  /** One value per x; null where the file has no value. */
  readonly values: ArrayLike<number | null>;
}

export interface FigureHeatmapColumn {
  readonly lo: number;
  readonly hi: number;
  readonly values: ArrayLike<number>;
}

export interface FigureHeatmap {
  readonly label: string;
  readonly columns: readonly FigureHeatmapColumn[];
  readonly normalize: 'column' | 'global';
  readonly logColor: boolean;
}

export interface FigureData {
  readonly x: ArrayLike<number>;
  readonly series: readonly FigureSeries[];
  readonly heatmap?: FigureHeatmap;
  /** Values the file did not record (null), shown as gaps or empty cells. */
  readonly missing: number;
}

/** Statistics drawn on a log colour scale (norms and ratios spanning decades). */
const LOG_METRICS: ReadonlySet<LayerMetric> = new Set([
  'gradNorm',
  'weightGradNorm',
  'weightNorm',
  'biasNorm',
  'updateRatio',
  'inputMeanSquare',
]);

/** 1 … layerCount. */
export function layerAxis(run: Pick<ImportedRun, 'layerCount'>): Float64Array {
  return Float64Array.from({ length: run.layerCount }, (_, i) => i + 1);
}

/**
 * Layers × steps: one column per recorded step, cell l − 1 spanning y from l − ½ to l + ½, on one
 * colour scale for the whole map (log for norms and ratios). The chapter's heat-maps of ‖δ‖ and
 * of the update ratio; also dead and saturated fractions over training.
 */
export function layerStepHeatmap(run: ImportedRun, metric: LayerMetric): FigureData {
  const L = run.layerCount;
  const values = run.metrics[metric];
  const missing = run.missing[metric];
  let missingCount = 0;
  const columns: FigureHeatmapColumn[] = [];
  for (let r = 0; r < run.recordCount; r++) {
    const start = r * L;
    let column: Float64Array = values.subarray(start, start + L);
    for (let l = 0; l < L; l++) {
      if (!missing[start + l]) continue;
      // Missing cells are left empty (0 is not drawn); copy before changing anything.
      if (column.buffer === values.buffer) column = column.slice();
      column[l] = 0;
      missingCount++;
    }
    columns.push({ lo: 0.5, hi: L + 0.5, values: column });
  }
  return {
    x: run.steps,
    series: [],
    heatmap: {
      label: LAYER_METRIC_LABELS[metric],
      columns,
      normalize: 'global',
      logColor: LOG_METRICS.has(metric),
    },
    missing: missingCount,
  };
}

/** One statistic per layer at one record (x = layer), null where not recorded. */
function layerValues(run: ImportedRun, metric: LayerMetric, record: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let l = 0; l < run.layerCount; l++) {
    const i = record * run.layerCount + l;
    out.push(run.missing[metric][i] ? null : run.metrics[metric][i]!);
  }
  return out;
}

function countNull(values: readonly (number | null)[]): number {
  let count = 0;
  for (const value of values) if (value === null) count++;
  return count;
}

/**
 * The activation histograms of every layer at one record, as a heat-map with one column per layer
 * (bins of equal width from the layer's smallest to its largest finite activation), with the mean
 * and mean ± std drawn over it. A layer whose activations are all equal is one thin cell; one with
 * no histogram (or no finite value) is an empty column.
 */
export function histogramFigure(run: ImportedRun, record: number): FigureData {
  const L = run.layerCount;
  const bins = run.bins;
  const columns: FigureHeatmapColumn[] = [];
  let missing = 0;
  for (let l = 0; l < L; l++) {
    const cell = record * L + l;
    const lo = run.histogramMin[cell]!;
    const hi = run.histogramMax[cell]!;
    const counts = run.histogramCounts.subarray(cell * bins, (cell + 1) * bins);
    if (run.histogramMissing[cell]) missing++;
    if (run.histogramMissing[cell] || Number.isNaN(lo) || Number.isNaN(hi))
      columns.push({ lo: NaN, hi: NaN, values: [] });
    else if (lo === hi) {
      let total = 0;
      for (const count of counts) total += count;
      columns.push({ lo, hi, values: [total] });
    } else columns.push({ lo, hi, values: counts });
  }
  const mean = layerValues(run, 'activationMean', record);
  const std = layerValues(run, 'activationStd', record);
  const shifted = (sign: number) =>
    mean.map((m, i) => (m === null || std[i] === null ? null : m + sign * std[i]!));
  return {
    x: layerAxis(run),
    series: [
      { label: 'mean', values: mean },
      { label: 'mean + std', values: shifted(1) },
      { label: 'mean − std', values: shifted(-1) },
    ],
    heatmap: { label: 'activations', columns, normalize: 'column', logColor: false },
    missing: missing + countNull(mean) + countNull(std),
  };
}

/** Dead and saturated fractions per layer at one record (x = layer). */
export function fractionsFigure(run: ImportedRun, record: number): FigureData {
  const dead = layerValues(run, 'deadFraction', record);
  const saturated = layerValues(run, 'saturatedFraction', record);
  return {
    x: layerAxis(run),
    series: [
      { label: 'dead units', values: dead },
      { label: 'saturated (unit, sample) pairs', values: saturated },
    ],
    missing: countNull(dead) + countNull(saturated),
  };
}

/**
 * ‖δ⁽ˡ⁾‖ through depth (x = layer), one series per chosen record, and the mean-field prediction
 * where there is one and its record is among them.
 */
export function gradNormDepthFigure(
  run: ImportedRun,
  records: readonly number[],
  meanField?: MeanFieldResult,
): FigureData {
  const series: FigureSeries[] = [];
  let missing = 0;
  for (const record of records) {
    const values = layerValues(run, 'gradNorm', record);
    missing += countNull(values);
    series.push({ label: `step ${run.steps[record]!.toLocaleString('en-US')}`, values });
  }
  if (meanField?.applicable && records.includes(meanField.record)) {
    const { theory } = meanField;
    series.push({
      label: `mean-field prediction (${theory.phase}, χ₁ = ${theory.chi1.toPrecision(3)})`,
      values: meanField.predictedGradNorm,
    });
  }
  return { x: layerAxis(run), series, missing };
}

/** The loss per recorded step, where the recorder was given it. */
export function lossFigure(run: ImportedRun): FigureData {
  const values = Array.from(run.loss, (v, r) => (run.lossMissing[r] ? null : v));
  return { x: run.steps, series: [{ label: 'loss', values }], missing: countNull(values) };
}

/** The record of a step: exact, or the nearest recorded one; −1 for a run without records. */
export function recordNearest(run: ImportedRun, step: number): number {
  let best = -1;
  let distance = Infinity;
  for (let r = 0; r < run.recordCount; r++) {
    const d = Math.abs(run.steps[r]! - step);
    if (d < distance) {
      best = r;
      distance = d;
    }
  }
  return best;
}

/** Up to `count` records spread from the first to the last, for the depth figure. */
export function spreadRecords(run: ImportedRun, count = 4): number[] {
  const n = run.recordCount;
  if (n === 0) return [];
  const picks = new Set<number>();
  for (let i = 0; i < count; i++)
    picks.add(count === 1 ? 0 : Math.round((i * (n - 1)) / (count - 1)));
  return [...picks].sort((a, b) => a - b);
}
