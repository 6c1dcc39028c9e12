import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../../src/engine/activations.ts';
import {
  conditionedBound,
  F32_MIN_NORMAL,
  relativeError,
  TOLERANCES,
  withinTolerance,
} from '../../src/engine/tolerance.ts';

describe('tolerances', () => {
  it('the GPU elementwise floor is f32’s smallest normal number, not 1e-30', () => {
    expect(F32_MIN_NORMAL).toBe(Math.fround(1.1754943508222875e-38));
    expect(TOLERANCES.f32GpuElementwise.abs).toBe(F32_MIN_NORMAL);
    expect(TOLERANCES.f32Elementwise.abs).toBe(4 * F32_MIN_NORMAL);
  });

  it('checks a tail value such as sigmoid(−80) ≈ 1.8e-35 relatively', () => {
    const x = -80;
    const reference = ACTIVATIONS.sigmoid.forward(x, 0);
    expect(reference).toBeCloseTo(1.8048513878454153e-35, 48);
    const bound = conditionedBound(
      reference,
      x * ACTIVATIONS.sigmoid.derivative(x, 0),
      TOLERANCES.f32GpuElementwise,
    );
    // The bound is a few hundred ulp of the value (its condition number is 80), not 1e-30:
    // a result 1% off, or a flushed 0, now fails; f32 rounding of the value passes.
    expect(bound).toBeLessThan(0.01 * reference);
    expect(Math.abs(reference * 1.01 - reference)).toBeGreaterThan(bound);
    expect(Math.abs(0 - reference)).toBeGreaterThan(bound);
    expect(Math.abs(Math.fround(reference) - reference)).toBeLessThan(bound);
    // A value below the smallest normal may be flushed to 0.
    const subnormal = ACTIVATIONS.sigmoid.forward(-100, 0);
    expect(subnormal).toBeLessThan(F32_MIN_NORMAL);
    expect(Math.abs(0 - subnormal)).toBeLessThanOrEqual(
      conditionedBound(subnormal, 0, TOLERANCES.f32GpuElementwise),
    );
  });

  it('relativeError and withinTolerance treat NaN, +∞ and −∞ as three different values', () => {
    expect(relativeError(Infinity, Infinity)).toBe(0);
    expect(relativeError(NaN, NaN)).toBe(0);
    expect(relativeError(Infinity, -Infinity)).toBe(Infinity);
    expect(relativeError(NaN, Infinity)).toBe(Infinity);
    expect(relativeError(5, Infinity)).toBe(Infinity);
    expect(relativeError(Infinity, 5)).toBe(Infinity);
    expect(relativeError(1.5, 1)).toBe(0.5);
    expect(withinTolerance(NaN, Infinity, TOLERANCES.f64)).toBe(false);
    // Before: the bound abs + rel·|∞| is ∞, so −∞ and 5 were "within tolerance" of +∞.
    expect(withinTolerance(-Infinity, Infinity, TOLERANCES.f64)).toBe(false);
    expect(withinTolerance(5, Infinity, TOLERANCES.f32Statistics)).toBe(false);
    expect(withinTolerance(Infinity, Infinity, TOLERANCES.f64)).toBe(true);
    expect(withinTolerance(NaN, NaN, TOLERANCES.f64)).toBe(true);
  });
});
