/**
 * Grouped bars for <grad-chart kind="bars">: one group per x value, one bar per series, side by
 * side. A uPlot path builder, so bars share the chart's scales, cursor and legend with lines.
 */
import type uPlot from 'uplot';

/** Where bar `slot` of `slots` sits in a group `group` pixels wide centred on x. */
export function barRect(
  x: number,
  group: number,
  slot: number,
  slots: number,
): { left: number; width: number } {
  const width = group / slots;
  return { left: x - group / 2 + slot * width + width * 0.05, width: width * 0.9 };
}

export function groupedBars(slots: number, logY: boolean): uPlot.Series.PathBuilder {
  return (u, seriesIdx, idx0, idx1) => {
    const xs = u.data[0] as number[];
    const ys = u.data[seriesIdx] as (number | null)[];
    const px = (v: number) => u.valToPos(v, 'x', true);
    let spacing = Infinity;
    for (let i = 1; i < xs.length; i++)
      spacing = Math.min(spacing, Math.abs(px(xs[i]!) - px(xs[i - 1]!)));
    if (!Number.isFinite(spacing)) spacing = u.bbox.width / 3;
    const group = spacing * 0.8;
    const bottom = u.bbox.top + u.bbox.height;
    const yMin = u.scales.y!.min ?? 0;
    const base = logY || yMin > 0 ? bottom : Math.min(bottom, u.valToPos(0, 'y', true));
    const fill = new Path2D();
    for (let i = idx0; i <= idx1; i++) {
      const v = ys[i];
      if (v === null || v === undefined) continue;
      const top = u.valToPos(v, 'y', true);
      const { left, width } = barRect(px(xs[i]!), group, seriesIdx - 1, slots);
      fill.rect(left, Math.min(top, base), width, Math.max(1, Math.abs(base - top)));
    }
    return { stroke: fill, fill };
  };
}
