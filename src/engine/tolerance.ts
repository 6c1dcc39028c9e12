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

export const TOLERANCES = {
  /** cpu64 against numpy/scipy/mpmath fixtures: both are double precision. */
  f64: { rel: 1e-12, abs: 1e-300 },
  /** An elementwise f32 function (activation, derivative) against its f64 reference: a few ulp. */
  f32Elementwise: { rel: 8 * F32_EPSILON, abs: 4 * 2 ** -126 },
  /**
   * An f32 GPU elementwise function, whose exp/log are not correctly rounded (WGSL allows
   * 3 + 2|x| ulp for exp), against the f64 reference. Use it with `conditionedBound`: near a root
   * of the function and in exp-like tails, rounding the input alone costs more than a few ulp.
   */
  f32GpuElementwise: { rel: 64 * F32_EPSILON, abs: 1e-30 },
  /**
   * Per-layer statistics of an f32 run against cpu64. Rounding errors grow with depth and with the
   * length of each dot product; this is stated relative to f32's ε for networks up to ~100 layers.
   */
  f32Statistics: { rel: 2e3 * F32_EPSILON, abs: 1e-30 },
} as const satisfies Record<string, Tolerance>;

/** Relative error |a − b| / max(|b|, tiny), with equal non-finite values counting as 0. */
export function relativeError(a: number, b: number): number {
  if (a === b) return 0;
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);
}

export function withinTolerance(a: number, b: number, tol: Tolerance): boolean {
  if (a === b) return true;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
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
