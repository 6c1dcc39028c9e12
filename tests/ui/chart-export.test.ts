import { describe, expect, it } from 'vitest';
import {
  chartToCsv,
  chartToJson,
  fileStem,
  heatmapToCsv,
} from '../../src/ui/grad-chart/chart-export.ts';
import { barRect } from '../../src/ui/grad-chart/bars.ts';
import { formatExact } from '../../src/ui/grad-chart/chart-data.ts';
import {
  columnSpan,
  heatColour,
  layoutHeatmap,
  shadingText,
} from '../../src/ui/grad-chart/heatmap.ts';

const meta = { title: 'Gradient norm, per layer', xLabel: 'layer', yLabel: 'norm' };

describe('chart export', () => {
  it('writes the series as a wide CSV, keeping non-finite values visible', () => {
    const csv = chartToCsv(
      {
        x: [1, 2, 3],
        series: [
          { label: 'depth 3', values: [0.5, Infinity, NaN] },
          { label: 'a, "quoted" label', values: new Float64Array([1e-30, 0, -2]) },
        ],
      },
      meta,
    );
    expect(csv).toBe('layer,depth 3,"a, ""quoted"" label"\n1,0.5,1e-30\n2,Infinity,0\n3,NaN,-2\n');
  });

  it('writes JSON with labels, and non-finite numbers as strings rather than null', () => {
    const parsed = JSON.parse(
      chartToJson({ x: [1, 2], series: [{ label: 's', values: [-Infinity, 3] }] }, meta),
    );
    expect(parsed).toEqual({
      title: meta.title,
      xLabel: 'layer',
      yLabel: 'norm',
      x: [1, 2],
      series: [{ label: 's', values: ['-Infinity', 3] }],
    });
  });

  it('writes heat-map cells in long form with their y ranges', () => {
    const csv = heatmapToCsv(
      {
        x: [1, 2],
        series: [],
        heatmap: {
          label: 'count',
          columns: [
            { lo: 0, hi: 1, values: [3, 1] },
            { lo: -1, hi: 1, values: [0, 4] },
          ],
        },
      },
      meta,
    );
    expect(csv).toBe('layer,y_lo,y_hi,count\n1,0,0.5,3\n1,0.5,1,1\n2,-1,0,0\n2,0,1,4\n');
  });

  it('makes file names from titles', () => {
    expect(fileStem('Gradient norm per layer (input side first)')).toBe(
      'gradient-norm-per-layer-input-side-first',
    );
    expect(fileStem('‖δ‖')).toBe('chart');
  });
});

describe('heat-map layout', () => {
  it('says what the shading means: per column, global, log, or a range shared with other charts', () => {
    const columns = [{ lo: 0, hi: 1, values: [1] }];
    expect(shadingText({ label: 'count', columns })).toBe(
      'Shading: count, from none to the largest value in each column.',
    );
    expect(
      shadingText({ label: 'update ratio', columns, normalize: 'global', logColor: true }),
    ).toBe('Shading: update ratio, log scale, from none to the largest value.');
    expect(
      shadingText({ label: 'norm', columns, logColor: true, colorRange: { min: 0.001, max: 2 } }),
    ).toBe(
      `Shading: norm, log scale, from ${formatExact(0.001)} to ${formatExact(2)}, a scale shared with other charts.`,
    );
    // A diverging map has its own scale, symmetric about 0, whatever range it is given.
    expect(
      shadingText({ label: 'ratio', columns, diverging: true, colorRange: { min: 0, max: 1 } }),
    ).toBe('Shading: ratio, from none to the largest value in each column.');
  });

  it('scales each column to its own maximum and leaves empty cells out', () => {
    const layout = layoutHeatmap({
      label: 'count',
      columns: [
        { lo: 0, hi: 4, values: [0, 2, 4, 1] },
        { lo: -2, hi: 2, values: [5, 0] },
      ],
    });
    expect(layout.yMin).toBe(-2);
    expect(layout.yMax).toBe(4);
    expect(layout.cells).toEqual([
      { column: 0, lo: 1, hi: 2, intensity: 0.5 },
      { column: 0, lo: 2, hi: 3, intensity: 1 },
      { column: 0, lo: 3, hi: 4, intensity: 0.25 },
      { column: 1, lo: -2, hi: 0, intensity: 1 },
    ]);
  });

  it('scales globally, or by log, when asked', () => {
    const columns = [
      { lo: 0, hi: 1, values: [1] },
      { lo: 0, hi: 1, values: [100] },
    ];
    const global = layoutHeatmap({ label: 'v', columns, normalize: 'global' });
    expect(global.cells.map((c) => c.intensity)).toEqual([0.01, 1]);
    const log = layoutHeatmap({ label: 'v', columns, normalize: 'global', logColor: true });
    expect(log.cells.map((c) => c.intensity)).toEqual([0, 1]);
  });

  it('draws a single-valued column (a dead layer) as one thin cell and flags non-finite cells', () => {
    const layout = layoutHeatmap({
      label: 'count',
      columns: [
        { lo: 0, hi: 0, values: [8, 0] },
        { lo: 0, hi: 2, values: [NaN, 1] },
      ],
    });
    expect(layout.nonFinite).toBe(1);
    const dead = layout.cells.filter((c) => c.column === 0);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.lo).toBeLessThan(0);
    expect(dead[0]!.hi).toBeGreaterThan(0);
    expect(layout.cells.find((c) => c.column === 1 && c.intensity === null)).toBeDefined();
  });

  it('spans columns halfway to their neighbours', () => {
    expect(columnSpan([1, 2, 4], 0)).toEqual([0.5, 1.5]);
    expect(columnSpan([1, 2, 4], 1)).toEqual([1.5, 3]);
    expect(columnSpan([1, 2, 4], 2)).toEqual([3, 5]);
  });

  it('maps intensity onto the colour ramp, clamped', () => {
    expect(heatColour(0)).toBe('rgb(68, 1, 84)');
    expect(heatColour(1)).toBe('rgb(253, 231, 37)');
    expect(heatColour(2)).toBe(heatColour(1));
  });
});

describe('grouped bars and legend values', () => {
  it('places bars side by side within their group', () => {
    const a = barRect(100, 40, 0, 2);
    const b = barRect(100, 40, 1, 2);
    expect(a.left).toBeCloseTo(81);
    expect(b.left).toBeCloseTo(101);
    expect(a.width).toBeCloseTo(18);
  });

  it('reads exact values in the legend', () => {
    expect(formatExact(0.123456789)).toBe('0.123457');
    expect(formatExact(1.5e-12)).toBe('1.50000e-12');
    expect(formatExact(Infinity)).toBe('Infinity');
    expect(formatExact(null)).toBe('—');
  });
});

describe('diverging heat-maps', () => {
  it('scales signed values symmetrically, keeping zeros, with the neutral colour at 0', async () => {
    const { divergingColour } = await import('../../src/ui/grad-chart/heatmap.ts');
    const layout = layoutHeatmap({
      label: 'log ratio',
      diverging: true,
      columns: [{ lo: 0, hi: 3, values: [-4, 0, 2] }],
    });
    expect(layout.maxAbs).toBe(4);
    expect(layout.cells.map((c) => c.intensity)).toEqual([-1, 0, 0.5]);
    expect(divergingColour(0)).toBe('rgb(230, 230, 230)');
    expect(divergingColour(-1)).toBe('rgb(33, 102, 172)');
  });
});
