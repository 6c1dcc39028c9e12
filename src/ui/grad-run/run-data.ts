/**
 * What the figures of one run draw (grad-layer-plot, grad-layer-table), without a DOM: a
 * per-layer statistic of one network as chart data, and a table cell's text.
 */
import type { LayerStatistics } from '../../engine/results.ts';
import type { ChartData } from '../grad-chart/chart-data.ts';
import { LAYER_STATS, STAT_INFO } from '../figures/grad-layer-stats/layer-stats-data.ts';

/** `gradients`: ‖δ⁽ˡ⁾‖ and ‖∂L/∂W⁽ˡ⁾‖ together (one log axis); or one statistic alone. */
export const LAYER_PLOT_STATS = ['gradients', ...LAYER_STATS] as const;
export type LayerPlotStat = (typeof LAYER_PLOT_STATS)[number];

export interface LayerPlotAxes {
  readonly xLabel: string;
  readonly yLabel: string;
  readonly logY: boolean;
  /** A fraction: the y axis runs from 0 to 1. */
  readonly fraction: boolean;
}

export function layerPlotAxes(stat: LayerPlotStat): LayerPlotAxes {
  if (stat === 'gradients') {
    return { xLabel: 'layer', yLabel: 'norm', logY: true, fraction: false };
  }
  const info = STAT_INFO[stat];
  return {
    xLabel: info.hiddenOnly ? 'hidden layer' : 'layer',
    yLabel: info.axis,
    logY: info.log,
    fraction: info.fraction,
  };
}

/**
 * One run's statistic per layer, input side first: every layer with weights (the output layer
 * last) for the gradients, the hidden layers only for the activation statistics.
 */
export function layerPlotChart(
  stats: LayerStatistics,
  depth: number,
  stat: LayerPlotStat,
): ChartData {
  const layers = (count: number) => Array.from({ length: count }, (_, l) => l + 1);
  if (stat === 'gradients') {
    return {
      x: layers(stats.layerCount),
      series: [
        { label: '‖δ⁽ˡ⁾‖ = ‖∂L/∂z⁽ˡ⁾‖', values: stats.gradNorm },
        { label: '‖∂L/∂W⁽ˡ⁾‖', values: stats.weightGradNorm },
      ],
    };
  }
  const info = STAT_INFO[stat];
  const count = info.hiddenOnly ? Math.min(depth, stats.layerCount) : stats.layerCount;
  return {
    x: layers(count),
    series: [{ label: info.axis, values: stats[info.field].subarray(0, count) }],
  };
}

/** A per-layer table cell: 4 significant digits, or "non-finite" (layerRecords' null). */
export function formatLayerValue(value: number | null): string {
  if (value === null) return 'non-finite';
  return value === 0 ? '0' : value.toPrecision(4);
}
