import { describe, expect, it } from 'vitest';
import { formatTick, prepareChartData, undrawnNote } from '../../src/ui/grad-chart/chart-data.ts';

describe('chart data', () => {
  it('builds uPlot columns and turns undrawable points into counted gaps', () => {
    const prepared = prepareChartData(
      {
        x: [1, 2, 3, 4],
        series: [
          { label: 'a', values: [1, Infinity, NaN, 0] },
          { label: 'b', values: new Float64Array([2, 3, -1, 5]) },
        ],
      },
      true,
    );
    expect(prepared.columns).toEqual([
      [1, 2, 3, 4],
      [1, null, null, null],
      [2, 3, null, 5],
    ]);
    expect(prepared.nonFinite).toBe(2);
    expect(prepared.nonPositive).toBe(2);
    expect(undrawnNote(prepared)).toBe(
      '2 non-finite values (overflow) not drawn; 2 zero values not drawn on the log scale.',
    );
  });

  it('keeps zeros and negatives on a linear axis and says nothing when all is drawn', () => {
    const prepared = prepareChartData(
      { x: [0, 1], series: [{ label: 'a', values: [0, -2] }] },
      false,
    );
    expect(prepared.columns[1]).toEqual([0, -2]);
    expect(undrawnNote(prepared)).toBe('');
  });

  it('writes decades as powers of ten, and other ticks plain or as m×10ⁿ', () => {
    const log = (value: number) => formatTick(value, true);
    expect(log(1e-5)).toBe('10⁻⁵');
    expect(log(0.01)).toBe('10⁻²');
    expect(log(1)).toBe('1');
    expect(log(10)).toBe('10');
    expect(log(1e6)).toBe('10⁶');
    expect(log(1e-300)).toBe('10⁻³⁰⁰');
    // A linear axis keeps its decimals: 0.1 beside 0.2, not 10⁻¹.
    expect(formatTick(0.1)).toBe('0.1');
    expect(formatTick(1e-5)).toBe('10⁻⁵');
    expect(formatTick(250)).toBe('250');
    expect(formatTick(0.25)).toBe('0.25');
    expect(formatTick(-0.5)).toBe('−0.5');
    expect(formatTick(2.5e-7)).toBe('2.5×10⁻⁷');
    expect(formatTick(3e5)).toBe('3×10⁵');
    expect(formatTick(0)).toBe('0');
    expect(formatTick(Number.NaN)).toBe('');
  });

  it('ends a shorter series without calling the missing points overflow', () => {
    const prepared = prepareChartData(
      { x: [1, 2, 3], series: [{ label: 'depth 1', values: [0.5] }] },
      true,
    );
    expect(prepared.columns[1]).toEqual([0.5, null, null]);
    expect(prepared.nonFinite).toBe(0);
    expect(undrawnNote(prepared)).toBe('');
  });
});
