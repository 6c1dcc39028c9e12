import { describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES, ACTIVATIONS, resolveAlpha } from '../../src/engine/activations.ts';
import { DEFAULT_SPEC } from '../../src/engine/spec.ts';
import {
  activationMoments,
  criticalSigmaW2,
  effectiveSigmaW,
  fixedPoint,
  gradientFactor,
  meanFieldTheory,
  predictGradientNorms,
  varianceMap,
  varianceSequence,
} from '../../src/engine/theory.ts';

function relative(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
}

describe('ReLU closed forms', () => {
  it('χ₁ = σ_w²/2 for every σ_w and σ_b', () => {
    for (const sigmaW of [0.5, 1, Math.SQRT2, 1.7, 2, 3])
      for (const sigmaB of [0, 0.1, 1]) {
        const { chi1 } = meanFieldTheory({ activation: 'relu', sigmaW, sigmaB });
        expect(relative(chi1, (sigmaW * sigmaW) / 2), `σ_w ${sigmaW}, σ_b ${sigmaB}`).toBeLessThan(
          1e-15,
        );
      }
    expect(meanFieldTheory({ activation: 'relu', sigmaW: 2, sigmaB: 0 }).chi1).toBe(2);
  });

  it('the variance map is q′ = σ_w²q/2 + σ_b²', () => {
    for (const q of [1e-8, 0.3, 1, 50, 1e6])
      for (const [sigmaW, sigmaB] of [
        [1, 0],
        [1.3, 0.4],
        [3, 2],
      ] as const)
        expect(
          relative(
            varianceMap({ activation: 'relu', sigmaW, sigmaB }, q),
            (sigmaW ** 2 * q) / 2 + sigmaB ** 2,
          ),
        ).toBeLessThan(1e-14);
  });

  it('q* = σ_b²/(1 − σ_w²/2) below σ_w² = 2; zero at σ_b = 0; no finite q* at and above σ_w² = 2', () => {
    const finite = fixedPoint({ activation: 'relu', sigmaW: 1.2, sigmaB: 0.3 });
    expect(finite.kind).toBe('finite');
    expect(relative(finite.qStar, 0.09 / (1 - 0.72))).toBeLessThan(1e-13);
    expect(fixedPoint({ activation: 'relu', sigmaW: 1.2, sigmaB: 0 })).toMatchObject({
      kind: 'zero',
      qStar: 0,
    });
    const divergent = meanFieldTheory({ activation: 'relu', sigmaW: 2, sigmaB: 0 });
    expect(divergent.fixedPoint.kind).toBe('divergent');
    expect(divergent.qStar).toBe(Infinity);
    expect(divergent.phase).toBe('chaotic');
    expect(fixedPoint({ activation: 'relu', sigmaW: Math.SQRT2, sigmaB: 0.1 }).kind).toBe(
      'divergent',
    );
  });

  it('leaky ReLU: χ₁ = σ_w²(1 + α²)/2', () => {
    for (const alpha of [0.01, 0.2, 1]) {
      const { chi1 } = meanFieldTheory({
        activation: 'leaky_relu',
        alpha,
        sigmaW: 1.3,
        sigmaB: 0.2,
      });
      expect(relative(chi1, (1.69 * (1 + alpha * alpha)) / 2)).toBeLessThan(1e-14);
    }
  });
});

