import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../../src/engine/activations.ts';
import {
  DEFAULT_PANEL_ORDER,
  gaussianExpectation,
  gaussianRule,
  gaussLegendre,
} from '../../src/engine/quadrature.ts';
import { erf, normalCdf } from '../../src/engine/special.ts';

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** Relative error, absolute below 1e-300. */
function error(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
}

describe('Gauss–Legendre nodes', () => {
  it('matches the tabulated 5-point rule (Abramowitz & Stegun table 25.4)', () => {
    const { nodes, weights } = gaussLegendre(5);
    expect(nodes[0]).toBeCloseTo(0.906179845938664, 15);
    expect(nodes[1]).toBeCloseTo(0.5384693101056831, 15);
    expect(nodes[2]).toBe(0);
    expect(weights[0]).toBeCloseTo(0.2369268850561891, 15);
    expect(weights[1]).toBeCloseTo(0.4786286704993665, 15);
    expect(weights[2]).toBeCloseTo(128 / 225, 15);
  });

  it('integrates every polynomial of degree ≤ 2n − 1 exactly', () => {
    for (const n of [1, 2, 7, 20, 64]) {
      const { nodes, weights } = gaussLegendre(n);
      for (let degree = 0; degree <= 2 * n - 1; degree += n > 10 ? 7 : 1) {
        let sum = 0;
        nodes.forEach((x, i) => (sum += weights[i]! * x ** degree));
        const exact = degree % 2 === 1 ? 0 : 2 / (degree + 1);
        expect(Math.abs(sum - exact), `n ${n}, x^${degree}`).toBeLessThan(1e-14);
      }
    }
  });

  it('rejects orders outside 1…256', () => {
    expect(() => gaussLegendre(0)).toThrow(/order/);
    expect(() => gaussLegendre(2.5)).toThrow(/order/);
    expect(() => gaussLegendre(257)).toThrow(/order/);
  });
});

describe('Gaussian expectations against closed forms', () => {
  it('moments E[z^2k] = (2k − 1)!!, odd moments 0', () => {
    let doubleFactorial = 1;
    for (let k = 1; k <= 6; k++) {
      doubleFactorial *= 2 * k - 1;
      expect(
        error(
          gaussianExpectation((z) => z ** (2 * k)),
          doubleFactorial,
        ),
      ).toBeLessThan(1e-14);
      expect(Math.abs(gaussianExpectation((z) => z ** (2 * k - 1)))).toBeLessThan(1e-15);
    }
  });

  it('E[e^{az}] = e^{a²/2} and E[cos(az)] = e^{−a²/2}', () => {
    for (const a of [0.5, 1, 3]) {
      expect(
        error(
          gaussianExpectation((z) => Math.exp(a * z)),
          Math.exp((a * a) / 2),
        ),
      ).toBeLessThan(1e-14);
      expect(
        error(
          gaussianExpectation((z) => Math.cos(a * z)),
          Math.exp((-a * a) / 2),
        ),
      ).toBeLessThan(1e-13);
    }
  });

  it('E[erf(az)²] = (2/π)·arcsin(2a²/(1 + 2a²)), also for a steep a = 100 with its feature scale', () => {
    for (const a of [0.1, 1, 10, 100]) {
      const exact = (2 / Math.PI) * Math.asin((2 * a * a) / (1 + 2 * a * a));
      const value = gaussianExpectation((z) => erf(a * z) ** 2, Math.min(1, 1 / a));
      expect(error(value, exact), `a = ${a}`).toBeLessThan(1e-13);
    }
  });

  it('kinked and discontinuous activations reach 1e-13 (table entries, closed forms)', () => {
    const relu = ACTIVATIONS.relu.forward;
    const leaky = ACTIVATIONS.leaky_relu.forward;
    const elu = ACTIVATIONS.elu.forward;
    const step = ACTIVATIONS.step.forward;
    const cases: [string, (z: number) => number, number][] = [
      ['E[relu]', (z) => relu(z, 0), 1 / SQRT_2PI],
      ['E[relu²]', (z) => relu(z, 0) ** 2, 0.5],
      ['E[|z|]', Math.abs, Math.sqrt(2 / Math.PI)],
      ['E[step]', (z) => step(z, 0), 0.5],
      ['E[leaky²], α = 0.2', (z) => leaky(z, 0.2) ** 2, (1 + 0.04) / 2],
      // ∫_{−∞}^0 α(e^z − 1)φ(z)dz = α(e^{1/2}Φ(−1) − ½).
      [
        'E[elu], α = 1.5',
        (z) => elu(z, 1.5),
        1.5 * (Math.exp(0.5) * normalCdf(-1) - 0.5) + 1 / SQRT_2PI,
      ],
    ];
    for (const [name, f, exact] of cases)
      expect(error(gaussianExpectation(f), exact), name).toBeLessThan(1e-13);
  });

  it('integrates a constant on each half exactly (self-normalization): E[relu′²] is ½ to the bit', () => {
    const derivative = ACTIVATIONS.relu.derivative;
    for (const scale of [1, 0.1, 1e-6])
      expect(gaussianExpectation((z) => derivative(z, 0) ** 2, scale)).toBe(0.5);
  });
});

