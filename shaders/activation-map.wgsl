// Elementwise activation and derivative: the smallest kernel that exercises the activation table
// on the GPU, and the twin of the CPU's fused activation pass. `act_forward` and
// `act_derivative` are spliced in from the activation table by src/backends/webgpu/activation-shader.ts.

struct Params {
  count: u32,
  alpha: f32,
}

@group(0) @binding(0) var<storage, read> inputs: array<f32>;
@group(0) @binding(1) var<storage, read_write> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> derivatives: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= params.count) {
    return;
  }
  let x = inputs[i];
  values[i] = act_forward(x, params.alpha);
  derivatives[i] = act_derivative(x, params.alpha);
}