describe('linear closed forms', () => {
  it('q* is the geometric series σ_b²(1 + σ_w² + σ_w⁴ + …) = σ_b²/(1 − σ_w²) for σ_w < 1', () => {
    for (const [sigmaW, sigmaB] of [
      [0.5, 1],
      [0.9, 0.3],
      [0.99, 0.01],
    ] as const) {
      const theory = meanFieldTheory({ activation: 'linear', sigmaW, sigmaB });
      expect(theory.fixedPoint.kind).toBe('finite');
      expect(relative(theory.qStar, sigmaB ** 2 / (1 - sigmaW ** 2))).toBeLessThan(1e-13);
      expect(relative(theory.chi1, sigmaW ** 2)).toBeLessThan(1e-15);
      expect(relative(theory.depthScale, -1 / Math.log(sigmaW ** 2))).toBeLessThan(1e-13);
    }
  });

  it('the variance sequence is the partial sums: q⁽ˡ⁾ = σ_w^{2(l−1)}q⁽¹⁾ + σ_b²(1 − σ_w^{2(l−1)})/(1 − σ_w²)', () => {
    const sigmaW = 0.8;
    const sigmaB = 0.5;
    const sequence = varianceSequence(
      { activation: 'linear', sigmaW, sigmaB, inputMeanSquare: 2 },
      30,
    );
    const first = sigmaW ** 2 * 2 + sigmaB ** 2;
    expect(sequence[0]).toBe(first);
    sequence.forEach((q, i) => {
      const power = sigmaW ** (2 * i);
      expect(
        relative(q, power * first + (sigmaB ** 2 * (1 - power)) / (1 - sigmaW ** 2)),
      ).toBeLessThan(1e-13);
    });
  });

  it('says so when there is no finite fixed point (σ_w > 1, or σ_w = 1 with σ_b > 0)', () => {
    for (const [sigmaW, sigmaB] of [
      [1.1, 0],
      [1.1, 0.1],
      [1, 0.1],
    ] as const) {
      const theory = meanFieldTheory({ activation: 'linear', sigmaW, sigmaB });
      expect(theory.fixedPoint.kind, `σ_w ${sigmaW}, σ_b ${sigmaB}`).toBe('divergent');
      expect(theory.qStar).toBe(Infinity);
      expect(Number.isNaN(theory.fixedPoint.slope)).toBe(true);
      expect(relative(theory.chi1, sigmaW ** 2)).toBeLessThan(1e-15);
    }
  });

  it('at σ_w = 1, σ_b = 0 every q is fixed: q* = q⁽¹⁾, critical, infinite depth scales', () => {
    const theory = meanFieldTheory({
      activation: 'linear',
      sigmaW: 1,
      sigmaB: 0,
      inputMeanSquare: 1.7,
    });
    expect(theory.qStar).toBe(1.7);
    expect(theory.phase).toBe('critical');
    expect(theory.depthScale).toBe(Infinity);
    expect(theory.depthScales).toMatchObject({
      gradient: Infinity,
      gradientTrend: 'critical',
      correlation: Infinity,
      variance: Infinity,
    });
  });
});

describe('tanh', () => {
  it('at σ_b = 0 and σ_w ≤ 1, q* = 0 and χ₁ = σ_w²: critical exactly at σ_w = 1', () => {
    for (const sigmaW of [0.5, 0.9, 1]) {
      const theory = meanFieldTheory({ activation: 'tanh', sigmaW, sigmaB: 0 });
      expect(theory.fixedPoint.kind).toBe('zero');
      expect(theory.qStar).toBe(0);
      expect(relative(theory.chi1, sigmaW * sigmaW)).toBeLessThan(1e-15);
    }
    expect(meanFieldTheory({ activation: 'tanh', sigmaW: 1, sigmaB: 0 }).phase).toBe('critical');
    expect(meanFieldTheory({ activation: 'tanh', sigmaW: 0.9, sigmaB: 0 }).phase).toBe('ordered');
  });

  it('at σ_b = 0 and σ_w > 1 there is a q* > 0 and the network is chaotic (Poole et al. fig. 2)', () => {
    const theory = meanFieldTheory({ activation: 'tanh', sigmaW: 1.5, sigmaB: 0 });
    expect(theory.fixedPoint.kind).toBe('finite');
    expect(theory.qStar).toBeGreaterThan(0.1);
    expect(theory.chi1).toBeGreaterThan(1);
    expect(theory.depthScales.gradientTrend).toBe('exploding');
    // Odd φ and no bias: C(0) = 0, so independent inputs stay uncorrelated: c* = 0.
    expect(Math.abs(theory.cStar)).toBeLessThan(1e-14);
    expect(theory.chiC).toBeLessThan(1);
    expect(relative(theory.depthScales.correlation, -1 / Math.log(theory.chiC))).toBeLessThan(
      1e-15,
    );
  });

  it('the critical line passes (σ_w², σ_b²) = (1.76, 0.05) (Schoenholz et al. 2017) and (1, 0)', () => {
    const at005 = criticalSigmaW2('tanh', undefined, 0.05, { sigmaW2Min: 0.5, sigmaW2Max: 5 })!;
    expect(at005).toBeCloseTo(1.76, 2);
    const chi1 = meanFieldTheory({
      activation: 'tanh',
      sigmaW: Math.sqrt(at005),
      sigmaB: Math.sqrt(0.05),
    }).chi1;
    expect(Math.abs(chi1 - 1)).toBeLessThan(1e-9);
    expect(criticalSigmaW2('tanh', undefined, 0, { sigmaW2Min: 0.5, sigmaW2Max: 5 })).toBeCloseTo(
      1,
      6,
    );
  });
});

