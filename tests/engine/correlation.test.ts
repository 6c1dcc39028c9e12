// The correlation map of the mean-field theory (src/engine/correlation.ts), its fixed point c*,
// χ_c and ξ_c (src/engine/theory.ts), and the 2-D Gaussian quadrature under them
// (bivariateGaussianRule in src/engine/quadrature.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../../src/engine/activations.ts';
import {
  activationJump,
  chaoticCorrelation,
  correlationMap,
  correlationMoments,
} from '../../src/engine/correlation.ts';
import {
  bivariateGaussianExpectation,
  bivariateGaussianRule,
  DEFAULT_BIVARIATE_ORDER,
} from '../../src/engine/quadrature.ts';
import { erf } from '../../src/engine/special.ts';
import {
  activationMoments,
  correlationLayer,
  correlationMapOf,
  meanFieldTheory,
  type MeanFieldParams,
} from '../../src/engine/theory.ts';

function relative(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
}

/** E[relu(x₁)relu(x₂)] for unit variances (Cho & Saul 2009, the degree-1 arc-cosine kernel). */
function arcCosine1(c: number): number {
  return (Math.sqrt((1 - c) * (1 + c)) + (Math.PI - Math.acos(c)) * c) / (2 * Math.PI);
}

/** E[step(x₁)step(x₂)] = P(x₁ > 0, x₂ > 0) (the degree-0 arc-cosine kernel). */
function arcCosine0(c: number): number {
  return (Math.PI - Math.acos(c)) / (2 * Math.PI);
}

const CORRELATIONS = [-1, -0.9, -0.3, 0, 0.2, 0.7, 0.99, 1 - 1e-9, 1];

describe('2-D Gaussian quadrature against closed forms', () => {
  it('E[x₁x₂] = c, E[x₁²x₂²] = 1 + 2c², and a constant to rounding', () => {
    for (const c of CORRELATIONS) {
      const rule = bivariateGaussianRule(c);
      expect(Math.abs(rule.expect((a, b) => a * b) - c), `c ${c}`).toBeLessThan(5e-15);
      expect(
        relative(
          rule.expect((a, b) => a * a * b * b),
          1 + 2 * c * c,
        ),
      ).toBeLessThan(1e-14);
      expect(Math.abs(rule.expect(() => 1) - 1)).toBeLessThan(5e-15);
    }
  });

  it('ReLU and step: the arc-cosine kernels of Cho & Saul, to 1e-15', () => {
    const relu = ACTIVATIONS.relu.forward;
    const step = ACTIVATIONS.step.forward;
    for (const c of CORRELATIONS) {
      const rule = bivariateGaussianRule(c);
      expect(
        Math.abs(rule.expect((a, b) => relu(a, 0) * relu(b, 0)) - arcCosine1(c)),
        `relu, c ${c}`,
      ).toBeLessThan(1e-15);
      expect(
        Math.abs(rule.expect((a, b) => step(a, 0) * step(b, 0)) - arcCosine0(c)),
        `step, c ${c}`,
      ).toBeLessThan(2e-15);
    }
  });

  it('E[erf(ax₁)erf(ax₂)] = (2/π)·arcsin(2a²c/(1 + 2a²)) (Williams 1997), also steep (a = 30)', () => {
    for (const a of [0.3, 1, 5, 30])
      for (const c of a === 30 ? [-0.3, 0.7, 1 - 1e-9] : CORRELATIONS) {
        const exact = (2 / Math.PI) * Math.asin((2 * a * a * c) / (1 + 2 * a * a));
        const value = bivariateGaussianExpectation(
          (x1, x2) => erf(a * x1) * erf(a * x2),
          c,
          Math.min(1, 1 / a),
        );
        expect(Math.abs(value - exact), `a ${a}, c ${c}`).toBeLessThan(3e-15);
      }
  });

  it('at c = ±1 it is the 1-D expectation of f(x, ±x)', () => {
    const tanh = (x: number): number => Math.tanh(3 * x);
    const oneD = activationMoments('tanh', undefined, 9).meanSquare;
    expect(
      relative(
        bivariateGaussianExpectation((a, b) => tanh(a) * tanh(b), 1, 1 / 3),
        oneD,
      ),
    ).toBeLessThan(1e-14);
    expect(
      relative(
        bivariateGaussianExpectation((a, b) => tanh(a) * tanh(b), -1, 1 / 3),
        -oneD,
      ),
    ).toBeLessThan(1e-14);
  });

  it('converges geometrically with the nodes per panel (kinked and smooth)', () => {
    const orders = [3, 4, 6, 8, 10, 12];
    const relu = ACTIVATIONS.relu.forward;
    const c = 0.4;
    const reluErrors = orders.map((order) =>
      Math.abs(
        bivariateGaussianRule(c, 1, order).expect((a, b) => relu(a, 0) * relu(b, 0)) -
          arcCosine1(c),
      ),
    );
    const erfExact = (2 / Math.PI) * Math.asin((18 * c) / 19);
    const erfErrors = orders.map((order) =>
      Math.abs(
        bivariateGaussianRule(c, 1 / 3, order).expect((a, b) => erf(3 * a) * erf(3 * b)) - erfExact,
      ),
    );
    for (const errors of [reluErrors, erfErrors]) {
      for (let i = 1; i < errors.length; i++)
        expect(errors[i], `${orders[i]} nodes after ${errors[i - 1]}`).toBeLessThan(
          Math.max(errors[i - 1]!, 1e-15),
        );
      expect(errors[0]).toBeGreaterThan(1e-7); // 3 nodes per panel are far from converged
      expect(errors.at(-1)).toBeLessThan(1e-14);
    }
    expect(DEFAULT_BIVARIATE_ORDER).toBeGreaterThan(12);
  });

  it('a rule without the kink on a ray (relu shifted off 0) converges only slowly: the split matters', () => {
    const shift = 0.3;
    // E[(x₁ − s)⁺(x₂ − s)⁺] has no elementary closed form: compare orders 12 and 16 instead.
    const shifted = (order: number): number =>
      bivariateGaussianRule(0.4, 1, order).expect(
        (a, b) => Math.max(a - shift, 0) * Math.max(b - shift, 0),
      );
    const onRay = (order: number): number =>
      bivariateGaussianRule(0.4, 1, order).expect((a, b) => Math.max(a, 0) * Math.max(b, 0));
    const shiftedChange = Math.abs(shifted(12) - shifted(16));
    const onRayChange = Math.abs(onRay(12) - onRay(16));
    expect(shiftedChange).toBeGreaterThan(1e3 * Math.max(onRayChange, 1e-17));
  });

  it('rejects a correlation outside [−1, 1] and a bad feature scale', () => {
    expect(() => bivariateGaussianRule(1.01)).toThrow(/correlation/);
    expect(() => bivariateGaussianRule(Number.NaN)).toThrow(/correlation/);
    expect(() => bivariateGaussianRule(0.5, 0)).toThrow(/featureScale/);
  });
});

