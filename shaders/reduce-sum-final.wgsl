// Last level of an f32 sum: one workgroup adds scratch[partialOffset .. partialOffset + count)
// (each invocation in order over its strided share, then pairwise across the workgroup) and
// writes the f32 bits to stats[outWord].

struct Params {
  partialOffset: u32,
  count: u32,
  outWord: u32,
}

@group(0) @binding(0) var<storage, read> scratch: array<u32>;
@group(0) @binding(1) var<storage, read_write> stats: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var sum = 0.0;
  for (var j = lid; j < params.count; j += WG) {
    sum += bitcast<f32>(scratch[params.partialOffset + j]);
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
    stats[params.outWord] = bitcast<u32>(partial[0]);
  }
}
