/**
 * The fused activation pass in f32x4, in AssemblyScript (see vector-math.as.ts for the
 * elementary functions): for every element of a layer's job, f(z) and f′(z) together, the
 * saturation count, the residual add, and the first statistics pass over a⁽ˡ⁾ (sum, finite
 * minimum and maximum, non-finite count). deadRows counts the units that are zero on every
 * sample. It computes what pass-rows.ts's TypeScript path computes, in f32 arithmetic:
 *
 * - the formulas are those of src/engine/activations.ts, in the same stable forms in the tails
 *   (e^{−|x|} never e^{+|x|}; σ′ = e^{−|x|}/(1 + e^{−|x|})²; sech² = 4e^{−2|x|}/(1 + e^{−2|x|})²;
 *   tanh|x| = −expm1(−2|x|)/(2 + expm1(−2|x|)), which keeps its relative accuracy near 0;
 *   softplus = x⁺ + log1p(e^{−|x|})), with the table's kinks (relu′(0) = 0, leaky_relu′(0) = α,
 *   elu′(0) = α) and its values at ±∞ and NaN;
 * - GELU's Φ(x) = ½·erfc(−x/√2) uses erfc(t) = u·e^{−t²}·e^{P(u)}, u = 1/(1 + t/2), with the
 *   Chebyshev-fitted P of Numerical Recipes in C, 2nd ed., §6.2 (erfcc: relative error below
 *   1.2·10⁻⁷ for all t ≥ 0), so Φ keeps its relative accuracy deep in the left tail.
 *
 * Buffers are read and written in whole f32x4: each needs room for `count` rounded up to a
 * multiple of 4 (the lanes past `count` are computed and stored but not counted).
 */
import { VecMath } from './vector-math.as';

// Indices of src/engine/activations.ts ACTIVATION_NAMES (wasm-kernels.ts checks the order).
const SIGMOID = 0;
const TANH = 1;
const RELU = 2;
const LEAKY_RELU = 3;
const ELU = 4;
const GELU = 5;
const GELU_TANH = 6;
const SILU = 7;
const SOFTPLUS = 8;
const STEP = 9;
const LINEAR = 10;

/** Beyond this |x| the GELU-like functions take their asymptotes, as in activations.ts. */
const GELU_TAIL: f32 = 40;
const SQRT1_2: f32 = 0.7071067811865476;
const INV_SQRT_2PI: f32 = 0.3989422804014327;
/** gelu_tanh: v = x·(A + B·x²) = 2·√(2/π)·(x + 0.044715·x³), dv/dx = A + 3B·x². */
const GELU_TANH_A: f32 = 1.5957691216057308;
const GELU_TANH_B: f32 = 0.07135481627260025;

/** Where activate() leaves its statistics; set by kernels.as.ts's layout. */
export class ActivationStats {
  /** f64 Σ a over the counted elements (non-finite ones included, as in pass-rows.ts). */
  static readonly SUM: usize = 0;
  /** f32 smallest and largest finite a (+∞ and −∞ when there is none). */
  static readonly MIN: usize = 8;
  static readonly MAX: usize = 12;
  /** i32 elements with |f′| ≤ threshold. */
  static readonly SATURATED: usize = 16;
  /** i32 elements of a that are ±∞ or NaN. */
  static readonly NON_FINITE: usize = 20;
  static readonly BYTES: usize = 32;
}

/** P(u) of erfc(t) = u·e^{−t²}·e^{P(u)} (Numerical Recipes in C, 2nd ed., §6.2, erfcc). */
class Erfc {
  @inline static exponent(u: v128): v128 {
    let q = f32x4.splat(<f32>0.17087277);
    q = f32x4.add(f32x4.splat(<f32>-0.82215223), f32x4.mul(u, q));
    q = f32x4.add(f32x4.splat(<f32>1.48851587), f32x4.mul(u, q));
    q = f32x4.add(f32x4.splat(<f32>-1.13520398), f32x4.mul(u, q));
    q = f32x4.add(f32x4.splat(<f32>0.27886807), f32x4.mul(u, q));
    q = f32x4.add(f32x4.splat(<f32>-0.18628806), f32x4.mul(u, q));
    q = f32x4.add(f32x4.splat(<f32>0.09678418), f32x4.mul(u, q));
    q = f32x4.add(f32x4.splat(<f32>0.37409196), f32x4.mul(u, q));
    q = f32x4.add(f32x4.splat(<f32>1.00002368), f32x4.mul(u, q));
    return f32x4.add(f32x4.splat(<f32>-1.26551223), f32x4.mul(u, q));
  }
}

