// Layer statistics, first level, over the activations a and the derivatives φ′ (both units × batch,
// `length` entries): per workgroup, the f32 sum of every a (non-finite included, as the CPU's
// mean), the smallest and largest finite a (as order keys), the count of non-finite a, and the
// count of saturated entries, |φ′| ≤ threshold. Partials go to scratch region k at
// k·groups + group (k = SCRATCH_SUM, SCRATCH_MIN_KEY, …).

struct Params {
  length: u32,
  groups: u32,
  // |φ′| ≤ threshold ⇔ (bits(φ′) & 0x7fffffff) < saturationLimit: for non-negative f32s the bit
  // patterns order like the values, NaNs above +∞ (see saturationLimit in reduce.ts).
  saturationLimit: u32,
}

@group(0) @binding(0) var<storage, read> activations: array<u32>;
@group(0) @binding(1) var<storage, read> derivatives: array<u32>;
@group(0) @binding(2) var<storage, read_write> scratch: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> sums: array<f32, WG>;
var<workgroup> minKeys: array<u32, WG>;
var<workgroup> maxKeys: array<u32, WG>;
var<workgroup> nonFinite: array<u32, WG>;
var<workgroup> saturated: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) workgroup: vec3<u32>,
  @builtin(num_workgroups) workgroups: vec3<u32>,
) {
  let group = linear_group(workgroup, workgroups);
  if (group >= params.groups) {
    return;
  }
  let stride = params.groups * WG;
  var sum = 0.0;
  var minKey = 0xffffffffu;
  var maxKey = 0u;
  var nonFiniteCount = 0u;
  var saturatedCount = 0u;
  for (var i = group * WG + lid; i < params.length; i += stride) {
    let bits = activations[i];
    sum += bitcast<f32>(bits);
    if (is_finite_bits(bits)) {
      let key = order_key(bits);
      minKey = min(minKey, key);
      maxKey = max(maxKey, key);
    } else {
      nonFiniteCount += 1u;
    }
    if ((derivatives[i] & 0x7fffffffu) < params.saturationLimit) {
      saturatedCount += 1u;
    }
  }
  sums[lid] = sum;
  minKeys[lid] = minKey;
  maxKeys[lid] = maxKey;
  nonFinite[lid] = nonFiniteCount;
  saturated[lid] = saturatedCount;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    if (lid < half) {
      sums[lid] += sums[lid + half];
      minKeys[lid] = min(minKeys[lid], minKeys[lid + half]);
      maxKeys[lid] = max(maxKeys[lid], maxKeys[lid + half]);
      nonFinite[lid] += nonFinite[lid + half];
      saturated[lid] += saturated[lid + half];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let groups = params.groups;
    scratch[SCRATCH_SUM * groups + group] = bitcast<u32>(sums[0]);
    scratch[SCRATCH_MIN_KEY * groups + group] = minKeys[0];
    scratch[SCRATCH_MAX_KEY * groups + group] = maxKeys[0];
    scratch[SCRATCH_NON_FINITE * groups + group] = nonFinite[0];
    scratch[SCRATCH_SATURATED * groups + group] = saturated[0];
  }
}
