// Layer statistics, last level (one workgroup): combines the partials of
// reduce-activation-partials and reduce-dead-units, writes the record's activationSum,
// activationMin/Max, nonFinite, deadUnits and saturated fields, zeroes its histogram counts (which
// reduce-centered-histogram then adds to), and leaves for that kernel in the scratch parameter
// block: the mean, the minimum and the histogram's scale.
//
// The histogram's binning rule, for f32 values (fl = round to nearest f32; the CPU must evaluate
// the same expression, with Math.fround at each step, to agree bin for bin):
//   halfWidth = fl(max·½ − min·½)                  (never overflows, unlike max − min)
//   halfWidth < 2⁻⁶⁴ (also max == min):            every finite value in bin 0
//   otherwise  scale = fl(bins / halfWidth),
//              bin = min(bins − 1, ⌊fl(fl(v·½ − min·½) · scale)⌋)
// Away from overflow and underflow this is exactly
//   min(bins − 1, ⌊fl(fl(v − min) · fl(bins / fl(max − min)))⌋),
// the CPU's formula in f32, since halving commutes with rounding. WGSL rounds +, −, × correctly
// but lets division be off by 2.5 ulp, so the scale is divided here exactly, in integers. A
// product by ½ is exact, so contracting v·½ − min·½ into an fma changes nothing. The 2⁻⁶⁴ floor
// keeps every quantity that decides a bin far from the subnormals that a GPU may flush to zero.

struct Params {
  groups: u32,
  deadGroups: u32,
  length: u32,
  recordOffset: u32,
  bins: u32,
}

@group(0) @binding(0) var<storage, read_write> scratch: array<u32>;
@group(0) @binding(1) var<storage, read_write> stats: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> sums: array<f32, WG>;
var<workgroup> minKeys: array<u32, WG>;
var<workgroup> maxKeys: array<u32, WG>;
var<workgroup> nonFinite: array<u32, WG>;
var<workgroup> saturated: array<u32, WG>;
var<workgroup> dead: array<u32, WG>;

const NAN_BITS = 0x7fc00000u;
/** Bits of 2⁻⁶⁴: below this half-width every finite value goes to bin 0. */
const MIN_HALF_WIDTH_BITS = 0x1f800000u;

/**
 * fl(bins / w) for 1 ≤ bins < 2²³ and a normal positive w, correctly rounded (to nearest, ties to
 * even), as (scale·2³², 2⁻³²) when the quotient is subnormal and (scale, 1) otherwise: the
 * histogram multiplies by both, so no subnormal operand ever reaches the GPU's multiplier.
 */
