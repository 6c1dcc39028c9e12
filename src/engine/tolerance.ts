/**
 * Every tolerance gradlab uses to compare one computation with another lives here, per precision.
 * A check passes when |a − b| ≤ abs + rel·|b|, with b the reference (the f64 value).
 */
export interface Tolerance {
  /** Relative part, scaled by the reference's magnitude. */
  readonly rel: number;
  /** Absolute floor, for references at or near zero. */
  readonly abs: number;
}

const F32_EPSILON = 2 ** -23;
/**
 * f32's smallest normal number, 2⁻¹²⁶ ≈ 1.18e-38. WGSL lets an implementation flush subnormal
 * inputs and results to zero (WGSL §14.6 "Floating Point Evaluation"), so an f32 result whose
 * exact value lies below it may come back as 0: that, and no more, is what an absolute floor
 * must forgive. Every value at or above it is checked relatively.
 */
export const F32_MIN_NORMAL = 2 ** -126;

export const TOLERANCES = {
  /** cpu64 against numpy/scipy/mpmath fixtures: both are double precision. */
  f64: { rel: 1e-12, abs: 1e-300 },
  /** An elementwise f32 function (activation, derivative) against its f64 reference: a few ulp. */
  f32Elementwise: { rel: 8 * F32_EPSILON, abs: 4 * F32_MIN_NORMAL },
  /**
   * An f32 GPU elementwise function, whose exp/log are not correctly rounded (WGSL allows
   * 3 + 2|x| ulp for exp), against the f64 reference. Use it with `conditionedBound`: near a root
   * of the function and in exp-like tails, rounding the input alone costs more than a few ulp.
   * The floor is f32's smallest normal number (a flushed subnormal), so a tail value such as
   * sigmoid(−80) ≈ 1.8e-35 is checked to 64 ulp like any other.
   */
  f32GpuElementwise: { rel: 64 * F32_EPSILON, abs: F32_MIN_NORMAL },
  /**
   * Per-layer statistics of an f32 run against cpu64. Rounding errors grow with depth and with the
   * length of each dot product; this is stated relative to f32's ε for networks up to ~100 layers.
   */
  f32Statistics: { rel: 2e3 * F32_EPSILON, abs: 1e-30 },
} as const satisfies Record<string, Tolerance>;

/**
 * Relative error |a − b| / max(|b|, tiny), with equal non-finite values (NaN and NaN, ∞ and ∞)
 * counting as 0 and any other pair with a non-finite side as ∞ (never NaN, which would compare
 * false with every bound and hide what happened).
 */
export function relativeError(a: number, b: number): number {
  if (a === b) return 0;
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  return Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);
}

/**
 * |a − b| ≤ abs + rel·|b|. A non-finite value is within tolerance only of itself (NaN of NaN,
 * +∞ of +∞): with b = ∞ the bound itself would be ∞ and let anything through.
 */
export function withinTolerance(a: number, b: number, tol: Tolerance): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= tol.abs + tol.rel * Math.abs(b);
}

/**
 * The error an f32 evaluation of g may make at x: tol.rel·(|g(x)| + |x·g′(x)|) + tol.abs. The
 * second term is what rounding x (or an intermediate proportional to x) by tol.rel costs, so the
 * check asks for a result that is exact for a slightly perturbed input: backward stability
 * (Higham, Accuracy and Stability of Numerical Algorithms, §1.5). It matters near roots of g
 * (GELU′ at x ≈ −0.75) and in tails (e^{−x²/2} at x = −9).
 */
export function conditionedBound(reference: number, xTimesSlope: number, tol: Tolerance): number {
  return tol.abs + tol.rel * (Math.abs(reference) + Math.abs(xTimesSlope));
}