describe('quadrature convergence with the nodes per panel', () => {
  const orders = [2, 3, 4, 6, 8, 10];

  function errors(f: (z: number) => number, exact: number, scale = 1): number[] {
    return orders.map((order) => error(gaussianExpectation(f, scale, order), exact));
  }

  function expectDecreasing(list: number[]): void {
    for (let i = 1; i < list.length; i++)
      expect(list[i], `error at ${orders[i]} nodes, after ${list[i - 1]}`).toBeLessThan(
        Math.max(list[i - 1]!, 1e-15),
      );
  }

  it('smooth φ: the error of E[erf(2z)²] falls with every added node, to 1e-14 at the default', () => {
    const exact = (2 / Math.PI) * Math.asin(8 / 9);
    const list = errors((z) => erf(2 * z) ** 2, exact);
    expectDecreasing(list);
    expect(list[0]).toBeGreaterThan(1e-6); // 2 nodes per panel are far from converged
    expect(
      error(
        gaussianExpectation((z) => erf(2 * z) ** 2, 1, DEFAULT_PANEL_ORDER),
        exact,
      ),
    ).toBeLessThan(1e-14);
  });

  it('kinked φ: E[relu(z)²] and E[elu(z)] converge geometrically, below 1e-10 by 10 nodes', () => {
    const relu = ACTIVATIONS.relu.forward;
    const elu = ACTIVATIONS.elu.forward;
    const reluErrors = errors((z) => relu(z, 0) ** 2, 0.5);
    const eluExact = 0.5 * (Math.exp(0.5) * normalCdf(-1) - 0.5) + 1 / SQRT_2PI;
    const eluErrors = errors((z) => elu(z, 0.5), eluExact);
    expectDecreasing(reluErrors);
    expectDecreasing(eluErrors);
    expect(reluErrors.at(-1)).toBeLessThan(1e-10);
    expect(eluErrors.at(-1)).toBeLessThan(1e-10);
  });

  it('a rule without the breakpoint at 0 (shifted by half a panel) converges only slowly on a kink', () => {
    // The control experiment: the same composite rule applied to relu(z − c), kink inside a panel.
    const shift = 0.3;
    const exact = normalPdf(shift) - shift * normalCdf(-shift); // E[(z − c)⁺]
    const rule = gaussianRule(1, 10);
    const kinkInside = error(
      rule.expect((z) => Math.max(z - shift, 0)),
      exact,
    );
    const kinkAtBreakpoint = error(
      rule.expect((z) => Math.max(z, 0)),
      1 / SQRT_2PI,
    );
    expect(kinkInside).toBeGreaterThan(1e3 * kinkAtBreakpoint);
  });

  it('builds one default rule per power of two of the feature scale, as fine as asked or finer', () => {
    expect(gaussianRule(0.3)).toBe(gaussianRule(0.26)); // both in [1/4, 1/2)
    expect(gaussianRule(0.3)).not.toBe(gaussianRule(0.24));
    expect(gaussianRule(1)).toBe(gaussianRule(5)); // q ≤ 1: the Gaussian's own scale
    expect(gaussianRule(0.3, 10)).not.toBe(gaussianRule(0.3, 10)); // other orders: built anew
    // Still exact where the feature is small: E[tanh(√q z)²] → 1 and E[relu(√q z)²] = q/2.
    for (const q of [3, 1e4, 1e40, 1e59]) {
      const rule = gaussianRule(1 / Math.sqrt(q));
      const scale = Math.sqrt(q);
      expect(
        error(
          rule.expect((z) => Math.max(scale * z, 0) ** 2),
          q / 2,
        ),
      ).toBeLessThan(1e-13);
      const tanhSquare = rule.expect((z) => Math.tanh(scale * z) ** 2);
      expect(tanhSquare).toBeLessThanOrEqual(1);
      if (q > 1e4) expect(1 - tanhSquare).toBeLessThan(1e-2);
    }
  });

  it('rejects a non-positive feature scale', () => {
    expect(() => gaussianRule(0)).toThrow(/featureScale/);
    expect(() => gaussianRule(Number.NaN)).toThrow(/featureScale/);
  });
});

function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI;
}
