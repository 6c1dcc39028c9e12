import { describe, expect, it } from 'vitest';
import {
  attenuationBound,
  attenuationFromOutput,
  attenuationTable,
  CHAPTER_ATTENUATION_LAYERS,
  maxAbsDerivative,
  nearestPowerOfTen,
} from '../../src/engine/attenuation.ts';

describe('the attenuation bound (max|f′|)^k', () => {
  it('matches the closed forms: sigmoid 1/4, tanh and relu 1, leaky_relu max(1, α)', () => {
    expect(maxAbsDerivative('sigmoid')).toBe(0.25);
    // tanh′ is measured as 4e/(1 + e)², one ulp above 1 next to x = 0.
    expect(maxAbsDerivative('tanh')).toBeCloseTo(1, 15);
    expect(maxAbsDerivative('relu')).toBe(1);
    expect(maxAbsDerivative('leaky_relu', 0.01)).toBe(1);
    expect(maxAbsDerivative('leaky_relu', 3)).toBe(3);
    // GELU′ = Φ(x) + xφ(x) peaks at x = √2: Φ(√2) + √2·e^{−1}/√(2π), with erf(1) = 0.84270079…
    const geluMax =
      0.5 * (1 + 0.8427007929497149) + (Math.SQRT2 * Math.exp(-1)) / Math.sqrt(2 * Math.PI);
    expect(maxAbsDerivative('gelu')).toBeCloseTo(geluMax, 10);
    for (const k of [0, 1, 3, 10, 20]) {
      expect(attenuationBound('sigmoid', undefined, k)).toBe(0.25 ** k);
      expect(attenuationBound('tanh', undefined, k)).toBeCloseTo(1, 13);
      expect(attenuationBound('relu', undefined, k)).toBe(1);
    }
    expect(attenuationBound('step', undefined, 1)).toBe(0);
  });

  it("reproduces the chapter's sigmoid table and extends it to every k from 1 to 20", () => {
    const rows = attenuationTable([{ activation: 'sigmoid' }, { activation: 'relu' }]);
    expect(rows.map((r) => r.layers)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(rows.filter((r) => r.inChapter).map((r) => r.layers)).toEqual(
      CHAPTER_ATTENUATION_LAYERS,
    );
    const sigmoid = (k: number) => rows[k - 1]!.bounds[0]!;
    // The chapter's column: 0.25, 0.0156, 9.77e-4, 9.54e-7, 9.09e-13.
    expect(sigmoid(1)).toBe(0.25);
    expect(sigmoid(3).toPrecision(3)).toBe('0.0156');
    expect(sigmoid(5).toPrecision(3)).toBe('0.000977');
    expect(sigmoid(10).toPrecision(3)).toBe('9.54e-7');
    expect(sigmoid(20).toPrecision(3)).toBe('9.09e-13');
    // And its "scientific notation" column: 10⁻³, 10⁻⁶, 10⁻¹².
    expect([5, 10, 20].map((k) => nearestPowerOfTen(sigmoid(k)))).toEqual([-3, -6, -12]);
    expect(rows.every((r) => r.bounds[1] === 1)).toBe(true);
    expect(attenuationTable([{ activation: 'tanh' }], 3)).toHaveLength(3);
  });

  it('uses the activation parameter where there is one', () => {
    const [row] = attenuationTable([{ activation: 'elu', alpha: 2 }], 1);
    expect(row!.bounds[0]).toBe(2);
  });
});

describe('measured attenuation relative to the output layer', () => {
  it('divides each layer by the output layer and counts k from the output', () => {
    const ratios = attenuationFromOutput([1e-3, 2e-2, 0.5, 4]);
    expect(Array.from(ratios)).toEqual([1, 0.5 / 4, 2e-2 / 4, 1e-3 / 4]);
  });

  it('keeps a zero or non-finite output gradient visible as NaN or ±∞', () => {
    expect(Array.from(attenuationFromOutput([0, 1, 0]))).toEqual([NaN, Infinity, NaN]);
    expect(Array.from(attenuationFromOutput([1, Infinity]))).toEqual([NaN, 0]);
    expect(attenuationFromOutput([])).toHaveLength(0);
  });

  it('rounds to the nearest power of ten only for positive finite values', () => {
    expect(nearestPowerOfTen(9.54e-7)).toBe(-6);
    expect(nearestPowerOfTen(0.25)).toBe(-1);
    expect(nearestPowerOfTen(1)).toBe(0);
    expect(nearestPowerOfTen(0)).toBeNaN();
    expect(nearestPowerOfTen(Infinity)).toBeNaN();
  });
});
