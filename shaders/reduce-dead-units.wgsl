// Dead units, first level: a unit (row of preResidual, units × batch) is dead when every entry of
// its row is exactly ±0 (a NaN is not zero). Each workgroup takes blocks of WG / lanes rows, with
// `lanes` invocations per row (a power of two ≤ WG chosen from the batch, so that a batch of 1
// keeps all WG invocations busy and a long row is read by many, coalesced): each lane ORs the
// magnitude bits of its strided share of the row and marks the row live in workgroup memory, and
// the row's lane 0 counts it when no lane did. The workgroup's count goes to
// scratch[SCRATCH_DEAD · partialStride + group].

struct Params {
  units: u32,
  batch: u32,
  lanes: u32,
  groups: u32,
  partialStride: u32,
}

@group(0) @binding(0) var<storage, read> preResidual: array<u32>;
@group(0) @binding(1) var<storage, read_write> scratch: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

/** Per row of the block: non-zero once a lane has seen a non-zero entry. */
var<workgroup> live: array<atomic<u32>, WG>;
var<workgroup> deadTotal: atomic<u32>;

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
  let lanes = params.lanes;
  let rowsPerBlock = WG / lanes;
  let lane = lid % lanes;
  let rowInBlock = lid / lanes;
  atomicStore(&live[lid], 0u);
  if (lid == 0u) {
    atomicStore(&deadTotal, 0u);
  }
  workgroupBarrier();
  var dead = 0u;
  for (var block = group; block * rowsPerBlock < params.units; block += params.groups) {
    let row = block * rowsPerBlock + rowInBlock;
    if (row < params.units) {
      var magnitudes = 0u;
      let start = row * params.batch;
      for (var b = lane; b < params.batch; b += lanes) {
        magnitudes |= preResidual[start + b] & 0x7fffffffu;
      }
      if (magnitudes != 0u) {
        atomicOr(&live[rowInBlock], 1u);
      }
    }
    workgroupBarrier();
    // Lane 0 is the row's only reader, so it clears the mark for the next block right away.
    if (lane == 0u && row < params.units) {
      if (atomicExchange(&live[rowInBlock], 0u) == 0u) {
        dead += 1u;
      }
    }
    workgroupBarrier();
  }
  if (dead != 0u) {
    atomicAdd(&deadTotal, dead);
  }
  workgroupBarrier();
  if (lid == 0u) {
    scratch[SCRATCH_DEAD * params.partialStride + group] = atomicLoad(&deadTotal);
  }
}