/**
 * f = φ(z), f′ = φ′(z) for `count` elements from z; h ← f, d ← f′; with `residual` ≠ 0 also
 * out ← f + residual (a⁽ˡ⁾ of a residual layer), else the statistics are of f. Saturated means
 * |f′| ≤ threshold (the caller rounds its threshold down to f32, so the comparison is the
 * TypeScript path's). Statistics go to `stats` (ActivationStats layout).
 */
export function activate(
  kind: i32,
  alpha: f32,
  threshold: f32,
  z: usize,
  h: usize,
  d: usize,
  residual: usize,
  out: usize,
  count: i32,
  stats: usize,
): void {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const half = f32x4.splat(0.5);
  const alphas = f32x4.splat(alpha);
  const limit = f32x4.splat(threshold);
  const infinity = f32x4.splat(Infinity);
  const minusInfinity = f32x4.splat(-Infinity);
  const lanes = i32x4(0, 1, 2, 3);
  let saturated = i32x4.splat(0);
  let nonFinite = i32x4.splat(0);
  let low = infinity;
  let high = minusInfinity;
  let sumLow = f64x2.splat(0);
  let sumHigh = f64x2.splat(0);
  const exponential = kind != RELU && kind != LEAKY_RELU && kind != STEP && kind != LINEAR;
  for (let i = 0; i < count; i += 4) {
    const offset = (<usize>i) << 2;
    const x = v128.load(z + offset);
    // The exponential's argument y ≤ 0, per activation; then e = e^y and m = e^y − 1 from one
    // range reduction, shared by all (so the loop holds one copy of the exponential).
    let y = zero;
    let v = zero;
    switch (kind) {
      case SIGMOID:
      case SILU:
      case SOFTPLUS:
        y = f32x4.neg(f32x4.abs(x));
        break;
      case TANH:
        y = f32x4.mul(f32x4.abs(x), f32x4.splat(-2));
        break;
      case ELU:
        y = f32x4.pmin(x, zero);
        break;
      case GELU:
        y = f32x4.neg(f32x4.mul(half, f32x4.mul(x, x)));
        break;
      case GELU_TANH:
        v = f32x4.mul(
          x,
          f32x4.add(f32x4.splat(GELU_TANH_A), f32x4.mul(f32x4.splat(GELU_TANH_B), f32x4.mul(x, x))),
        );
        y = f32x4.neg(f32x4.abs(v));
        break;
      default:
        break;
    }
    let e = one;
    let m = zero;
    if (exponential) {
      const clamped = VecMath.clampExp(y);
      const rounded = VecMath.expRounded(clamped);
      const p = VecMath.expm1Reduced(VecMath.expReduced(clamped, VecMath.exponentOf(rounded)));
      const low2 = VecMath.scaleLow(rounded);
      const high2 = VecMath.scaleHigh(rounded);
      const scale = f32x4.mul(low2, high2);
      e = f32x4.mul(f32x4.mul(f32x4.add(one, p), low2), high2);
      m = f32x4.add(f32x4.sub(scale, one), f32x4.mul(scale, p));
    }
    let f = x;
    let g = one;
    switch (kind) {
      case SIGMOID: {
        // σ(x) = 1/(1 + e) for x ≥ 0, e/(1 + e) below; σ′ = e/(1 + e)², e = e^{−|x|}.
        const q = f32x4.div(one, f32x4.add(one, e));
        const eq = f32x4.mul(e, q);
        f = v128.bitselect(q, eq, f32x4.ge(x, zero));
        g = f32x4.mul(eq, q);
        break;
      }
      case TANH: {
        // e = e^{−2|x|}, m = e − 1: tanh|x| = −m/(2 + m), sech² = 4e/(1 + e)².
        const q = f32x4.div(one, f32x4.add(f32x4.splat(2), m));
        f = VecMath.withSignOf(f32x4.mul(f32x4.neg(m), q), x);
        g = f32x4.mul(f32x4.mul(f32x4.mul(e, f32x4.splat(4)), q), q);
        break;
      }
      case RELU: {
        const positive = f32x4.gt(x, zero);
        f = v128.and(x, positive);
        g = v128.and(one, positive);
        break;
      }
      case LEAKY_RELU: {
        const positive = f32x4.gt(x, zero);
        f = v128.bitselect(x, f32x4.mul(alphas, x), positive);
        g = v128.bitselect(one, alphas, positive);
        break;
      }
      case ELU: {
        // α·expm1(x) and α·e^x for x ≤ 0.
        const positive = f32x4.gt(x, zero);
        f = v128.bitselect(x, f32x4.mul(alphas, m), positive);
        g = v128.bitselect(one, f32x4.mul(alphas, e), positive);
        break;
      }
      case GELU: {
        // e = e^{−x²/2}. Φ(x) = ½erfc(t) for x ≤ 0, 1 − ½erfc(t) for x > 0, t = |x|/√2,
        // erfc(t) = u·e^{−t²}·e^{P(u)}; φ(x) = e^{−x²/2}/√(2π).
        const t = f32x4.mul(f32x4.abs(x), f32x4.splat(SQRT1_2));
        const u = f32x4.div(one, f32x4.add(one, f32x4.mul(half, t)));
        const tail = f32x4.mul(f32x4.mul(u, e), VecMath.exp(Erfc.exponent(u)));
        const halfTail = f32x4.mul(half, tail);
        const cdf = v128.bitselect(f32x4.sub(one, halfTail), halfTail, f32x4.gt(x, zero));
        const pdf = f32x4.mul(e, f32x4.splat(INV_SQRT_2PI));
        const above = f32x4.gt(x, f32x4.splat(GELU_TAIL));
        const below = f32x4.lt(x, f32x4.splat(-GELU_TAIL));
        f = v128.andnot(v128.bitselect(x, f32x4.mul(x, cdf), above), below);
        g = v128.andnot(v128.bitselect(one, f32x4.add(cdf, f32x4.mul(x, pdf)), above), below);
        break;
      }
      case GELU_TANH: {
        // x·σ(v), σ(v) + x·σ′(v)·v′ with v = x·(A + B·x²), v′ = A + 3B·x², e = e^{−|v|}.
        const slope = f32x4.add(
          f32x4.splat(GELU_TANH_A),
          f32x4.mul(f32x4.splat(<f32>3 * GELU_TANH_B), f32x4.mul(x, x)),
        );
        const q = f32x4.div(one, f32x4.add(one, e));
        const eq = f32x4.mul(e, q);
        const sigma = v128.bitselect(q, eq, f32x4.ge(v, zero));
        const sigmaSlope = f32x4.mul(eq, q);
        const above = f32x4.gt(x, f32x4.splat(GELU_TAIL));
        const below = f32x4.lt(x, f32x4.splat(-GELU_TAIL));
        const value = f32x4.mul(x, sigma);
        const derivative = f32x4.add(sigma, f32x4.mul(f32x4.mul(x, sigmaSlope), slope));
        f = v128.andnot(v128.bitselect(x, value, above), below);
        g = v128.andnot(v128.bitselect(one, derivative, above), below);
        break;
      }
      case SILU: {
        // x·σ(x), σ(x)·(1 + x·σ(−x)); −∞ gives (0, 0) and +∞ gives (∞, 1), as in the table.
        const q = f32x4.div(one, f32x4.add(one, e));
        const eq = f32x4.mul(e, q);
        const nonNegative = f32x4.ge(x, zero);
        const sigma = v128.bitselect(q, eq, nonNegative);
        const sigmaMinus = v128.bitselect(eq, q, nonNegative);
        const minusInf = f32x4.eq(x, minusInfinity);
        f = v128.andnot(f32x4.mul(x, sigma), minusInf);
        const derivative = f32x4.mul(sigma, f32x4.add(one, f32x4.mul(x, sigmaMinus)));
        g = v128.andnot(v128.bitselect(one, derivative, f32x4.eq(x, infinity)), minusInf);
        break;
      }
      case SOFTPLUS: {
        // x⁺ + log1p(e^{−|x|}), and σ(x).
        const q = f32x4.div(one, f32x4.add(one, e));
        f = f32x4.add(f32x4.pmax(x, zero), VecMath.log1pUnit(e));
        g = v128.bitselect(q, f32x4.mul(e, q), f32x4.ge(x, zero));
        break;
      }
      case STEP: {
        f = v128.and(one, f32x4.gt(x, zero));
        g = zero;
        break;
      }
      case LINEAR:
      default:
        break;
    }
    v128.store(h + offset, f);
    v128.store(d + offset, g);
    const valid = i32x4.lt_s(lanes, i32x4.splat(count - i));
    saturated = i32x4.sub(saturated, v128.and(f32x4.le(f32x4.abs(g), limit), valid));
    let a = f;
    if (residual != 0) {
      a = f32x4.add(f, v128.load(residual + offset));
      v128.store(out + offset, a);
    }
    // a − a is 0 exactly when a is finite. The extremes use pmin/pmax (one instruction each on
    // x64, where min/max take several to order NaN and ±0): they never see NaN here, and adding
    // +0 turns −0 into +0, so their result does not depend on the order of the elements.
    const finite = v128.and(f32x4.eq(f32x4.sub(a, a), zero), valid);
    nonFinite = i32x4.sub(nonFinite, v128.andnot(valid, finite));
    const unsigned = f32x4.add(a, zero);
    low = f32x4.pmin(low, v128.bitselect(unsigned, infinity, finite));
    high = f32x4.pmax(high, v128.bitselect(unsigned, minusInfinity, finite));
    const counted = v128.and(a, valid);
    sumLow = f64x2.add(sumLow, f64x2.promote_low_f32x4(counted));
    sumHigh = f64x2.add(
      sumHigh,
      f64x2.promote_low_f32x4(v128.shuffle<f32>(counted, counted, 2, 3, 0, 1)),
    );
  }
  const sums = f64x2.add(sumLow, sumHigh);
  store<f64>(
    stats + ActivationStats.SUM,
    f64x2.extract_lane(sums, 0) + f64x2.extract_lane(sums, 1),
  );
  let lowest = f32x4.pmin(low, v128.shuffle<f32>(low, low, 2, 3, 0, 1));
  lowest = f32x4.pmin(lowest, v128.shuffle<f32>(lowest, lowest, 1, 0, 3, 2));
  let highest = f32x4.pmax(high, v128.shuffle<f32>(high, high, 2, 3, 0, 1));
  highest = f32x4.pmax(highest, v128.shuffle<f32>(highest, highest, 1, 0, 3, 2));
  store<f32>(stats + ActivationStats.MIN, f32x4.extract_lane(lowest, 0));
  store<f32>(stats + ActivationStats.MAX, f32x4.extract_lane(highest, 0));
  store<i32>(stats + ActivationStats.SATURATED, horizontalSum(saturated));
  store<i32>(stats + ActivationStats.NON_FINITE, horizontalSum(nonFinite));
}

function horizontalSum(v: v128): i32 {
  return (
    i32x4.extract_lane(v, 0) +
    i32x4.extract_lane(v, 1) +
    i32x4.extract_lane(v, 2) +
    i32x4.extract_lane(v, 3)
  );
}

/** Rows (units) of h, `batch` samples each, whose values are all zero (±0): dead units. */
export function deadRows(h: usize, rows: i32, batch: i32): i32 {
  const zero = f32x4.splat(0);
  let dead = 0;
  for (let row = 0; row < rows; row++) {
    const start = h + ((<usize>row * <usize>batch) << 2);
    let nonzero = i32x4.splat(0);
    let b = 0;
    for (; b + 4 <= batch; b += 4) {
      nonzero = v128.or(nonzero, f32x4.ne(v128.load(start + ((<usize>b) << 2)), zero));
    }
    let any = v128.any_true(nonzero);
    for (; b < batch; b++) any = any || load<f32>(start + ((<usize>b) << 2)) != 0;
    if (!any) dead++;
  }
  return dead;
}
