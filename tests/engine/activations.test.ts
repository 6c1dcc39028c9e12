import { describe, expect, it } from 'vitest';
import {
  ACTIVATION_NAMES,
  ACTIVATIONS,
  activationProperties,
  resolveAlpha,
  type ActivationName,
} from '../../src/engine/activations.ts';
import { relativeError, TOLERANCES } from '../../src/engine/tolerance.ts';
import { loadFixture } from '../fixtures.ts';

interface ActivationFixture {
  x: number[];
  activations: Record<string, { alpha: number | null; f: number[]; df: number[] }>;
}
const fixture = loadFixture<ActivationFixture>('activations.json');

function tableName(key: string): ActivationName {
  return key
    .split('_')
    .filter((part) => !/^[\d.]+$/.test(part))
    .join('_') as ActivationName;
}

describe('activation table against mpmath (50 digits)', () => {
  it('covers every activation in the table', () => {
    const covered = new Set(Object.keys(fixture.activations).map(tableName));
    expect([...covered].sort()).toEqual([...ACTIVATION_NAMES].sort());
  });

  for (const [key, expected] of Object.entries(fixture.activations)) {
    const name = tableName(key);
    const alpha = resolveAlpha(name, expected.alpha ?? undefined);
    it(`${key}: f and f' match to double precision, tails included`, () => {
      const { forward, derivative } = ACTIVATIONS[name];
      fixture.x.forEach((x, i) => {
        for (const [label, actual, reference] of [
          ['f', forward(x, alpha), expected.f[i]!],
          ["f'", derivative(x, alpha), expected.df[i]!],
        ] as const) {
          const ok =
            Math.abs(reference) < 1e-300
              ? Math.abs(actual - reference) <= 1e-300
              : relativeError(actual, reference) <= TOLERANCES.f64.rel;
          expect(ok, `${key} ${label}(${x}) = ${actual}, expected ${reference}`).toBe(true);
        }
      });
    });
  }
});

describe('derivatives against central finite differences', () => {
  // A grid that includes the tails; kinks (x = 0 for relu-like and step) are excluded because
  // a difference quotient straddles them.
  const grid = [-30, -12, -6, -3, -2, -1.3, -0.7, -0.2, 0.15, 0.6, 1, 1.7, 2.5, 4, 7, 12, 30];
  for (const name of ACTIVATION_NAMES) {
    const alphas =
      ACTIVATIONS[name].defaultAlpha === undefined ? [0] : [resolveAlpha(name, undefined), 0.3];
    for (const alpha of alphas) {
      it(`${name} (α = ${alpha})`, () => {
        const { forward, derivative } = ACTIVATIONS[name];
        for (const x of grid) {
          const h = 1e-5 * Math.max(1, Math.abs(x));
          const numeric = (forward(x + h, alpha) - forward(x - h, alpha)) / (2 * h);
          const analytic = derivative(x, alpha);
          // Central differences: truncation O(h²f''') plus rounding O(ε|f|/h).
          const bound =
            1e-7 + 1e-6 * Math.abs(analytic) + (4e-16 * Math.abs(forward(x, alpha))) / h;
          expect(Math.abs(numeric - analytic), `${name}'(${x})`).toBeLessThanOrEqual(bound);
        }
      });
    }
  }
});

describe('numerical stability and the chapter’s conventions', () => {
  it('sigmoid(−1000) is 0 and sigmoid(1000) is 1, with finite derivatives', () => {
    expect(ACTIVATIONS.sigmoid.forward(-1000, 0)).toBe(0);
    expect(ACTIVATIONS.sigmoid.forward(1000, 0)).toBe(1);
    expect(ACTIVATIONS.sigmoid.derivative(-1000, 0)).toBe(0);
    expect(ACTIVATIONS.sigmoid.derivative(1000, 0)).toBe(0);
  });

  it('derivative at the kink follows the chapter: relu′(0) = 0, leaky′(0) = α, elu′(0) = α', () => {
    expect(ACTIVATIONS.relu.derivative(0, 0)).toBe(0);
    expect(ACTIVATIONS.leaky_relu.derivative(0, 0.01)).toBe(0.01);
    expect(ACTIVATIONS.elu.derivative(0, 1)).toBe(1);
    expect(ACTIVATIONS.elu.derivative(0, 0.5)).toBe(0.5);
  });

  it('no activation returns NaN or overflows for large finite or infinite inputs', () => {
    for (const name of ACTIVATION_NAMES) {
      const alpha = resolveAlpha(name, undefined);
      const { forward, derivative } = ACTIVATIONS[name];
      for (const x of [-1e308, -1e6, -745, 745, 1e6, 1e308, -Infinity, Infinity]) {
        expect(Number.isNaN(forward(x, alpha)), `${name}(${x})`).toBe(false);
        expect(Number.isFinite(derivative(x, alpha)), `${name}'(${x})`).toBe(true);
      }
    }
  });

  it('properties are measured: max|f′| is 0.25 for sigmoid, 1 for tanh and ReLU (chapter table)', () => {
    expect(activationProperties('sigmoid').maxAbsDerivative).toBeCloseTo(0.25, 12);
    expect(activationProperties('tanh').maxAbsDerivative).toBeCloseTo(1, 12);
    expect(activationProperties('relu').maxAbsDerivative).toBe(1);
    // GELU's maximum slope 1.1289 at x = √2: Φ(√2) + √2·φ(√2).
    expect(activationProperties('gelu').maxAbsDerivative).toBeCloseTo(1.1289, 4);
    expect(activationProperties('sigmoid').zeroCentred).toBe(false);
    expect(activationProperties('tanh').zeroCentred).toBe(true);
    expect(activationProperties('sigmoid').saturating).toBe(true);
    expect(activationProperties('relu').saturating).toBe(true);
    expect(activationProperties('leaky_relu').saturating).toBe(false);
    expect(activationProperties('gelu').monotone).toBe(false);
    expect(activationProperties('elu').monotone).toBe(true);
    expect(activationProperties('elu', 2).maxAbsDerivative).toBeCloseTo(2, 6);
  });
});

describe('fused forward-and-derivative agrees with the separate functions', () => {
  const xs = [
    -1000, -50, -20, -5, -1, -0.5000001, -0.5, -0.25, -1e-3, -1e-9, 0, 1e-9, 1e-3, 0.25, 0.5,
    0.5000001, 1, 3, 20, 50, 1000,
  ];
  for (let i = 0; i <= 400; i++) xs.push(-10 + i * 0.05);
  for (const name of ACTIVATION_NAMES) {
    const fused = ACTIVATIONS[name].forwardAndDerivative;
    if (!fused) continue;
    it(name, () => {
      const out = new Float64Array(2);
      for (const x of xs) {
        fused(x, 0, out);
        expect(relativeError(out[0]!, ACTIVATIONS[name].forward(x, 0)), `f(${x})`).toBeLessThan(
          4e-16 * 8,
        );
        expect(relativeError(out[1]!, ACTIVATIONS[name].derivative(x, 0)), `f'(${x})`).toBeLessThan(
          4e-16 * 8,
        );
      }
    });
  }
});
