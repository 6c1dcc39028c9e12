import { describe, expect, it } from 'vitest';
import { erf, erfc, normalCdf } from '../../src/engine/special.ts';
import { relativeError, TOLERANCES } from '../../src/engine/tolerance.ts';
import { loadFixture } from '../fixtures.ts';

const special = loadFixture<{ x: number[]; erf: number[]; erfc: number[]; ndtr: number[] }>(
  'special.json',
);

/** Relative error, except that values below the normal range compare absolutely (subnormals). */
function error(actual: number, expected: number): number {
  return Math.abs(expected) < 1e-300
    ? Math.abs(actual - expected)
    : relativeError(actual, expected);
}

describe('special functions against mpmath at 50 digits', () => {
  for (const [name, fn, column] of [
    ['erf', erf, special.erf],
    ['erfc', erfc, special.erfc],
    ['normalCdf', normalCdf, special.ndtr],
  ] as const) {
    it(`${name} is accurate to double precision over the whole line`, () => {
      let worst = { x: 0, err: 0 };
      special.x.forEach((x, i) => {
        const err = error(fn(x), column[i]!);
        if (err > worst.err) worst = { x, err };
      });
      expect(worst.err, `worst at x = ${worst.x}`).toBeLessThanOrEqual(TOLERANCES.f64.rel);
    });
  }

  it('erfc keeps relative accuracy deep in the right tail', () => {
    expect(relativeError(erfc(10), 2.088487583762545e-45)).toBeLessThan(1e-13);
    expect(erfc(30)).toBe(0);
    expect(erfc(-30)).toBe(2);
  });

  it('handles non-finite input', () => {
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erfc(Infinity)).toBe(0);
    expect(Number.isNaN(erf(NaN))).toBe(true);
  });
});
