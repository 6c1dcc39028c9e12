/**
 * Special functions in double precision: erf, erfc and the standard normal cdf/pdf.
 *
 * The cpu64 backend is the reference that checks every other backend, so GELU's Φ must be
 * accurate to double precision (about 1e-15 relative), also deep in the tails where
 * 1 − erf(x) would lose every digit. Two classic expansions cover the line:
 * - |x| < 2.5: the series erf(x) = 2/√π · e^{−x²} · Σ (2x²)ⁿ x / (1·3·…·(2n+1))
 *   (Abramowitz & Stegun 7.1.6). Its terms are all positive, so nothing cancels.
 * - |x| ≥ 2.5: the continued fraction for erfc (A&S 7.1.14), evaluated with the modified
 *   Lentz method. It converges quickly there and gives erfc with full relative accuracy.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const ONE_OVER_SQRT_PI = 0.5641895835477563; // 1/√π
const SQRT1_2 = Math.SQRT1_2;
const ONE_OVER_SQRT_2PI = 0.3989422804014327; // 1/√(2π)
const SERIES_LIMIT = 2.5;

/** erf(x) for |x| < 2.5 by the all-positive series; exact enough to the last bit or two. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17 && term > -Math.abs(sum) * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x ≥ 2.5: e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))). */
function erfcContinuedFraction(x: number): number {
  // Modified Lentz for b0 + a1/(b1 + a2/(b2 + …)) with b_k = x and a_k = k/2.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

/** The error function, accurate to double precision. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < SERIES_LIMIT) return erfSeries(x);
  if (ax === Infinity) return Math.sign(x);
  const r = 1 - erfcContinuedFraction(ax);
  return x < 0 ? -r : r;
}

/** The complementary error function 1 − erf(x), with full relative accuracy in the right tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 0;
  if (x === -Infinity) return 2;
  if (x >= SERIES_LIMIT) return erfcContinuedFraction(x);
  if (x <= -SERIES_LIMIT) return 2 - erfcContinuedFraction(-x);
  return 1 - erfSeries(x);
}

/** Standard normal cdf Φ(x) = ½·erfc(−x/√2), accurate in both tails. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}

/** Standard normal pdf φ(x) = e^{−x²/2}/√(2π). */
export function normalPdf(x: number): number {
  return ONE_OVER_SQRT_2PI * Math.exp(-0.5 * x * x);
}
