// Σx² of input[0..length), first level: workgroup g sums the squares of the entries
// g·WG + lid + k·(groups·WG), each invocation in order over k, then the workgroup's WG sums
// pairwise (a tree in workgroup memory), and writes one f32 partial to scratch[partialOffset + g].

struct Params {
  length: u32,
  groups: u32,
  partialOffset: u32,
}

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read_write> scratch: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

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
  let stride = params.groups * WG;
  var sum = 0.0;
  for (var i = group * WG + lid; i < params.length; i += stride) {
    let x = input[i];
    sum += x * x;
  }
  partial[lid] = sum;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    if (lid < half) {
      partial[lid] += partial[lid + half];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    scratch[params.partialOffset + group] = bitcast<u32>(partial[0]);
  }
}
