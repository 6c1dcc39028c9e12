// Philox4x32-10 (Salmon et al., SC 2011) and the draws gradlab makes from it. Twin of
// src/engine/rng.ts: element i of stream (seed, layer, purpose) uses counter (i, layer, purpose, 0)
// and key (seed, 0), so the GPU produces the very same 32-bit words as the CPU.

fn gl_mulhi32(a: u32, b: u32) -> u32 {
  // High word of the 64-bit product, from 16-bit limbs (WGSL has no 64-bit integers).
  let al = a & 0xffffu;
  let ah = a >> 16u;
  let bl = b & 0xffffu;
  let bh = b >> 16u;
  let ll = al * bl;
  let lh = al * bh;
  let hl = ah * bl;
  let hh = ah * bh;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}

fn gl_philox4x32(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var x = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    let hi0 = gl_mulhi32(0xd2511f53u, x.x);
    let lo0 = 0xd2511f53u * x.x;
    let hi1 = gl_mulhi32(0xcd9e8d57u, x.z);
    let lo1 = 0xcd9e8d57u * x.z;
    x = vec4<u32>(hi1 ^ x.y ^ k.x, lo1, hi0 ^ x.w ^ k.y, lo0);
    k = k + vec2<u32>(0x9e3779b9u, 0xbb67ae85u);
  }
  return x;
}

// The CPU's 53-bit uniform ((a >> 5)·2²⁶ + (b >> 6))·2⁻⁵³ to f32 precision: a's 27 bits, then b's 26,
// summed smallest first, so values near 0 keep f32's full relative precision.
fn gl_uniform(a: u32, b: u32) -> f32 {
  let low = f32(b >> 6u) * 1.1102230246251565e-16 + f32((a >> 5u) & 7u) * 7.450580596923828e-9;
  return low + f32(a >> 8u) * 5.9604644775390625e-8;
}

// −ln(u₁) for u₁ = 1 − t, t = the 53-bit uniform of (a, b), accurate to f32 everywhere: for t ≤ 0.25
// the series 2·atanh(s), s = t/(2 − t) (WGSL's log is only 2⁻²¹-accurate in absolute terms near 1);
// beyond, log of u₁ computed from the complemented bits, (2⁵³ − N)·2⁻⁵³, so that small u₁ (the
// normal's tails) keep their relative precision instead of cancelling in 1 − t.
fn gl_neg_log_u1(a: u32, b: u32) -> f32 {
  let t = gl_uniform(a, b);
  if (t > 0.25) {
    return -log(gl_uniform(~a, ~b) + 1.1102230246251565e-16);
  }
  let s = t / (2.0 - t);
  let s2 = s * s;
  return 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 +
    s2 * (1.0 / 11.0))))));
}

// cos(2πu) for u ∈ [0, 1), accurate to f32 (WGSL only promises 2⁻¹¹ absolute for cos): reduce to
// θ ∈ [0, π/4] by symmetry, then Taylor series for cos or sin.
fn gl_cos_2pi(u: f32) -> f32 {
  let v = abs(u - round(u));            // cos is even and 1-periodic in u: v ∈ [0, 0.5]
  let flip = v > 0.25;                  // cos(2πv) = −cos(2π(0.5 − v))
  let w = select(v, 0.5 - v, flip);     // w ∈ [0, 0.25]
  var c: f32;
  if (w <= 0.125) {
    let t = 6.283185307179586 * w;
    let t2 = t * t;
    c = 1.0 + t2 * (-0.5 + t2 * (1.0 / 24.0 + t2 * (-1.0 / 720.0 + t2 * (1.0 / 40320.0 +
      t2 * (-1.0 / 3628800.0)))));
  } else {
    let t = 6.283185307179586 * (0.25 - w);   // cos(2πw) = sin(2π(0.25 − w))
    let t2 = t * t;
    c = t * (1.0 + t2 * (-1.0 / 6.0 + t2 * (1.0 / 120.0 + t2 * (-1.0 / 5040.0 + t2 * (1.0 / 362880.0 +
      t2 * (-1.0 / 39916800.0))))));
  }
  return select(c, -c, flip);
}

// Standard normal number `index` of stream (seed, layer, purpose): Box–Muller, as on the CPU.
fn gl_philox_normal(seed: u32, layer: u32, purpose: u32, index: u32) -> f32 {
  let w = gl_philox4x32(vec4<u32>(index, layer, purpose, 0u), vec2<u32>(seed, 0u));
  let u2 = gl_uniform(w.z, w.w);
  return sqrt(2.0 * gl_neg_log_u1(w.x, w.y)) * gl_cos_2pi(u2);
}

// Uniform number `index` of the stream, in [0, 1).
fn gl_philox_uniform(seed: u32, layer: u32, purpose: u32, index: u32) -> f32 {
  let w = gl_philox4x32(vec4<u32>(index, layer, purpose, 0u), vec2<u32>(seed, 0u));
  return gl_uniform(w.x, w.y);
}