describe('the fixed-point solver', () => {
  const points = [
    ['tanh', 1.5, 0.3],
    ['tanh', 4, 1],
    ['sigmoid', 1, 0],
    ['sigmoid', 4, 0.5],
    ['gelu', 1.2, 0.2],
    ['gelu_tanh', 1.2, 0.2],
    ['silu', 1.5, 0.4],
    ['softplus', 0.8, 0.1],
    ['elu', 1.2, 0.1],
    ['leaky_relu', 1.2, 0.2],
    ['step', 1.5, 0.1],
  ] as const;

  it('agrees with plain iteration of the variance map, and V(q*) = q*', () => {
    for (const [activation, sigmaW, sigmaB] of points) {
      const params = { activation, sigmaW, sigmaB };
      const { qStar, kind } = fixedPoint(params);
      expect(kind, activation).toBe('finite');
      let q = sigmaW ** 2 + sigmaB ** 2;
      for (let i = 0; i < 1500; i++) q = varianceMap(params, q);
      expect(relative(qStar, q), `${activation} σ_w ${sigmaW} σ_b ${sigmaB}`).toBeLessThan(1e-9);
      expect(relative(varianceMap(params, qStar), qStar)).toBeLessThan(1e-13);
    }
  });

  it('V is increasing in q for every activation in the table (what the bracketing relies on)', () => {
    for (const activation of ACTIVATION_NAMES) {
      let previous = -Infinity;
      for (let e = -6; e <= 6; e += 0.25) {
        const value = activationMoments(activation, undefined, 10 ** e).meanSquare;
        expect(value, `${activation} at q = 1e${e}`).toBeGreaterThanOrEqual(previous);
        previous = value;
      }
    }
  });

  it("V′(q*) from Stein's lemma matches a finite difference of V; ξ_q = −1/ln V′(q*)", () => {
    for (const [activation, sigmaW, sigmaB] of points.filter(([a]) => a !== 'step')) {
      const params = { activation, sigmaW, sigmaB };
      const theory = meanFieldTheory(params);
      const q = theory.qStar;
      const h = 1e-5 * q;
      const difference = (varianceMap(params, q + h) - varianceMap(params, q - h)) / (2 * h);
      expect(Math.abs(theory.fixedPoint.slope - difference), activation).toBeLessThan(1e-7);
      expect(
        relative(theory.depthScales.variance, -1 / Math.log(Math.abs(theory.fixedPoint.slope))),
      ).toBeLessThan(1e-14);
    }
  });

  it('E[φ′²] in the limit q → 0⁺ is φ′(0⁺)² (½ for ReLU, whose φ′(0) = 0 by the chapter’s convention)', () => {
    expect(activationMoments('relu', undefined, 0).derivativeMeanSquare).toBe(0.5);
    expect(activationMoments('tanh', undefined, 0).derivativeMeanSquare).toBeCloseTo(1, 15);
    expect(activationMoments('sigmoid', undefined, 0).derivativeMeanSquare).toBeCloseTo(1 / 16, 15);
  });
});