fn exact_scale(bins: u32, widthBits: u32) -> vec2<f32> {
  // w = mantissa · 2^exponent with a 24-bit integer mantissa.
  let mantissa = (widthBits & 0x7fffffu) | 0x800000u;
  let exponent = i32((widthBits >> 23u) & 0xffu) - 150;
  // Long division of bins by the mantissa. Normalize so that mantissa ≤ numerator < 2·mantissa
  // (bins < 2²³ ≤ mantissa, so only doubling is needed):
  // bins / mantissa = (numerator / mantissa)·2^shift.
  var numerator = bins;
  var shift = 0i;
  while (numerator < mantissa) {
    numerator <<= 1u;
    shift -= 1;
  }
  // bins / w lies in [2^(biased − 127), 2^(biased − 126)).
  var biased = shift - exponent + 127;
  // Quotient bits to keep: 24 for a normal result, fewer for a subnormal one (whose last bit is
  // worth 2⁻¹⁴⁹).
  let keep = u32(clamp(23 + biased, 1, 24));
  var quotient = 0u;
  for (var i = 0u; i < keep; i++) {
    quotient <<= 1u;
    if (numerator >= mantissa) {
      numerator -= mantissa;
      quotient |= 1u;
    }
    numerator <<= 1u;
  }
  // Round to nearest, ties to even: the next bit, then whether anything remains.
  if (numerator >= mantissa) {
    numerator -= mantissa;
    if (numerator != 0u || (quotient & 1u) != 0u) {
      quotient += 1u;
    }
  }
  if (biased >= 1) {
    if (quotient == 0x1000000u) {
      quotient = 0x800000u;
      biased += 1;
    }
    return vec2<f32>(bitcast<f32>((u32(biased) << 23u) | (quotient & 0x7fffffu)), 1.0);
  }
  // Subnormal: the value is quotient · 2⁻¹⁴⁹ (quotient == 2²³ is the smallest normal, and the same
  // formula). f32(quotient) is exact and 2⁻¹¹⁷ keeps the product normal: scale·2³².
  return vec2<f32>(f32(quotient) * bitcast<f32>(10u << 23u), bitcast<f32>(95u << 23u));
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  let groups = params.groups;
  var sum = 0.0;
  var minKey = 0xffffffffu;
  var maxKey = 0u;
  var nonFiniteCount = 0u;
  var saturatedCount = 0u;
  for (var j = lid; j < groups; j += WG) {
    sum += bitcast<f32>(scratch[SCRATCH_SUM * groups + j]);
    minKey = min(minKey, scratch[SCRATCH_MIN_KEY * groups + j]);
    maxKey = max(maxKey, scratch[SCRATCH_MAX_KEY * groups + j]);
    nonFiniteCount += scratch[SCRATCH_NON_FINITE * groups + j];
    saturatedCount += scratch[SCRATCH_SATURATED * groups + j];
  }
  var deadCount = 0u;
  for (var j = lid; j < params.deadGroups; j += WG) {
    deadCount += scratch[SCRATCH_DEAD * groups + j];
  }
  sums[lid] = sum;
  minKeys[lid] = minKey;
  maxKeys[lid] = maxKey;
  nonFinite[lid] = nonFiniteCount;
  saturated[lid] = saturatedCount;
  dead[lid] = deadCount;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    if (lid < half) {
      sums[lid] += sums[lid + half];
      minKeys[lid] = min(minKeys[lid], minKeys[lid + half]);
      maxKeys[lid] = max(maxKeys[lid], maxKeys[lid + half]);
      nonFinite[lid] += nonFinite[lid + half];
      saturated[lid] += saturated[lid + half];
      dead[lid] += dead[lid + half];
    }
    workgroupBarrier();
  }

  let record = params.recordOffset;
  for (var b = lid; b < params.bins; b += WG) {
    stats[record + HEADER_WORDS + b] = 0u;
  }
  if (lid != 0u) {
    return;
  }
  stats[record + FIELD_ACTIVATION_SUM] = bitcast<u32>(sums[0]);
  stats[record + FIELD_NON_FINITE] = nonFinite[0];
  stats[record + FIELD_DEAD_UNITS] = dead[0];
  stats[record + FIELD_SATURATED] = saturated[0];

  let parameters = SCRATCH_PARAMS * groups;
  scratch[parameters + PARAM_MEAN] = bitcast<u32>(sums[0] / f32(params.length));
  // Default: every finite value in bin 0 (also when there is none).
  scratch[parameters + PARAM_MODE] = 0u;
  if (minKeys[0] == 0xffffffffu) {
    // No finite activation: no range, as the CPU's NaN.
    stats[record + FIELD_ACTIVATION_MIN] = NAN_BITS;
    stats[record + FIELD_ACTIVATION_MAX] = NAN_BITS;
    return;
  }
  let minBits = key_bits(minKeys[0]);
  let maxBits = key_bits(maxKeys[0]);
  stats[record + FIELD_ACTIVATION_MIN] = minBits;
  stats[record + FIELD_ACTIVATION_MAX] = maxBits;
  scratch[parameters + PARAM_MIN] = minBits;
  let halfWidthBits = bitcast<u32>(bitcast<f32>(maxBits) * 0.5 - bitcast<f32>(minBits) * 0.5);
  // A sign bit (−0 after a flush) or a width below 2⁻⁶⁴: bin 0 for all.
  if (halfWidthBits >= 0x80000000u || halfWidthBits < MIN_HALF_WIDTH_BITS) {
    return;
  }
  let scale = exact_scale(params.bins, halfWidthBits);
  scratch[parameters + PARAM_SCALE] = bitcast<u32>(scale.x);
  scratch[parameters + PARAM_PRESCALE] = bitcast<u32>(scale.y);
  scratch[parameters + PARAM_MODE] = 1u;
}
