/**
 * Where the WebGPU backend's per-layer statistics live: one storage buffer of 32-bit words, one
 * record per layer, read back once at the end of a run. Float fields hold f32 bit patterns
 * (`bitcast<u32>` in WGSL), count fields hold u32.
 */

export const StatsField = {
  /** Σ δ² over the layer's δ (f32): gradNorm = √. */
  gradSumSq: 0,
  /** Σ (∂L/∂W)² (f32): weightGradNorm = √. */
  weightGradSumSq: 1,
  /** Σ a over finite and non-finite entries alike (f32), as the CPU's mean. */
  activationSum: 2,
  /** Σ (a − mean)² (f32). */
  activationCenteredSumSq: 3,
  /** Smallest and largest finite activation (f32): the histogram's range. */
  activationMin: 4,
  activationMax: 5,
  /** Activations that are NaN or ±∞ (u32). */
  nonFinite: 6,
  /** Units whose φ(z) is 0 on every sample (u32). */
  deadUnits: 7,
  /** (unit, sample) pairs with |φ′(z)| ≤ threshold (u32). */
  saturated: 8,
  /** Σ (a_L − Y)² for the output layer's record only (f32): loss = ½·this. */
  lossSumSq: 9,
} as const;

/** Words before the histogram in each record. */
export const STATS_HEADER_WORDS = 16;

/** Words per layer record: the header, then `bins` u32 histogram counts. */
export function statsRecordWords(bins: number): number {
  return STATS_HEADER_WORDS + bins;
}

/** Word offset of a layer's record (layer index 0 = layer 1). */
export function statsRecordOffset(layerIndex: number, bins: number): number {
  return layerIndex * statsRecordWords(bins);
}
