import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../../src/backends/cpu/cpu-backend.ts';
import { runExperiment } from '../../src/engine/experiment.ts';
import { DEFAULT_SPEC, SpecError, type RunSpec } from '../../src/engine/spec.ts';
import { phaseDiagramSweep, type SweepPoint } from '../../src/engine/sweep.ts';
import {
  criticalSigmaW2,
  meanFieldTheory,
  predictGradientNorms,
  varianceMap,
} from '../../src/engine/theory.ts';
import {
  cellRange,
  countNonFinite,
  criticalCurve,
  criticalSeriesValues,
  defaultSweepControls,
  describeDepthScale,
  describeFixedPoint,
  gradientOverlay,
  gradientOverlayChart,
  heatmapColumns,
  jacobianPair,
  phaseChart,
  phaseGrid,
  sweepOptionsFor,
  sweepPoint,
  sweepPointSpec,
  theoryView,
  theoryViewOf,
  varianceMapChart,
  varianceSequenceChart,
  verticalLine,
  type PhaseGrid,
} from '../../src/ui/grad-theory/theory-data.ts';

const TANH: RunSpec = {
  ...DEFAULT_SPEC,
  activation: 'tanh',
  init: 'custom',
  sigmaW: 1.5,
  sigmaB: 0.1,
  depth: 6,
  width: 16,
  inputs: 16,
  batch: 8,
  backend: 'cpu64',
};

/** A point with a given measured ratio, the rest irrelevant to the shaping under test. */
function point(index: number, measuredLog10Ratio: number): SweepPoint {
  return { index, measuredLog10Ratio } as SweepPoint;
}

describe('theory view', () => {
  it('is computed once a spec for the figures of a page, and says why where it cannot be', () => {
    const first = theoryViewOf(TANH);
    expect(first.error).toBeNull();
    expect(first.view).toEqual(theoryView(TANH));
    // The same spec, a new object: the same view, not a second quadrature.
    expect(theoryViewOf({ ...TANH })).toBe(first);
    expect(theoryViewOf({ ...TANH, sigmaW: 1.2 }).view!.params.sigmaW).toBe(1.2);
    const bad = theoryViewOf({ ...TANH, sigmaW: -1 });
    expect(bad).toEqual({ view: null, error: 'sigma-w: got -1; allowed: a finite number > 0' });
    // The last few specs are kept, not every one a page ever showed.
    for (let i = 1; i <= 10; i++) theoryViewOf({ ...TANH, depth: i });
    expect(theoryViewOf({ ...TANH })).not.toBe(first);
    expect(theoryViewOf({ ...TANH })).toEqual(first);
  });

  it('evaluates the theory at the custom init’s own σ_w and predicts the spec’s depth', () => {
    const view = theoryView(TANH);
    const params = { activation: 'tanh' as const, alpha: 0, sigmaW: 1.5, sigmaB: 0.1 };
    expect(view.params).toEqual(params);
    expect(view.theory).toEqual(meanFieldTheory(params));
    expect(Array.from(view.prediction.layerwise)).toEqual(
      Array.from(predictGradientNorms(params, 6).layerwise),
    );
    expect(view.applies).toBe(true);
    expect(view.sigmaWSource).toContain('σ_w = 1.5');
  });

  it('uses the effective σ_w of other inits and says so, and refuses to predict with residual', () => {
    const view = theoryView({ ...DEFAULT_SPEC, init: 'he', activation: 'relu', residual: true });
    expect(view.params.sigmaW).toBeCloseTo(Math.SQRT2, 14);
    expect(view.sigmaWSource).toMatch(/effective σ_w = 1\.41421/);
    expect(view.applies).toBe(false);
    expect(view.caveats.join(' ')).toMatch(/Residual/);
    const overlay = gradientOverlay(view, fakeRun([4, 2, 1, 0.5, 0.25, 1, 1, 1, 1, 1, 3]));
    expect(gradientOverlayChart(view, overlay).series.map((s) => s.label)).toEqual([
      'measured ‖δ⁽ˡ⁾‖',
    ]);
  });

  it('describes the fixed point and the depth scale in words', () => {
    const zero = theoryView({ ...TANH, sigmaW: 0.8, sigmaB: 0 });
    expect(zero.theory.fixedPoint.kind).toBe('zero');
    expect(describeFixedPoint(zero.theory)).toMatch(/^zero: q⁽ˡ⁾ shrinks to 0/);
    expect(describeDepthScale(zero.theory)).toMatch(/layers: every ξ_∇ layers .* shrinks/);
    const divergent = theoryView({ ...TANH, activation: 'linear', sigmaW: 1.2, sigmaB: 0 });
    expect(describeFixedPoint(divergent.theory)).toMatch(/^divergent/);
    expect(describeDepthScale(divergent.theory)).toMatch(/grows by a factor e/);
  });

  it('draws V(q) against the identity with q* among the samples, where they cross', () => {
    const view = theoryView(TANH);
    const chart = varianceMapChart(view);
    const i = Array.from(chart.x).indexOf(view.theory.qStar);
    expect(i).toBeGreaterThan(0);
    expect(chart.series[0]!.values[i]).toBeCloseTo(view.theory.qStar, 12);
    expect(chart.series[0]!.values[3]).toBe(varianceMap(view.params, chart.x[3]!));
    const sequence = varianceSequenceChart(view);
    expect(Array.from(sequence.x)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sequence.series[1]!.values[0]).toBe(view.theory.qStar);
  });

  it('scales both predictions to the measured output-layer norm', () => {
    const view = theoryView(TANH);
    const measured = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 2];
    const overlay = gradientOverlay(view, fakeRun(measured));
    expect(overlay.outputNorm).toBe(2);
    for (let l = 0; l < 7; l++) {
      expect(overlay.layerwise[l]).toBe(view.prediction.layerwise[l]! * 2);
      expect(overlay.atFixedPoint[l]).toBe(view.prediction.atFixedPoint[l]! * 2);
    }
    expect(overlay.layerwise[6]).toBe(2);
  });
});

