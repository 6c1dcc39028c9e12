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

  it('formats log-axis ticks across decades', () => {
    expect(formatTick(1e-5)).toBe('1e-5');
    expect(formatTick(0.01)).toBe('0.01');
    expect(formatTick(250)).toBe('250');
    expect(formatTick(1e6)).toBe('1e6');
    expect(formatTick(0)).toBe('0');
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
