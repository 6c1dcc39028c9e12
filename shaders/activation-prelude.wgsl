// Helpers shared by every activation's WGSL body (see src/engine/activations.ts, the one table).
// All of them are written so that no intermediate overflows in f32 for any finite input.

fn gl_sigmoid(x: f32) -> f32 {
  // e^{-|x|} never overflows; the branch picks σ(x) or 1 − σ(−x).
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

fn gl_expm1(x: f32) -> f32 {
  // e^x − 1 without cancellation near 0: Taylor terms up to x⁴ for |x| < 1e-2.
  if (abs(x) < 1e-2) {
    return x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0))));
  }
  return exp(x) - 1.0;
}

fn gl_log1p(x: f32) -> f32 {
  // ln(1 + x) for x ≥ 0 without losing small x (Goldberg's trick: u = 1 + x, log(u)·x/(u − 1)).
  let u = 1.0 + x;
  if (u == 1.0) {
    return x;
  }
  return log(u) * x / (u - 1.0);
}

fn gl_erfc_positive(z: f32) -> f32 {
  // erfc(z) for z ≥ 0 with fractional error below 1.2e-7 everywhere: the Chebyshev fit of
  // Press et al., Numerical Recipes §6.2 (erfcc). Its exp(−z² …) underflows gracefully to 0.
  let t = 1.0 / (1.0 + 0.5 * z);
  let poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277))))))));
  return t * exp(-z * z + poly);
}

fn gl_erfc(x: f32) -> f32 {
  let r = gl_erfc_positive(abs(x));
  return select(2.0 - r, r, x >= 0.0);
}

fn gl_normal_cdf(x: f32) -> f32 {
  // Φ(x) = ½·erfc(−x/√2): accurate in the left tail, where 1 + erf would cancel.
  return 0.5 * gl_erfc(-x * 0.70710678118654752);
}
