/**
 * The heat-map layer of <grad-chart>: cells of one column per x value, coloured by value, drawn on
 * uPlot's canvas under the line series. The geometry and colour rules are pure functions so they
 * are tested without a canvas.
 */
import type uPlot from 'uplot';
import { formatExact, type ChartHeatmap } from './chart-data.ts';

/** Viridis stops (perceptually uniform, readable in light and dark, and for colour-blind readers). */
const STOPS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** A diverging ramp (blue, light grey at 0, red), for signed values. */
const DIVERGING: readonly (readonly [number, number, number])[] = [
  [33, 102, 172],
  [146, 197, 222],
  [230, 230, 230],
  [244, 165, 130],
  [178, 24, 43],
];

function ramp(stops: typeof STOPS, t: number): string {
  const clamped = Math.min(1, Math.max(0, t));
  const position = clamped * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(position));
  const f = position - i;
  const [r, g, b] = stops[i]!.map((c, k) => Math.round(c + f * (stops[i + 1]![k]! - c)));
  return `rgb(${r}, ${g}, ${b})`;
}

/** The colour for an intensity t in [0, 1]. */
export function heatColour(t: number): string {
  return ramp(STOPS, t);
}

/** The colour for a signed intensity t in [−1, 1] (0 is the neutral middle). */
export function divergingColour(t: number): string {
  return ramp(DIVERGING, (t + 1) / 2);
}

export interface HeatCell {
  readonly column: number;
  readonly lo: number;
  readonly hi: number;
  /**
   * Intensity in [0, 1] ([−1, 1] on a diverging map); null for a non-finite cell (drawn in the
   * error colour).
   */
  readonly intensity: number | null;
}

export interface HeatLayout {
  readonly cells: HeatCell[];
  /** Smallest and largest y any column spans: the y scale must include them. */
  readonly yMin: number;
  readonly yMax: number;
  readonly nonFinite: number;
  /** Largest finite |value|: the ends of a diverging scale. */
  readonly maxAbs: number;
}

/**
 * The cells to draw: empty (zero) cells are left out; a column whose range is a single value
 * (every activation equal, e.g. a dead ReLU layer at 0) becomes one thin cell around it.
 */
export function layoutHeatmap(heatmap: ChartHeatmap): HeatLayout {
  let yMin = Infinity;
  let yMax = -Infinity;
  let globalMax = 0;
  let globalMinPositive = Infinity;
  let globalMaxAbs = 0;
  let nonFinite = 0;
  for (const column of heatmap.columns) {
    if (Number.isFinite(column.lo)) yMin = Math.min(yMin, column.lo);
    if (Number.isFinite(column.hi)) yMax = Math.max(yMax, column.hi);
    for (let b = 0; b < column.values.length; b++) {
      const v = column.values[b]!;
      if (!Number.isFinite(v)) nonFinite++;
      else globalMaxAbs = Math.max(globalMaxAbs, Math.abs(v));
      if (Number.isFinite(v) && v > 0) {
        globalMax = Math.max(globalMax, v);
        globalMinPositive = Math.min(globalMinPositive, v);
      }
    }
  }
  if (!(yMin <= yMax)) {
    yMin = 0;
    yMax = 1;
  }
  const pad = yMax > yMin ? (yMax - yMin) * 0.005 : Math.max(Math.abs(yMin) * 0.01, 0.5);
  const cells: HeatCell[] = [];
  heatmap.columns.forEach((column, c) => {
    if (!Number.isFinite(column.lo) || !Number.isFinite(column.hi)) return;
    const n = column.values.length;
    const range = heatmap.diverging ? undefined : heatmap.colorRange;
    let max = range ? range.max : heatmap.normalize === 'global' ? globalMax : 0;
    let minPositive = range
      ? range.min
      : heatmap.normalize === 'global'
        ? globalMinPositive
        : Infinity;
    if (!range && heatmap.normalize !== 'global') {
      for (let b = 0; b < n; b++) {
        const v = column.values[b]!;
        if (Number.isFinite(v) && v > 0) {
          max = Math.max(max, v);
          minPositive = Math.min(minPositive, v);
        }
      }
    }
    const degenerate = column.hi <= column.lo;
    const step = degenerate ? 0 : (column.hi - column.lo) / n;
    for (let b = 0; b < n; b++) {
      const v = column.values[b]!;
      let intensity: number | null;
      if (!Number.isFinite(v)) intensity = null;
      else if (heatmap.diverging) intensity = globalMaxAbs > 0 ? v / globalMaxAbs : 0;
      else if (v <= 0 || max <= 0) continue;
      else if (heatmap.logColor && max > minPositive)
        intensity = Math.log(v / minPositive) / Math.log(max / minPositive);
      else if (range && max > range.min) intensity = (v - range.min) / (max - range.min);
      else intensity = v / max;
      // A shared range may be narrower than this map's values: clamp to the ends of the scale.
      if (range && intensity !== null) intensity = Math.min(1, Math.max(0, intensity));
      const lo = degenerate ? column.lo - pad : column.lo + b * step;
      const hi = degenerate ? column.hi + pad : column.lo + (b + 1) * step;
      cells.push({ column: c, lo, hi, intensity });
    }
  });
  return {
    cells,
    yMin: yMin - (yMax > yMin ? 0 : pad),
    yMax: yMax + (yMax > yMin ? 0 : pad),
    nonFinite,
    maxAbs: globalMaxAbs,
  };
}

