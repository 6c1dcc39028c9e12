// Layer statistics, second pass over the activations (after reduce-activation-final): per
// workgroup, the f32 sum of (a − mean)² over every a (a non-finite mean or a makes it
// non-finite, as on the CPU), written as a partial to scratch[SCRATCH_SUM · groups + group]; and
// the histogram of the finite a, counted in workgroup atomics and then added to the record's
// counts. The binning rule is stated in reduce-activation-final.wgsl, which computed the scale.

struct Params {
  length: u32,
  groups: u32,
  histogramWord: u32,
  bins: u32,
}

@group(0) @binding(0) var<storage, read> activations: array<u32>;
@group(0) @binding(1) var<storage, read_write> scratch: array<u32>;
@group(0) @binding(2) var<storage, read_write> stats: array<atomic<u32>>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> counts: array<atomic<u32>, MAX_BINS>;
var<workgroup> partial: array<f32, WG>;

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
  let bins = params.bins;
  for (var b = lid; b < bins; b += WG) {
    atomicStore(&counts[b], 0u);
  }
  workgroupBarrier();

  let parameters = SCRATCH_PARAMS * params.groups;
  let mean = bitcast<f32>(scratch[parameters + PARAM_MEAN]);
  let binned = scratch[parameters + PARAM_MODE] == 1u;
  let halfMin = bitcast<f32>(scratch[parameters + PARAM_MIN]) * 0.5;
  let scale = bitcast<f32>(scratch[parameters + PARAM_SCALE]);
  let prescale = bitcast<f32>(scratch[parameters + PARAM_PRESCALE]);
  let lastBin = bins - 1u;

  let stride = params.groups * WG;
  var centered = 0.0;
  for (var i = group * WG + lid; i < params.length; i += stride) {
    let bits = activations[i];
    let deviation = bitcast<f32>(bits) - mean;
    centered += deviation * deviation;
    if (is_finite_bits(bits)) {
      var bin = 0u;
      if (binned) {
        let halfOffset = bitcast<f32>(bits) * 0.5 - halfMin;
        bin = min(lastBin, u32(floor((halfOffset * prescale) * scale)));
      }
      atomicAdd(&counts[bin], 1u);
    }
  }
  partial[lid] = centered;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    if (lid < half) {
      partial[lid] += partial[lid + half];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    scratch[SCRATCH_SUM * params.groups + group] = bitcast<u32>(partial[0]);
  }
  for (var b = lid; b < bins; b += WG) {
    let count = atomicLoad(&counts[b]);
    if (count != 0u) {
      atomicAdd(&stats[params.histogramWord + b], count);
    }
  }
}
