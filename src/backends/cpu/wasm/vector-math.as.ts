/**
 * f32x4 elementary functions for the activation kernel (activation.as.ts), in AssemblyScript.
 * Not part of the TypeScript project: `v128`, `f32x4`, `i32x4` are AssemblyScript builtins.
 *
 * Only what the activations need: e^y and e^y − 1 for y ≤ 0 from one range reduction, and
 * log1p(y) for y ∈ [0, 1]. Methods are inlined, so the callers' loops keep everything in
 * registers.
 *
 * e^y, y ∈ [−104, 0] (Cody & Waite, "Software Manual for the Elementary Functions", 1980, ch. 6;
 * Muller, "Elementary Functions", 3rd ed., §11.2):
 *   n = round(y·log₂e), r = (y − n·ln2_hi) − n·ln2_lo with |r| ≤ ½ln 2 + 2⁻²³ (n is rounded
 *   from the f32 product y·log₂e, which may push r a hair past ½ln 2),
 *   p = e^r − 1 = r + r²·(1/2! + r/3! + … + r⁵/7!)  (Taylor; the next term, r⁸/8!, is below
 *   2⁻²⁷·|p| on that interval),
 *   e^y = 2ⁿ·(1 + p), e^y − 1 = (2ⁿ − 1) + 2ⁿ·p  (2ⁿ − 1 is exact for n ≥ −24, and −1 rounds
 *   correctly below, so neither form cancels).
 * ln2_hi has 15 significant bits, so n·ln2_hi is exact for |n| < 2⁹ and y − n·ln2_hi is exact
 * (Sterbenz). 2ⁿ for n down to −150 (results in the subnormal range) is built as 2^⌊n/2⌋·2^⌈n/2⌉:
 * both factors are normal, and the last product rounds once.
 * Arguments below −104 give 0 (e^{−104} < 2⁻¹⁵⁰, half the smallest subnormal); NaN stays NaN.
 */

// Cody–Waite constants: ln 2 = LN2_HI + LN2_LO, LN2_HI = 0x3f317200 (15 significant bits).
const LOG2E: f32 = 1.4426950408889634;
const LN2_HI: f32 = 0.693145751953125;
const LN2_LO: f32 = 1.428606765330187e-6;
/** Below this, e^y rounds to 0 in f32. */
const EXP_MIN: f32 = -104;

/** ln 2 split for log1p: LN2_HI_LOG + LN2_LO_LOG = ln 2 to about 2⁻⁴⁸. */
const LN2_HI_LOG: f32 = 0.693145751953125;
const LN2_LO_LOG: f32 = 1.428606765330187e-6;
/** √2 − 1: log1p's argument is reduced below this (atanh's series converges fast). */
const SQRT2_MINUS_1: f32 = 0.41421356237309503;

/**
 * 1.5·2²³: adding it to |v| < 2²² rounds v to an integer n (the f32 ulp there is 1) and leaves n
 * in the low bits of the sum; cheaper on x64 than f32x4.nearest plus i32x4.trunc_sat_f32x4_s.
 */
const ROUNDER: f32 = 12582912;
const ROUNDER_BITS: i32 = 0x4b400000;

export class VecMath {
  /**
   * y·log₂e + 1.5·2²³ (y clamped to [−104, 0] by the caller): n = round(y·log₂e) is this minus
   * 1.5·2²³, and its integer value is the low bits of this (exponentOf, scaleLow, scaleHigh).
   */
  @inline static expRounded(y: v128): v128 {
    return f32x4.add(f32x4.mul(y, f32x4.splat(LOG2E)), f32x4.splat(ROUNDER));
  }

  /** n as f32 lanes, from expRounded's result. */
  @inline static exponentOf(rounded: v128): v128 {
    return f32x4.sub(rounded, f32x4.splat(ROUNDER));
  }

  /** r = y − n·ln 2, in two steps (Cody–Waite). */
  @inline static expReduced(y: v128, n: v128): v128 {
    const r = f32x4.sub(y, f32x4.mul(n, f32x4.splat(LN2_HI)));
    return f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  }

  /** e^r − 1 for |r| ≤ ½ln 2 + 2⁻²³: the Taylor polynomial to r⁷, by Horner's rule. */
  @inline static expm1Reduced(r: v128): v128 {
    let q = f32x4.splat(<f32>(1.0 / 5040.0));
    q = f32x4.add(f32x4.splat(<f32>(1.0 / 720.0)), f32x4.mul(r, q));
    q = f32x4.add(f32x4.splat(<f32>(1.0 / 120.0)), f32x4.mul(r, q));
    q = f32x4.add(f32x4.splat(<f32>(1.0 / 24.0)), f32x4.mul(r, q));
    q = f32x4.add(f32x4.splat(<f32>(1.0 / 6.0)), f32x4.mul(r, q));
    q = f32x4.add(f32x4.splat(<f32>0.5), f32x4.mul(r, q));
    return f32x4.add(r, f32x4.mul(f32x4.mul(r, r), q));
  }

