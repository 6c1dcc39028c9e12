/**
 * The data a chart shows, in uPlot's columnar form ([xs, ...ys]), and what cannot be drawn:
 * non-finite values (overflow in an exploding network) and, on a log axis, zeros and negatives.
 * Pure functions, so the rules are tested without a DOM.
 */
export interface ChartSeries {
  readonly label: string;
  /** One value per x; null where the series has no value (not drawn, not counted as overflow). */
  readonly values: ArrayLike<number | null>;
  /** CSS colour; a theme colour is used when absent. */
  readonly color?: string;
  /** Dashed (e.g. a derivative beside its function, or a bound beside measurements). */
  readonly dashed?: boolean;
}

/** One column of a heat-map: values.length equal cells from lo to hi on the y axis, at x[i]. */
export interface HeatmapColumn {
  readonly lo: number;
  readonly hi: number;
  readonly values: ArrayLike<number>;
}

/**
 * A heat-map under the line series: one column per x value (a histogram per layer, or a layer ×
 * step grid). Colour is value / max, over each column ('column') or the whole map ('global');
 * non-finite cells are drawn in the error colour and counted in the note.
 */
export interface ChartHeatmap {
  readonly label: string;
  readonly columns: readonly HeatmapColumn[];
  readonly normalize?: 'column' | 'global';
  /** Colour by log(value) (for quantities spanning decades, e.g. gradient norms). */
  readonly logColor?: boolean;
  /**
   * Signed values (e.g. a log ratio: vanishing > 0, exploding < 0) on a diverging scale centred
   * on 0, symmetric in max |value|; zeros are drawn too. Implies normalize 'global'.
   */
  readonly diverging?: boolean;
  /**
   * The values at the two ends of the colour scale, instead of the map's own smallest and largest:
   * heat-maps given the same range are shaded alike, so several can be compared. Values outside
   * are clamped to the ends. With logColor, min must be > 0. Not used by a diverging map.
   */
  readonly colorRange?: { readonly min: number; readonly max: number };
}

export interface ChartData {
  readonly x: ArrayLike<number>;
  readonly series: readonly ChartSeries[];
  readonly heatmap?: ChartHeatmap;
}

export interface PreparedChartData {
  /** [xs, ...ys] with undrawable points as null (gaps). */
  readonly columns: (number | null)[][];
  /** Points left out because they were NaN or ±∞. */
  readonly nonFinite: number;
  /** Points left out because a log axis cannot show values ≤ 0. */
  readonly nonPositive: number;
}

export function prepareChartData(data: ChartData, logY: boolean, logX = false): PreparedChartData {
  let nonFinite = 0;
  let nonPositive = 0;
  const columns: (number | null)[][] = [Array.from(data.x)];
  for (const series of data.series) {
    const column: (number | null)[] = [];
    for (let i = 0; i < data.x.length; i++) {
      const x = data.x[i]!;
      if (i >= series.values.length) {
        // A shorter series (a shallower network beside deeper ones) simply ends.
        column.push(null);
        continue;
      }
      const value = series.values[i]!;
      if (value === null) {
        column.push(null);
        continue;
      }
      if (!Number.isFinite(x)) {
        nonFinite++;
        column.push(null);
      } else if (logX && x <= 0) {
        nonPositive++;
        column.push(null);
      } else if (!Number.isFinite(value)) {
        nonFinite++;
        column.push(null);
      } else if (logY && value <= 0) {
        nonPositive++;
        column.push(null);
      } else column.push(value);
    }
    columns.push(column);
  }
  return { columns, nonFinite, nonPositive };
}

/** The sentence under a chart that says what it could not draw, or '' when it drew everything. */
export function undrawnNote(prepared: PreparedChartData): string {
  const parts: string[] = [];
  if (prepared.nonFinite > 0) {
    parts.push(
      `${prepared.nonFinite} non-finite value${prepared.nonFinite === 1 ? '' : 's'} (overflow) not drawn`,
    );
  }
  if (prepared.nonPositive > 0) {
    parts.push(
      `${prepared.nonPositive} zero value${prepared.nonPositive === 1 ? '' : 's'} not drawn on the log scale`,
    );
  }
  return parts.length ? `${parts.join('; ')}.` : '';
}

/** A value as the legend shows it under the cursor: six significant digits, never rounded away. */
export function formatExact(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude >= 1e-3 && magnitude < 1e6
    ? String(Number(value.toPrecision(6)))
    : value.toExponential(5);
}

/** An axis tick: plain for moderate magnitudes, 1e-5 style beyond (a log axis spans decades). */
export function formatTick(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e4) return String(Number(value.toPrecision(4)));
  return value.toExponential(0).replace('e+', 'e');
}
