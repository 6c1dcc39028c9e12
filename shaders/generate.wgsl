// Fills a buffer with scale·N(0, 1) or U(−scale, scale) numbers from a Philox stream, in place on
// the GPU: weights, biases, inputs and targets under --rng philox are never uploaded.

struct Params {
  count: u32,
  seed: u32,
  layer: u32,
  purpose: u32,
  uniform_draw: u32,  // 1: U(−scale, scale), 0: scale·N(0, 1)
  scale: f32,
}

@group(0) @binding(0) var<storage, read_write> values: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.count) {
    return;
  }
  if (params.uniform_draw == 1u) {
    values[i] = params.scale * (2.0 * gl_philox_uniform(params.seed, params.layer, params.purpose, i) - 1.0);
  } else {
    values[i] = params.scale * gl_philox_normal(params.seed, params.layer, params.purpose, i);
  }
}