  /** 2^⌊n/2⌋ for n ∈ [−150, 0], from expRounded's result. */
  @inline static scaleLow(rounded: v128): v128 {
    const half = i32x4.shr_s(i32x4.sub(rounded, i32x4.splat(ROUNDER_BITS)), 1);
    return i32x4.shl(i32x4.add(half, i32x4.splat(127)), 23);
  }

  /** 2^(n − ⌊n/2⌋), the other factor of 2ⁿ. */
  @inline static scaleHigh(rounded: v128): v128 {
    const whole = i32x4.sub(rounded, i32x4.splat(ROUNDER_BITS));
    const rest = i32x4.sub(whole, i32x4.shr_s(whole, 1));
    return i32x4.shl(i32x4.add(rest, i32x4.splat(127)), 23);
  }

  /**
   * max(y, −104), keeping NaN: the domain of the exponential helpers. pmax(y, c) is
   * y < c ? c : y, one instruction on x64, and NaN < c is false.
   */
  @inline static clampExp(y: v128): v128 {
    return f32x4.pmax(y, f32x4.splat(EXP_MIN));
  }

  /** e^y for y ≤ 0 (any y ≤ 0, ±0, −∞ or NaN). */
  @inline static exp(y: v128): v128 {
    const clamped = VecMath.clampExp(y);
    const rounded = VecMath.expRounded(clamped);
    const p = VecMath.expm1Reduced(VecMath.expReduced(clamped, VecMath.exponentOf(rounded)));
    const scaled = f32x4.mul(f32x4.add(f32x4.splat(1), p), VecMath.scaleLow(rounded));
    return f32x4.mul(scaled, VecMath.scaleHigh(rounded));
  }

  /**
   * 2·atanh(s) = ln((1 + s)/(1 − s)) for |s| ≤ 3 − 2√2 ≈ 0.1716: the odd series to s¹¹
   * (truncation below 2⁻²⁹ relative).
   */
  @inline static twiceAtanh(s: v128): v128 {
    const s2 = f32x4.mul(s, s);
    let q = f32x4.splat(<f32>(2.0 / 11.0));
    q = f32x4.add(f32x4.splat(<f32>(2.0 / 9.0)), f32x4.mul(s2, q));
    q = f32x4.add(f32x4.splat(<f32>(2.0 / 7.0)), f32x4.mul(s2, q));
    q = f32x4.add(f32x4.splat(<f32>(2.0 / 5.0)), f32x4.mul(s2, q));
    q = f32x4.add(f32x4.splat(<f32>(2.0 / 3.0)), f32x4.mul(s2, q));
    return f32x4.add(f32x4.add(s, s), f32x4.mul(f32x4.mul(s, s2), q));
  }

  /**
   * log1p(y) for y ∈ [0, 1] (or NaN), accurate relative to the result as y → 0:
   * y < √2 − 1: 2·atanh(y/(2 + y)); otherwise ln 2 + 2·atanh((y − 1)/(y + 3)), since
   * 1 + y = 2·m with m = (1 + y)/2 ∈ [0.707, 1] and (m − 1)/(m + 1) = (y − 1)/(y + 3).
   * Both arguments have |s| ≤ 0.1716; the second result is at least ln 2 − 0.347, so adding
   * ln 2 cancels nothing.
   */
  @inline static log1pUnit(y: v128): v128 {
    const small = f32x4.lt(y, f32x4.splat(SQRT2_MINUS_1));
    const one = f32x4.splat(1);
    const numerator = v128.bitselect(y, f32x4.sub(y, one), small);
    const denominator = v128.bitselect(
      f32x4.add(y, f32x4.splat(2)),
      f32x4.add(y, f32x4.splat(3)),
      small,
    );
    const series = VecMath.twiceAtanh(f32x4.div(numerator, denominator));
    const ln2Hi = v128.andnot(f32x4.splat(LN2_HI_LOG), small);
    const ln2Lo = v128.andnot(f32x4.splat(LN2_LO_LOG), small);
    return f32x4.add(f32x4.add(ln2Hi, series), ln2Lo);
  }

  /** |x| with the sign of `sign` (copysign). */
  @inline static withSignOf(magnitude: v128, sign: v128): v128 {
    const signBit = i32x4.splat(0x80000000);
    return v128.or(v128.andnot(magnitude, signBit), v128.and(sign, signBit));
  }
}
