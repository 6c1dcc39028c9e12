/**
 * Peak-throughput micro-kernels for the roofline (src/backends/cpu/roofline.ts), in
 * AssemblyScript: twelve independent f32x4 multiply-add chains, c ← c·a + b, that live in
 * registers (12 accumulators and 2 operands of the 16 xmm registers V8 allocates on x64; 13
 * chains spilled in measurements). With no loads or stores, the loop is bound by the
 * floating-point units alone: its rate is the most f32 multiply-adds per second this engine's
 * WebAssembly SIMD can retire on one core. Each chain step is 4 lanes × 2 flops.
 *
 * With a = 0.9999 and b = seed, every chain converges to 10⁴·seed and never leaves the normal
 * range, so no lane slows down on subnormals or infinities.
 *
 * Measured on the 2-core AMD EPYC of docs/benchmarks.md (Node 20): with mul + add, 8 chains gave
 * 32, 10 gave 40, 12 gave 45 GFLOP/s (latency-bound below 12); with relaxed_madd, 10 and 12
 * chains both gave 55 GFLOP/s.
 */

/** `iterations` steps of the twelve chains with f32x4.mul then f32x4.add (two roundings). */
export function peakMulAdd(iterations: i32, seed: f32): f32 {
  const a = f32x4.splat(0.9999);
  const b = f32x4.splat(seed);
  let c0 = f32x4.splat(0.1);
  let c1 = f32x4.splat(0.2);
  let c2 = f32x4.splat(0.3);
  let c3 = f32x4.splat(0.4);
  let c4 = f32x4.splat(0.5);
  let c5 = f32x4.splat(0.6);
  let c6 = f32x4.splat(0.7);
  let c7 = f32x4.splat(0.8);
  let c8 = f32x4.splat(0.9);
  let c9 = f32x4.splat(1.0);
  let c10 = f32x4.splat(1.1);
  let c11 = f32x4.splat(1.2);
  for (let i = 0; i < iterations; i++) {
    c0 = f32x4.add(f32x4.mul(c0, a), b);
    c1 = f32x4.add(f32x4.mul(c1, a), b);
    c2 = f32x4.add(f32x4.mul(c2, a), b);
    c3 = f32x4.add(f32x4.mul(c3, a), b);
    c4 = f32x4.add(f32x4.mul(c4, a), b);
    c5 = f32x4.add(f32x4.mul(c5, a), b);
    c6 = f32x4.add(f32x4.mul(c6, a), b);
    c7 = f32x4.add(f32x4.mul(c7, a), b);
    c8 = f32x4.add(f32x4.mul(c8, a), b);
    c9 = f32x4.add(f32x4.mul(c9, a), b);
    c10 = f32x4.add(f32x4.mul(c10, a), b);
    c11 = f32x4.add(f32x4.mul(c11, a), b);
  }
  return sum12(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
}

/**
 * The same chains with f32x4.relaxed_madd (one fused multiply-add where the CPU has FMA) in the
 * relaxed-SIMD build, and with mul + add in the plain one: the peak of the instruction that this
 * build's matmul micro-kernel uses.
 */
export function peakKernelMulAdd(iterations: i32, seed: f32): f32 {
  if (!ASC_FEATURE_RELAXED_SIMD) return peakMulAdd(iterations, seed);
  const a = f32x4.splat(0.9999);
  const b = f32x4.splat(seed);
  let c0 = f32x4.splat(0.1);
  let c1 = f32x4.splat(0.2);
  let c2 = f32x4.splat(0.3);
  let c3 = f32x4.splat(0.4);
  let c4 = f32x4.splat(0.5);
  let c5 = f32x4.splat(0.6);
  let c6 = f32x4.splat(0.7);
  let c7 = f32x4.splat(0.8);
  let c8 = f32x4.splat(0.9);
  let c9 = f32x4.splat(1.0);
  let c10 = f32x4.splat(1.1);
  let c11 = f32x4.splat(1.2);
  for (let i = 0; i < iterations; i++) {
    c0 = f32x4.relaxed_madd(c0, a, b);
    c1 = f32x4.relaxed_madd(c1, a, b);
    c2 = f32x4.relaxed_madd(c2, a, b);
    c3 = f32x4.relaxed_madd(c3, a, b);
    c4 = f32x4.relaxed_madd(c4, a, b);
    c5 = f32x4.relaxed_madd(c5, a, b);
    c6 = f32x4.relaxed_madd(c6, a, b);
    c7 = f32x4.relaxed_madd(c7, a, b);
    c8 = f32x4.relaxed_madd(c8, a, b);
    c9 = f32x4.relaxed_madd(c9, a, b);
    c10 = f32x4.relaxed_madd(c10, a, b);
    c11 = f32x4.relaxed_madd(c11, a, b);
  }
  return sum12(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
}

/** Lane 0 of the sum of the chains: a result the optimizer cannot drop. */
function sum12(
  c0: v128,
  c1: v128,
  c2: v128,
  c3: v128,
  c4: v128,
  c5: v128,
  c6: v128,
  c7: v128,
  c8: v128,
  c9: v128,
  c10: v128,
  c11: v128,
): f32 {
  const s0 = f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3));
  const s1 = f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7));
  const s2 = f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11));
  return f32x4.extract_lane(f32x4.add(f32x4.add(s0, s1), s2), 0);
}