describe('the correlation map', () => {
  it('ReLU: C(c) = (σ_w²q*·κ₁(c) + σ_b²)/q* and C′(c) = σ_w²(π − arccos c)/(2π), κ₁ the arc-cosine kernel', () => {
    const params: MeanFieldParams = { activation: 'relu', sigmaW: 1.2, sigmaB: 0.3 };
    const { qStar } = meanFieldTheory(params);
    for (const c of CORRELATIONS) {
      const point = correlationMapOf(params, c);
      const value = (1.44 * qStar * arcCosine1(c) + 0.09) / qStar;
      expect(Math.abs(point.value - value), `c ${c}`).toBeLessThan(2e-15);
      expect(Math.abs(point.slope - 1.44 * arcCosine0(c))).toBeLessThan(4e-15);
    }
    // E[relu(u₁)relu(u₂)] = q/(2π)·(√(1 − c²) + (π − arccos c)·c) at any variance q.
    for (const q of [1e-6, 0.5, 40])
      expect(
        relative(correlationMoments('relu', 0, q, 0.35).productMean, q * arcCosine1(0.35)),
      ).toBeLessThan(1e-14);
  });

  it('step: the jump puts a δ into φ′, so C′(c) = σ_w²/(2π√(1 − c²))/q* (infinite at c = 1)', () => {
    const params: MeanFieldParams = { activation: 'step', sigmaW: 1.5, sigmaB: 0.1 };
    const { qStar } = meanFieldTheory(params);
    expect(activationJump('step', 0)).toBe(1);
    for (const name of ['tanh', 'relu', 'elu', 'gelu', 'linear'] as const)
      expect(activationJump(name, 1)).toBe(0);
    for (const c of [-0.5, 0, 0.6, 0.95]) {
      const point = correlationMapOf(params, c);
      expect(Math.abs(point.value - (2.25 * arcCosine0(c) + 0.01) / qStar)).toBeLessThan(2e-15);
      expect(
        relative(point.slope, 2.25 / (2 * Math.PI * Math.sqrt(1 - c * c)) / qStar),
      ).toBeLessThan(1e-14);
    }
    expect(correlationMapOf(params, 1).slope).toBe(Infinity);
  });

  it('C(1) = 1 at q* and C′(1) = χ₁ (Poole et al. eq. 7)', () => {
    for (const [activation, sigmaW, sigmaB] of [
      ['tanh', 2, 0.3],
      ['sigmoid', 4, 0.5],
      ['elu', 1.2, 0.1],
      ['gelu', 1.2, 0.2],
    ] as const) {
      const params = { activation, sigmaW, sigmaB };
      const theory = meanFieldTheory(params);
      const atOne = correlationMapOf(params, 1);
      expect(Math.abs(atOne.value - 1), activation).toBeLessThan(1e-14);
      expect(relative(atOne.slope, theory.chi1), activation).toBeLessThan(1e-14);
    }
  });

  it('tanh: map, slope, q*, c* and χ_c agree with the numpy/scipy reference (tests/fixtures/correlation.json)', () => {
    const fixture = JSON.parse(
      readFileSync(new URL('../fixtures/correlation.json', import.meta.url), 'utf8'),
    ) as {
      cases: {
        sigmaW2: number;
        sigmaB2: number;
        qStar: number;
        chi1: number;
        cStar: number;
        chiC: number;
        map: { c: number; value: number; slope: number }[];
      }[];
    };
    expect(fixture.cases).toHaveLength(4);
    for (const reference of fixture.cases) {
      const label = `σ_w² ${reference.sigmaW2}, σ_b² ${reference.sigmaB2}`;
      const params = {
        activation: 'tanh' as const,
        sigmaW: Math.sqrt(reference.sigmaW2),
        sigmaB: Math.sqrt(reference.sigmaB2),
      };
      const theory = meanFieldTheory(params);
      expect(relative(theory.qStar, reference.qStar), label).toBeLessThan(1e-13);
      expect(relative(theory.chi1, reference.chi1), label).toBeLessThan(1e-13);
      // Near criticality (σ_w² = 1.77, 1 − χ_c = 0.0019) c* is only conditioned to 1e-15/(1 − χ_c).
      const cTolerance = 1e-15 / (1 - reference.chiC) + 1e-14;
      expect(Math.abs(theory.cStar - reference.cStar), label).toBeLessThan(cTolerance);
      expect(relative(theory.chiC, reference.chiC), label).toBeLessThan(1e-12);
      for (const { c, value, slope } of reference.map) {
        const point = correlationMapOf(params, c);
        expect(Math.abs(point.value - value), `${label}, c ${c}`).toBeLessThan(1e-13);
        expect(Math.abs(point.slope - slope), `${label}, c ${c}`).toBeLessThan(1e-13);
      }
    }
  });

  it('rejects a correlation outside [−1, 1] naming it, and a variance ≤ 0', () => {
    expect(() => correlationMapOf({ activation: 'tanh', sigmaW: 1, sigmaB: 0 }, 2)).toThrow(
      /correlation/,
    );
    expect(() => correlationMoments('tanh', 0, 0, 0.5)).toThrow(/variance/);
  });
});

