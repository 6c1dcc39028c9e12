// Batched matmul C (M×N) = op(A) · op(B), f32 with f32 accumulation. One template for every tile
// config: src/backends/webgpu/kernels/matmul.ts fills in every double-braced name (shape, transposes and
// tile are compile-time constants, so every index divides by a constant and edge checks that a
// shape does not need are not emitted at all).
//
// Structure (the classic shared-memory SGEMM, as in tfjs-backend-webgpu's packed matmul and the
// gpu.cpp matmul steps):
//  - The workgroup owns a TILE_M × TILE_N block of C. Each K step, all invocations copy a
//    TILE_M × TILE_K slice of op(A) and a TILE_K × TILE_N slice of op(B) into workgroup memory,
//    both k-major (tile[k][m], tile[k][n]), so that the inner loop reads contiguous vec4s along m
//    and n whatever the transposes are. Global loads are vec4 where the contiguous dimension
//    allows, and the transposing copy (A not transposed, B transposed) writes to padded rows to
//    spread the stores over the banks.
//  - Global loads for the next K step are issued into registers before the current step's
//    arithmetic, so their latency hides behind it (software pipelining with one shared buffer).
//  - Each invocation accumulates THREAD_M × THREAD_N outputs in registers (an outer product per
//    k), reading strided vec4 fragments so that neighbouring invocations read neighbouring words.
//  - With split-K, the invocations form SPLIT_K slices that share the tile loads but each sum a
//    different part of every K step; a tree through workgroup memory adds the slices' partial
//    sums at the end. This keeps 256 invocations busy on narrow tiles (skinny N, matrix-vector).
//  - Rows past M and columns past N are loaded clamped to the last valid one (their results are
//    never stored); the last partial K step, if any, loads zeros past K.

const M: u32 = {{M}}u;
const K: u32 = {{K}}u;
const N: u32 = {{N}}u;

@group(0) @binding(0) var<storage, read> mm_a: array<{{A_ELEMENT}}>;
@group(0) @binding(1) var<storage, read> mm_b: array<{{B_ELEMENT}}>;
@group(0) @binding(2) var<storage, read_write> c: array<{{C_ELEMENT}}>;

var<workgroup> mm_tileA: array<{{TILE_A_ELEMENT}}, {{TILE_A_LENGTH}}>;
var<workgroup> mm_tileB: array<{{TILE_B_ELEMENT}}, {{TILE_B_LENGTH}}>;
{{REDUCTION_DECLARATION}}
{{EPILOGUE}}

@compute @workgroup_size({{INVOCATIONS}})
fn main(@builtin(local_invocation_index) mm_lid: u32, @builtin(workgroup_id) mm_wid: vec3<u32>) {
  let mm_m0 = mm_wid.y * {{TILE_M}}u;
  let mm_n0 = mm_wid.x * {{TILE_N}}u;
  // Invocation mm_lid is (slice, ty, tx): slice-major, then rows of THREADS_N invocations.
  let mm_slice = mm_lid / {{SLICE_INVOCATIONS}}u;
  let mm_t = mm_lid % {{SLICE_INVOCATIONS}}u;
  let mm_tx = mm_t % {{THREADS_N}}u;
  let mm_ty = mm_t / {{THREADS_N}}u;
  let mm_kBase = mm_slice * {{K_PER_SLICE}}u;
  var mm_acc: array<{{ACC_ELEMENT}}, {{ACC_LENGTH}}>;

  // Per-invocation offsets of the tile copies (the same every K step).
{{LOAD_SETUP}}
  // K step 0 into registers.
{{LOAD_FIRST}}
  for (var mm_step = 0u; mm_step < {{K_STEPS}}u; mm_step++) {
{{STORE_TILES}}
    workgroupBarrier();
    // Issue K step mm_step + 1's global loads now; they land while this step computes.
    let mm_nextK = (mm_step + 1u) * {{TILE_K}}u;
{{PREFETCH}}
{{COMPUTE}}
    workgroupBarrier();
  }
{{REDUCE}}
{{WRITE}}
}
