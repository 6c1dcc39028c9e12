/**
 * The data a chart shows, in uPlot's columnar form ([xs, ...ys]), and what cannot be drawn:
 * non-finite values (overflow in an exploding network) and, on a log axis, zeros and negatives.
 * Pure functions, so the rules are tested without a DOM.
 */
export interface ChartSeries {
  readonly label: string;
  readonly values: ArrayLike<number>;
  /** CSS colour; a theme colour is used when absent. */
  readonly color?: string;
}

export interface ChartData {
  readonly x: ArrayLike<number>;
  readonly series: readonly ChartSeries[];
}

export interface PreparedChartData {
  /** [xs, ...ys] with undrawable points as null (gaps). */
  readonly columns: (number | null)[][];
  /** Points left out because they were NaN or ±∞. */
  readonly nonFinite: number;
  /** Points left out because a log axis cannot show values ≤ 0. */
  readonly nonPositive: number;
}

export function prepareChartData(data: ChartData, logY: boolean): PreparedChartData {
  let nonFinite = 0;
  let nonPositive = 0;
  const columns: (number | null)[][] = [Array.from(data.x)];
  for (const series of data.series) {
    const column: (number | null)[] = [];
    for (let i = 0; i < data.x.length; i++) {
      const value = series.values[i];
      if (value === undefined || !Number.isFinite(value)) {
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

/** An axis tick: plain for moderate magnitudes, 1e-5 style beyond (a log axis spans decades). */
export function formatTick(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e4) return String(Number(value.toPrecision(4)));
  return value.toExponential(0).replace('e+', 'e');
}