/** The x extent of column c, halfway to its neighbours (x sorted ascending, in pixels). */
export function columnSpan(xs: readonly number[], c: number): [number, number] {
  const x = xs[c]!;
  const left = c > 0 ? (x + xs[c - 1]!) / 2 : xs.length > 1 ? x - (xs[1]! - x) / 2 : x - 10;
  const right =
    c < xs.length - 1 ? (x + xs[c + 1]!) / 2 : xs.length > 1 ? x + (x - xs[c - 1]!) / 2 : x + 10;
  return [left, right];
}

/** Shades of a heat-map's colour ramp. */
const SHADES = 256;

/**
 * Draws the cells on uPlot's canvas, inside the plot area, in `errorColour` where non-finite.
 * `xs` are the chart's x values (one column each).
 */
export function drawHeatmap(
  u: uPlot,
  heat: HeatLayout,
  xs: readonly number[],
  diverging: boolean,
  errorColour: string,
): void {
  const ctx = u.ctx;
  ctx.save();
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  // Cells in 256 shades (finer than the eye can tell), drawn shade by shade: setting a canvas
  // colour per cell would cost more than drawing it (a 2,000-step training heat-map has tens of
  // thousands of cells).
  const shadeOf = (intensity: number | null): number =>
    intensity === null
      ? -1
      : Math.round((diverging ? (intensity + 1) / 2 : intensity) * (SHADES - 1));
  const byShade = new Map<number, HeatCell[]>();
  for (const cell of heat.cells) {
    const shade = shadeOf(cell.intensity);
    const list = byShade.get(shade);
    if (list) list.push(cell);
    else byShade.set(shade, [cell]);
  }
  for (const [shade, cells] of byShade) {
    ctx.fillStyle =
      shade < 0
        ? errorColour
        : diverging
          ? divergingColour((shade / (SHADES - 1)) * 2 - 1)
          : heatColour(shade / (SHADES - 1));
    for (const cell of cells) {
      const [x0, x1] = columnSpan(xs, cell.column);
      const left = u.valToPos(x0, 'x', true);
      const right = u.valToPos(x1, 'x', true);
      const top = u.valToPos(cell.hi, 'y', true);
      const bottom = u.valToPos(cell.lo, 'y', true);
      ctx.fillRect(
        Math.min(left, right),
        Math.min(top, bottom),
        // A hairline between wide columns (layers); none between narrow ones (steps).
        Math.abs(right - left) > 8
          ? Math.abs(right - left) - 1
          : Math.max(1, Math.abs(right - left) + 0.5),
        // A layer whose values are (nearly) all equal still shows as a visible band.
        Math.max(3, Math.abs(bottom - top)),
      );
    }
  }
  ctx.restore();
}

/** The sentence under a heat-map that says what its shading means. */
export function shadingText(heatmap: ChartHeatmap): string {
  const shared = heatmap.diverging ? undefined : heatmap.colorRange;
  const range = shared
    ? `from ${formatExact(shared.min)} to ${formatExact(shared.max)}, a scale shared with other charts.`
    : `from none to the ${heatmap.normalize === 'global' ? 'largest value' : 'largest value in each column'}.`;
  return `Shading: ${heatmap.label}, ${heatmap.logColor ? 'log scale, ' : ''}${range}`;
}
