// Helpers shared by every activation's WGSL body (see src/engine/activations.ts, the one table).
// All of them are written so that no intermediate overflows in f32 for any finite input.

fn gl_sigmoid(x: f32) -> f32 {
  // e^{-|x|} never overflows; the branch picks σ(x) or 1 − σ(−x).
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

fn gl_expm1(x: f32) -> f32 {
  // e^x − 1 without cancellation near 0: Taylor terms up to x⁷ for |x| < 0.125 (truncation below
  // 1e-12 relative). Past that, exp(x) − 1 loses at most a few ulp of exp to cancellation; nearer 0
  // it would lose ulp(1)/|x| (WGSL allows exp 3 ulp), which at |x| = 0.01 is several times f32's ε.
  if (abs(x) < 0.125) {
    return x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0 +
      x * (1.0 / 720.0 + x * (1.0 / 5040.0)))))));
  }
  return exp(x) - 1.0;
}

fn gl_log1p(x: f32) -> f32 {
  // ln(1 + x) for x ≥ 0. For x ≤ 1 it is 2·atanh(s) with s = x/(2 + x) ≤ 1/3, summed as a series
  // (truncation below 2e-10 relative): only +, ×, ÷, so it keeps f32's relative accuracy for small
  // x. Goldberg's log(1 + x)·x/((1 + x) − 1) needs a log that is accurate near 1, and WGSL only
  // promises 2^-21 absolute error for log on [0.5, 2] (SwiftShader: up to 100% relative error).
  if (x > 1.0) {
    return log(1.0 + x);
  }
  let s = x / (2.0 + x);
  let s2 = s * s;
  return 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 +
    s2 * (1.0 / 11.0 + s2 * (1.0 / 13.0 + s2 * (1.0 / 15.0 + s2 * (1.0 / 17.0)))))))));
}

fn gl_erfcc_poly(t: f32) -> f32 {
  // The Chebyshev fit of Press et al., Numerical Recipes §6.2 (erfcc), with t = 1/(1 + z/2):
  // erfc(z) = t·exp(−z² + P(t)) for z ≥ 0, with fractional error below 1.2e-7 everywhere.
  return -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277))))))));
}

fn gl_erfc_positive(z: f32) -> f32 {
  // erfc(z) for z ≥ 0. Its exp(−z² …) underflows gracefully to 0.
  let t = 1.0 / (1.0 + 0.5 * z);
  return t * exp(-z * z + gl_erfcc_poly(t));
}

fn gl_erfc(x: f32) -> f32 {
  let r = gl_erfc_positive(abs(x));
  return select(2.0 - r, r, x >= 0.0);
}

fn gl_normal_cdf(x: f32) -> f32 {
  // Φ(x) = ½·erfc(−x/√2), accurate in the left tail, where 1 + erf would cancel. The tail
  // ½·erfc(|x|/√2) needs e^{−x²/2}; rounding x²/2 (≈ 50 at x = −10) would cost about x²/2 ulp of
  // relative error, so it is e^{−h²/2}·e^{−(|x|−h)(|x|+h)/2} with h = |x| cut to 12 significant bits,
  // which makes h² exact. Beyond |x| = 40 the tail is 0 in f32.
  let ax = min(abs(x), 40.0);
  let t = 1.0 / (1.0 + 0.5 * (ax * 0.70710678118654752));
  let h = bitcast<f32>(bitcast<u32>(ax) & 0xFFFFF000u);
  let tail = 0.5 * t * exp(-0.5 * h * h) * exp(-0.5 * (ax - h) * (ax + h) + gl_erfcc_poly(t));
  return select(1.0 - tail, tail, x < 0.0);
}