function fakeRun(gradNorm: number[]) {
  return {
    stats: { gradNorm: Float64Array.from(gradNorm), layerCount: gradNorm.length },
  } as unknown as Parameters<typeof gradientOverlay>[1];
}

describe('phase diagram shaping', () => {
  const grid: PhaseGrid = { sigmaW2: [0.5, 1, 2], sigmaB2: [0, 0.25] };

  it('makes one column per σ_w², σ_b² cells from the lowest up, centred on the grid values', () => {
    const points = [
      point(0, -1),
      point(1, 0),
      point(2, 1),
      point(3, -2),
      undefined,
      point(5, Infinity),
    ];
    const columns = heatmapColumns(grid, points);
    expect(columns).toHaveLength(3);
    expect(columns.map((c) => Array.from(c.values))).toEqual([
      [-1, -2],
      [0, NaN],
      [1, Infinity],
    ]);
    expect(columns[0]).toMatchObject({ lo: -0.125, hi: 0.375 });
    expect(countNonFinite(points)).toBe(1);
    expect(cellRange([0.3])).toEqual({ lo: 0.3, hi: 0.3 });
  });

  it('gives the page’s sweep the same points as the engine’s sweep, non-finite ones included', async () => {
    const options = sweepOptionsFor(TANH, {
      ...defaultSweepControls(TANH),
      sigmaW2Min: 0.5,
      sigmaW2Max: 40,
      sigmaW2Steps: 2,
      sigmaB2Steps: 2,
      depth: 6,
      width: 8,
    });
    expect(options.spec).toMatchObject({ init: 'custom', depth: 6, width: 8, inputs: 8, batch: 8 });
    const sweepGrid = phaseGrid(options);
    const backend = createCpuBackend('f64');
    const engine: SweepPoint[] = [];
    for await (const p of phaseDiagramSweep(options, backend)) engine.push(p);
    const page: SweepPoint[] = [];
    for (const [index, p] of engine.entries()) {
      const spec = sweepPointSpec(options, p.sigmaW2, p.sigmaB2);
      expect(spec).toEqual({
        ...options.spec,
        sigmaW: Math.sqrt(p.sigmaW2),
        sigmaB: Math.sqrt(p.sigmaB2),
      });
      page.push(sweepPoint(sweepGrid, index, spec, await runExperiment(spec, backend)));
    }
    expect(page).toEqual(engine);
    const chart = phaseChart(sweepGrid, page, null);
    expect(chart.heatmap!.diverging).toBe(true);
    expect(Array.from(chart.heatmap!.columns[1]!.values)).toEqual([
      engine[1]!.measuredLog10Ratio,
      engine[3]!.measuredLog10Ratio,
    ]);
  });

  it('rejects bad sweep settings naming the control', () => {
    const base = defaultSweepControls(TANH);
    const field = (controls: typeof base) => {
      try {
        sweepOptionsFor(TANH, controls);
      } catch (error) {
        return error instanceof SpecError ? error.field : 'other';
      }
      return null;
    };
    expect(field(base)).toBeNull();
    expect(field({ ...base, depth: 51 })).toBe('sweep-depth');
    expect(field({ ...base, width: 0.5 })).toBe('sweep-width');
    expect(field({ ...base, sigmaW2Min: 0 })).toBe('sigma-w2-min');
    expect(field({ ...base, sigmaB2Max: -1 })).toBe('sigma-b2-max');
    expect(field({ ...base, sigmaW2Steps: 65 })).toBe('sigma-w2-steps');
    expect(field({ ...base, sigmaW2Steps: 40, sigmaB2Steps: 20 })).toBe('sigma-w2-steps');
    // A residual, batch-normalized lab spec still sweeps the plain network the theory describes.
    const plain = sweepOptionsFor({ ...TANH, residual: true, batchnorm: true }, base);
    expect(plain.spec).toMatchObject({ residual: false, batchnorm: false });
  });
});