describe('depth scales and phases', () => {
  it('ordered: ξ_∇ = ξ_c = −1/ln χ₁ (c* = 1, χ_c = χ₁); chaotic: ξ_∇ = 1/ln χ₁, ξ_c = −1/ln χ_c', () => {
    const ordered = meanFieldTheory({ activation: 'tanh', sigmaW: 1, sigmaB: 0.5 });
    expect(ordered.phase).toBe('ordered');
    expect(ordered.depthScales.gradientTrend).toBe('vanishing');
    expect(relative(ordered.depthScale, -1 / Math.log(ordered.chi1))).toBeLessThan(1e-15);
    expect(ordered.depthScales.correlation).toBe(ordered.depthScale);
    expect(ordered.cStar).toBe(1);
    expect(ordered.chiC).toBe(ordered.chi1);
    const chaotic = meanFieldTheory({ activation: 'tanh', sigmaW: 2, sigmaB: 0.5 });
    expect(chaotic.phase).toBe('chaotic');
    expect(relative(chaotic.depthScale, 1 / Math.log(chaotic.chi1))).toBeLessThan(1e-15);
    expect(chaotic.cStar).toBeGreaterThan(0);
    expect(chaotic.cStar).toBeLessThan(1);
    expect(chaotic.chiC).toBeLessThan(1);
    expect(chaotic.depthScales.correlation).toBe(-1 / Math.log(chaotic.chiC));
  });

  it('the step function passes no gradient: χ₁ = 0, depth scale 0', () => {
    const theory = meanFieldTheory({ activation: 'step', sigmaW: 1, sigmaB: 0.1 });
    expect(theory.chi1).toBe(0);
    expect(theory.depthScale).toBe(0);
    expect(theory.depthScales.gradientTrend).toBe('zero');
  });

  it('rejects σ_w ≤ 0 and negative σ_b, naming the field', () => {
    expect(() => meanFieldTheory({ activation: 'tanh', sigmaW: 0, sigmaB: 0 })).toThrow(/sigma-w/);
    expect(() => meanFieldTheory({ activation: 'tanh', sigmaW: 1, sigmaB: -1 })).toThrow(/sigma-b/);
    expect(() =>
      fixedPoint({ activation: 'tanh', sigmaW: 1, sigmaB: 0, inputMeanSquare: -1 }),
    ).toThrow(/input-mean-square/);
  });
});

describe('the predicted gradient curve', () => {
  it('atFixedPoint is χ₁^{(L−l)/2}; layerwise multiplies each layer’s own factor', () => {
    const params = { activation: 'tanh' as const, sigmaW: 1.5, sigmaB: 0.3 };
    const depth = 12;
    const prediction = predictGradientNorms(params, depth);
    const { chi1 } = meanFieldTheory(params);
    expect(prediction.layers).toBe(depth + 1);
    expect(prediction.variances).toEqual(varianceSequence(params, depth));
    for (let l = 1; l <= depth + 1; l++) {
      expect(relative(prediction.atFixedPoint[l - 1]!, chi1 ** ((depth + 1 - l) / 2))).toBeLessThan(
        1e-14,
      );
      if (l <= depth) {
        const ratio = prediction.layerwise[l - 1]! / prediction.layerwise[l]!;
        const factor = gradientFactor(params, prediction.variances[l - 1]!);
        expect(relative(ratio * ratio, factor)).toBeLessThan(1e-14);
      }
    }
    // Deep layers sit at q*, so the two curves' last steps agree.
    const last = prediction.layerwise[depth - 1]!;
    expect(Math.abs(last - Math.sqrt(chi1))).toBeLessThan(1e-3);
  });
});

