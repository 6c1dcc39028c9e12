/**
 * The data a chart shows, in uPlot's columnar form ([xs, ...ys]), and what cannot be drawn:
 * non-finite values (overflow in an exploding network) and, on a log axis, zeros and negatives.
 * Pure functions, so the rules are tested without a DOM.
 */
export interface ChartSeries {
  readonly label: string;
  /** One value per x; null where the series has no value (not drawn, not counted as overflow). */
  readonly values: ArrayLike<number | null>;
  /** CSS colour; the palette's colour for `colorKey` (or for the series' place) when absent. */
  readonly color?: string;
  /**
   * The quantity the series shows (an activation or init name): it then has that quantity's hue
   * in every chart (design/palette.ts).
   */
  readonly colorKey?: string;
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

const SUPERSCRIPT: Readonly<Record<string, string>> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** 10 to an integer power, as the chapter writes it: 10⁻⁶. */
export function powerOfTen(exponent: number): string {
  return `10${[...String(exponent)].map((c) => SUPERSCRIPT[c] ?? c).join('')}`;
}

/**
 * An axis tick. On a log axis decades read as powers of ten (10⁻⁴; 1 and 10 as themselves).
 * Otherwise values are plain for moderate magnitudes and m×10ⁿ beyond (tiny or huge values).
 */
export function formatTick(value: number | null, log = false): string {
  if (value === null || !Number.isFinite(value)) return '';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  const exponent = Math.round(Math.log10(magnitude));
  const sign = value < 0 ? '−' : '';
  const decade = Math.abs(magnitude / 10 ** exponent - 1) < 1e-9;
  if (log && decade && (exponent < 0 || exponent > 1)) {
    return `${sign}${powerOfTen(exponent)}`;
  }
  if (magnitude >= 1e-3 && magnitude < 1e4) {
    return `${sign}${String(Number(magnitude.toPrecision(4)))}`;
  }
  const [mantissa, power] = magnitude.toExponential(1).split('e') as [string, string];
  return Number(mantissa) === 1
    ? `${sign}${powerOfTen(Number(power))}`
    : `${sign}${Number(mantissa)}×${powerOfTen(Number(power))}`;
}
