/** Test matrices shared by the matmul tests of every backend (TypeScript, wasm, WGSL). */

/** Deterministic uniform [0, 1) stream (mulberry32), so that a failure reproduces. */
export function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * f32 values in ±[2^-6, 2^6) with random signs: a spread of magnitudes, so that rounding and
 * cancellation are exercised, but far from f32 overflow and underflow.
 */
export function randomMatrix(length: number, random: () => number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const magnitude = 2 ** (12 * random() - 6);
    out[i] = random() < 0.5 ? -magnitude : magnitude;
  }
  return out;
}