describe('the critical line', () => {
  it('is σ_w² = 2 for ReLU and σ_w² = 1 for linear at every σ_b², and absent for step', () => {
    for (const sigmaB2 of [0, 0.1, 0.5]) {
      expect(
        criticalSigmaW2('relu', undefined, sigmaB2, {
          sigmaW2Min: 0.25,
          sigmaW2Max: 8,
          scanSteps: 8,
        }),
      ).toBeCloseTo(2, 10);
      expect(
        criticalSigmaW2('linear', undefined, sigmaB2, {
          sigmaW2Min: 0.25,
          sigmaW2Max: 8,
          scanSteps: 8,
        }),
      ).toBeCloseTo(1, 10);
    }
    expect(
      criticalSigmaW2('step', undefined, 0.1, { sigmaW2Min: 0.25, sigmaW2Max: 8, scanSteps: 8 }),
    ).toBeNull();
    expect(
      criticalSigmaW2('relu', undefined, 0, { sigmaW2Min: 3, sigmaW2Max: 8, scanSteps: 8 }),
    ).toBeNull();
  });
});

describe('effective σ_w of the other inits (square hidden layers)', () => {
  it('He is √2, LeCun 1, Xavier 1, normal √width, orthogonal its gain, custom its σ_w', () => {
    const spec = { ...DEFAULT_SPEC, width: 64 };
    expect(effectiveSigmaW({ ...spec, init: 'he' })).toBeCloseTo(Math.SQRT2, 14);
    expect(effectiveSigmaW({ ...spec, init: 'he_uniform' })).toBeCloseTo(Math.SQRT2, 14);
    expect(effectiveSigmaW({ ...spec, init: 'lecun' })).toBeCloseTo(1, 14);
    expect(effectiveSigmaW({ ...spec, init: 'xavier' })).toBeCloseTo(1, 14);
    expect(effectiveSigmaW({ ...spec, init: 'normal' })).toBeCloseTo(8, 14);
    expect(effectiveSigmaW({ ...spec, init: 'orthogonal', gain: 1.3 })).toBe(1.3);
    expect(effectiveSigmaW({ ...spec, init: 'custom', sigmaW: 1.7 })).toBeCloseTo(1.7, 14);
  });
});

it('uses the activation table’s default α', () => {
  expect(resolveAlpha('elu', undefined)).toBe(ACTIVATIONS.elu.defaultAlpha);
  const withDefault = meanFieldTheory({ activation: 'elu', sigmaW: 1.2, sigmaB: 0.1 });
  const explicit = meanFieldTheory({ activation: 'elu', alpha: 1, sigmaW: 1.2, sigmaB: 0.1 });
  expect(withDefault.alpha).toBe(1);
  expect(withDefault.chi1).toBe(explicit.chi1);
});

describe('a first-layer variance at the edge of f64', () => {
  // Found by the CLI property (tests/property/cli.property.test.ts): `theory --sigma-w 100
  // --sigma-b 100 --input-mean-square 1e300` made the upward bracket overflow to ∞, and the
  // quadrature then threw "variance q must be a finite number" (exit 1).
  it('an unbounded φ diverges; a bounded φ still finds its finite q*, even from q⁽¹⁾ = ∞', () => {
    for (const inputMeanSquare of [1e300, 1.7e308]) {
      for (const activation of ['relu', 'softplus', 'gelu', 'linear'] as const) {
        const theory = meanFieldTheory({ activation, sigmaW: 100, sigmaB: 100, inputMeanSquare });
        expect(theory.fixedPoint.kind, activation).toBe('divergent');
        expect(theory.qStar).toBe(Infinity);
      }
      // tanh: V(q) < σ_w² + σ_b² for every q, so q* is below 2·10⁴ whatever q⁽¹⁾ is.
      const bounded = meanFieldTheory({
        activation: 'tanh',
        sigmaW: 100,
        sigmaB: 100,
        inputMeanSquare,
      });
      const normal = meanFieldTheory({ activation: 'tanh', sigmaW: 100, sigmaB: 100 });
      expect(bounded.fixedPoint.kind).toBe('finite');
      expect(relative(bounded.qStar, normal.qStar)).toBeLessThan(1e-12);
      expect(bounded.qStar).toBeLessThan(2e4);
    }
  });
});