describe('critical line', () => {
  it('solves χ₁ = 1 for σ_b² at each σ_w² column, null where the line leaves the range', () => {
    const grid: PhaseGrid = { sigmaW2: [0.5, 1.2, 1.5, 2, 4.5], sigmaB2: [0, 0.1, 0.2, 0.3] };
    const curve = criticalCurve('tanh', undefined, grid);
    // σ_w² < 1 is ordered at every σ_b²; far right is chaotic at every σ_b² up to 0.3.
    expect(curve.sigmaB2[0]).toBeNull();
    expect(curve.sigmaB2[4]).toBeNull();
    for (const [i, sigmaB2] of curve.sigmaB2.entries()) {
      if (sigmaB2 === null) continue;
      expect(sigmaB2).toBeGreaterThanOrEqual(0);
      expect(sigmaB2).toBeLessThanOrEqual(0.3);
      const chi1 = meanFieldTheory({
        activation: 'tanh',
        sigmaW: Math.sqrt(grid.sigmaW2[i]!),
        sigmaB: Math.sqrt(sigmaB2),
      }).chi1;
      expect(chi1).toBeCloseTo(1, 10);
      // The same point found the engine's way round: σ_w² for this σ_b².
      const back = criticalSigmaW2('tanh', undefined, sigmaB2, { sigmaW2Min: 0.5, sigmaW2Max: 9 });
      expect(back).toBeCloseTo(grid.sigmaW2[i]!, 8);
    }
    expect(curve.sigmaB2.filter((v) => v !== null)).toHaveLength(3);
    // Increasing: more bias needs larger weights to reach the edge of chaos.
    expect(curve.sigmaB2[1]!).toBeLessThan(curve.sigmaB2[2]!);
    expect(curve.sigmaB2[2]!).toBeLessThan(curve.sigmaB2[3]!);
    // At σ_b² = 0 the edge of chaos is σ_w² = 1 (q* → 0 there, so the engine's search is ~1e-7).
    expect(curve.rows[0]!.sigmaW2).toBeCloseTo(1, 6);
    expect(curve.verticalAt).toBeNull();
    const values = criticalSeriesValues(curve);
    expect(values[0]).toBeNull();
    expect(values[2]).toBe(curve.sigmaB2[2]);
    expect(phaseChart(grid, [], curve).series[0]!.label).toBe('theory: χ₁ = 1');
  });

  it('reports ReLU’s line as vertical at σ_w² = 2, which no column can show', () => {
    const grid: PhaseGrid = { sigmaW2: [1, 1.5, 2.5, 3], sigmaB2: [0, 0.25, 0.5] };
    const curve = criticalCurve('relu', undefined, grid);
    expect(curve.sigmaB2).toEqual([null, null, null, null]);
    expect(curve.verticalAt).toBeCloseTo(2, 9);
    expect(verticalLine([{ sigmaW2: 1 }, { sigmaW2: 1.1 }])).toBeNull();
    expect(verticalLine([{ sigmaW2: 1 }, { sigmaW2: null }])).toBeNull();
  });
});

describe('jacobian pair', () => {
  it('compares the spec’s i.i.d. init with orthogonal weights of the same scale, square', () => {
    const pair = jacobianPair({ ...DEFAULT_SPEC, init: 'he', activation: 'relu' }, 32);
    expect(pair.gaussian).toMatchObject({ init: 'he', width: 32, inputs: 32, outputs: 32 });
    expect(pair.orthogonal).toMatchObject({ init: 'orthogonal', width: 32, outputs: 32 });
    expect(pair.orthogonal.gain).toBeCloseTo(Math.SQRT2, 14);
    const fromOrthogonal = jacobianPair({ ...DEFAULT_SPEC, init: 'orthogonal', gain: 1.5 }, 16);
    expect(fromOrthogonal.gaussian).toMatchObject({ init: 'custom', sigmaW: 1.5, gain: 1 });
    expect(fromOrthogonal.orthogonal).toMatchObject({ init: 'orthogonal', gain: 1.5, sigmaW: 1 });
  });

  it('rejects what the engine cannot compute, with its message', () => {
    expect(() => jacobianPair(DEFAULT_SPEC, 300)).toThrow(/width ≤ 256/);
    expect(() => jacobianPair({ ...DEFAULT_SPEC, batchnorm: true }, 64)).toThrow(/batchnorm/);
    expect(() => jacobianPair(DEFAULT_SPEC, 0)).toThrow(/jacobian-width/);
  });
});