describe('the correlation fixed point c*, χ_c and ξ_c', () => {
  it('ordered phase: c* = 1, χ_c = χ₁ and ξ_c = ξ_∇, for every activation with a finite q*', () => {
    for (const [activation, sigmaW, sigmaB] of [
      ['tanh', 1, 0.5],
      ['sigmoid', 4, 0.2],
      ['relu', 1.2, 0.3],
      ['leaky_relu', 1.2, 0.3],
      ['elu', 1.1, 0.2],
      ['gelu', 1.2, 0.2],
      ['softplus', 0.8, 0.1],
      ['linear', 0.9, 0.3],
    ] as const) {
      const theory = meanFieldTheory({ activation, sigmaW, sigmaB });
      expect(theory.phase, activation).toBe('ordered');
      expect(theory.fixedPoint.kind, activation).toBe('finite');
      expect(theory.cStar, activation).toBe(1);
      expect(theory.chiC, activation).toBe(theory.chi1);
      expect(theory.depthScales.correlation, activation).toBe(theory.depthScale);
    }
  });

  it('chaotic tanh at σ_w² = 4, σ_b² = 0.05: c* < 1 is a fixed point, χ_c = C′(c*) < 1, ξ_c finite', () => {
    const params = { activation: 'tanh' as const, sigmaW: 2, sigmaB: Math.sqrt(0.05) };
    const theory = meanFieldTheory(params);
    expect(theory.phase).toBe('chaotic');
    expect(theory.cStar).toBeGreaterThan(0.1);
    expect(theory.cStar).toBeLessThan(0.3);
    const point = correlationMapOf(params, theory.cStar);
    expect(Math.abs(point.value - theory.cStar)).toBeLessThan(1e-15);
    expect(point.slope).toBe(theory.chiC);
    expect(theory.chiC).toBeLessThan(1);
    const xiC = theory.depthScales.correlation;
    expect(Number.isFinite(xiC)).toBe(true);
    expect(xiC).toBe(-1 / Math.log(theory.chiC));
    // Stable: a correlation near c* moves toward it by the factor χ_c per layer.
    const next = correlationMapOf(params, theory.cStar + 1e-4).value - theory.cStar;
    expect(relative(next, theory.chiC * 1e-4)).toBeLessThan(1e-3);
    // Newton from c = 0 on the convex map: few steps.
    expect(chaoticCorrelation(correlationLayer(params)).iterations).toBeLessThanOrEqual(8);
  });

  it('c* rises to 1 and ξ_c grows without bound as σ_w² falls to the critical line', () => {
    const sigmaB = Math.sqrt(0.05);
    const points = [4, 2.5, 2, 1.8, 1.765].map((sigmaW2) =>
      meanFieldTheory({ activation: 'tanh', sigmaW: Math.sqrt(sigmaW2), sigmaB }),
    );
    for (let i = 1; i < points.length; i++) {
      expect(points[i]!.phase).toBe('chaotic');
      expect(points[i]!.cStar).toBeGreaterThan(points[i - 1]!.cStar);
      expect(points[i]!.depthScales.correlation).toBeGreaterThan(
        points[i - 1]!.depthScales.correlation,
      );
    }
    expect(points.at(-1)!.cStar).toBeGreaterThan(0.99);
    expect(points.at(-1)!.depthScales.correlation).toBeGreaterThan(1000);
  });

  it('critical: c* = 1, χ_c = 1 and ξ_c = Infinity', () => {
    const theory = meanFieldTheory({ activation: 'tanh', sigmaW: 1, sigmaB: 0 });
    expect(theory.phase).toBe('critical');
    expect(theory.cStar).toBe(1);
    expect(theory.depthScales.correlation).toBe(Infinity);
  });

  it('q⁽ˡ⁾ → 0 or ∞: the limit map has C′(1) = 1, so c* = 1 and ξ_c = Infinity whatever χ₁ is', () => {
    for (const params of [
      { activation: 'relu', sigmaW: 1.2, sigmaB: 0 }, // zero, ordered: κ₁(c)/π at every q
      { activation: 'tanh', sigmaW: 0.8, sigmaB: 0 }, // zero, ordered: linear near 0
      { activation: 'relu', sigmaW: 1.6, sigmaB: 0.3 }, // divergent, chaotic
      { activation: 'elu', sigmaW: 2, sigmaB: 0.1 }, // divergent, chaotic
      { activation: 'linear', sigmaW: 1.1, sigmaB: 0.1 }, // divergent, chaotic
    ] as const) {
      const theory = meanFieldTheory(params);
      const label = `${params.activation} σ_w ${params.sigmaW} σ_b ${params.sigmaB}`;
      expect(theory.fixedPoint.kind, label).not.toBe('finite');
      expect(theory.cStar, label).toBe(1);
      expect(Math.abs(theory.chiC - 1), label).toBeLessThan(1e-12);
      expect(theory.depthScales.correlation, label).toBe(Infinity);
    }
    // ReLU's limit map is κ₁(c)/κ₁(1), independent of σ_w: the arc-cosine kernel again.
    const limit = correlationMapOf({ activation: 'relu', sigmaW: 1.6, sigmaB: 0.3 }, 0.3);
    expect(Math.abs(limit.value - arcCosine1(0.3) / arcCosine1(1))).toBeLessThan(1e-14);
  });

  it('step: no gradient (χ₁ = 0, ordered) but inputs decorrelate: c* < 1 with a finite ξ_c', () => {
    const params = { activation: 'step' as const, sigmaW: 1.5, sigmaB: 0.1 };
    const theory = meanFieldTheory(params);
    expect(theory.chi1).toBe(0);
    expect(theory.phase).toBe('ordered');
    expect(theory.cStar).toBeLessThan(1);
    // The closed-form map at c*: (σ_w²·(π − arccos c*)/(2π) + σ_b²)/q* = c*.
    expect(
      Math.abs((2.25 * arcCosine0(theory.cStar) + 0.01) / theory.qStar - theory.cStar),
    ).toBeLessThan(1e-14);
    expect(
      relative(theory.chiC, 2.25 / (2 * Math.PI * Math.sqrt(1 - theory.cStar ** 2)) / theory.qStar),
    ).toBeLessThan(1e-13);
    expect(theory.depthScales.correlation).toBe(-1 / Math.log(theory.chiC));
  });

  it('correlationMap uses the layer given: at q* it is divided by q*', () => {
    const params = { activation: 'tanh' as const, sigmaW: 2, sigmaB: 0.3 };
    const layer = correlationLayer(params);
    const theory = meanFieldTheory(params);
    expect(layer.q).toBe(theory.qStar);
    expect(layer.nextVariance).toBe(theory.qStar);
    expect(correlationMap(layer, 0.5)).toEqual(correlationMapOf(params, 0.5));
  });
});
