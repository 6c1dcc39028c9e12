/**
 * The backward pass's elementwise product and the per-layer reductions in f32x4, in
 * AssemblyScript. Sums are accumulated in f64 (a square of an f32 is exact in f64), as the
 * TypeScript path of pass-rows.ts does, so a sum differs from it only in the order of its terms.
 * Buffers are read (and written) in whole f32x4: each needs room for `count` rounded up to a
 * multiple of 4.
 */

/** δ = g ⊙ f′ into `out` (may be g); returns Σδ² in f64. */
export function delta(g: usize, d: usize, out: usize, count: i32): f64 {
  const lanes = i32x4(0, 1, 2, 3);
  let sumLow = f64x2.splat(0);
  let sumHigh = f64x2.splat(0);
  for (let i = 0; i < count; i += 4) {
    const offset = (<usize>i) << 2;
    const value = f32x4.mul(v128.load(g + offset), v128.load(d + offset));
    v128.store(out + offset, value);
    const counted = v128.and(value, i32x4.lt_s(lanes, i32x4.splat(count - i)));
    const low = f64x2.promote_low_f32x4(counted);
    const high = f64x2.promote_low_f32x4(v128.shuffle<f32>(counted, counted, 2, 3, 0, 1));
    sumLow = f64x2.add(sumLow, f64x2.mul(low, low));
    sumHigh = f64x2.add(sumHigh, f64x2.mul(high, high));
  }
  const sums = f64x2.add(sumLow, sumHigh);
  return f64x2.extract_lane(sums, 0) + f64x2.extract_lane(sums, 1);
}

/** Σv² over `count` f32 values, in f64. */
export function sumOfSquares(values: usize, count: i32): f64 {
  const lanes = i32x4(0, 1, 2, 3);
  let sumLow = f64x2.splat(0);
  let sumHigh = f64x2.splat(0);
  for (let i = 0; i < count; i += 4) {
    const v = v128.load(values + ((<usize>i) << 2));
    const counted = v128.and(v, i32x4.lt_s(lanes, i32x4.splat(count - i)));
    const low = f64x2.promote_low_f32x4(counted);
    const high = f64x2.promote_low_f32x4(v128.shuffle<f32>(counted, counted, 2, 3, 0, 1));
    sumLow = f64x2.add(sumLow, f64x2.mul(low, low));
    sumHigh = f64x2.add(sumHigh, f64x2.mul(high, high));
  }
  const sums = f64x2.add(sumLow, sumHigh);
  return f64x2.extract_lane(sums, 0) + f64x2.extract_lane(sums, 1);
}

/**
 * The second statistics pass over `count` values of a layer: returns Σ(v − mean)² in f64 and
 * adds the histogram of the finite values to the i32 `counts` (`bins` of them), by the GPU's
 * rule in f32 (pass-rows.ts statisticsRows): bin = min(bins − 1, ⌊(v/2 − min/2)·scale⌋), with
 * everything in bin 0 when scale is 0. With `histogram` false (every value of the layer is
 * non-finite) only the squares are summed.
 */
export function centeredSquares(
  values: usize,
  count: i32,
  mean: f64,
  halfMin: f32,
  scale: f32,
  bins: i32,
  counts: usize,
  histogram: bool,
): f64 {
  const lanes = i32x4(0, 1, 2, 3);
  const zero = f32x4.splat(0);
  const means = f64x2.splat(mean);
  const halves = f32x4.splat(0.5);
  const halfMins = f32x4.splat(halfMin);
  const scales = f32x4.splat(scale);
  const lastBin = i32x4.splat(bins - 1);
  let sumLow = f64x2.splat(0);
  let sumHigh = f64x2.splat(0);
  for (let i = 0; i < count; i += 4) {
    const v = v128.load(values + ((<usize>i) << 2));
    const valid = i32x4.lt_s(lanes, i32x4.splat(count - i));
    // (v − mean)² in f64, lanes past `count` masked to 0.
    const low = v128.and(
      f64x2.sub(f64x2.promote_low_f32x4(v), means),
      i64x2.extend_low_i32x4_s(valid),
    );
    const high = v128.and(
      f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)), means),
      i64x2.extend_high_i32x4_s(valid),
    );
    sumLow = f64x2.add(sumLow, f64x2.mul(low, low));
    sumHigh = f64x2.add(sumHigh, f64x2.mul(high, high));
    if (!histogram) continue;
    // A finite (v − v = 0), counted value adds 1 to its bin; any other lane adds 0 to bin 0.
    const taken = v128.and(f32x4.eq(f32x4.sub(v, v), zero), valid);
    const position = f32x4.mul(f32x4.sub(f32x4.mul(v, halves), halfMins), scales);
    const bin = v128.and(i32x4.min_s(i32x4.trunc_sat_f32x4_s(position), lastBin), taken);
    const by = i32x4.shr_u(taken, 31);
    Histogram.add(counts, i32x4.extract_lane(bin, 0), i32x4.extract_lane(by, 0));
    Histogram.add(counts, i32x4.extract_lane(bin, 1), i32x4.extract_lane(by, 1));
    Histogram.add(counts, i32x4.extract_lane(bin, 2), i32x4.extract_lane(by, 2));
    Histogram.add(counts, i32x4.extract_lane(bin, 3), i32x4.extract_lane(by, 3));
  }
  const sums = f64x2.add(sumLow, sumHigh);
  return f64x2.extract_lane(sums, 0) + f64x2.extract_lane(sums, 1);
}

class Histogram {
  @inline static add(counts: usize, bin: i32, by: i32): void {
    const at = counts + ((<usize>bin) << 2);
    store<i32>(at, load<i32>(at) + by);
  }
}
