/**
 * The network pass's own kernels, the GPU twins of src/backends/cpu/network-pass.ts:
 * - the forward epilogue fused into Z = W·A: bias, φ and φ′ (one evaluation of ẑ), the residual add;
 * - batch normalization forward (with the activation) and backward, one workgroup per unit;
 * - the output gradient g = a_L − Y, d = g ⊙ φ′;
 * - the backward epilogue fused into G = Wᵀ·δ: the residual's g, then d = g ⊙ φ′.
 * Shapes, α and switches are baked into the WGSL (few distinct shapes per network, so few pipelines).
 */
import type { ActivationName } from '../../../engine/activations.ts';
import { BATCHNORM_EPSILON } from '../../cpu/network-pass.ts';
import { activationFunctionsWgsl } from '../activation-shader.ts';
import { groupsFor, type BindingKind, type GpuProgram } from '../program.ts';
import type { MatmulEpilogue } from './matmul.ts';

/** A WGSL f32 literal that round-trips. */
export function f32Literal(value: number): string {
  const text = String(Math.fround(value));
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

export interface ActivationChoice {
  readonly name: ActivationName;
  readonly alpha: number;
}

export interface ForwardEpilogueOptions {
  readonly activation: ActivationChoice;
  readonly batch: number;
  readonly bias: boolean;
  /** a = φ(ẑ) + a⁽ˡ⁻¹⁾, with φ(ẑ) kept apart for dead-unit counting. */
  readonly residual: boolean;
}

/**
 * Forward epilogue: `value` is (W·a⁽ˡ⁻¹⁾)[row, col]. Writes a⁽ˡ⁾ to the matmul's output `c`, φ′ to
 * `df`, and with a residual φ(ẑ) to `pre` and reads a⁽ˡ⁻¹⁾ from `a_prev`.
 * Bindings after the matmul's three: [bias], df, [pre, a_prev].
 */
export function forwardEpilogue(options: ForwardEpilogueOptions): MatmulEpilogue {
  const { activation, batch, bias, residual } = options;
  const bindings: BindingKind[] = [];
  const declarations: string[] = [];
  const bind = (name: string, kind: BindingKind, type: string): void => {
    const access = kind === 'storage' ? 'storage, read_write' : 'storage, read';
    declarations.push(
      `@group(0) @binding(${3 + bindings.length}) var<${access}> ${name}: ${type};`,
    );
    bindings.push(kind);
  };
  if (bias) bind('ep_bias', 'read-only-storage', 'array<f32>');
  bind('ep_df', 'storage', 'array<f32>');
  if (residual) {
    bind('ep_pre', 'storage', 'array<f32>');
    bind('ep_a_prev', 'read-only-storage', 'array<f32>');
  }
  const alpha = f32Literal(activation.alpha);
  const wgsl = `${activationFunctionsWgsl(activation.name)}
${declarations.join('\n')}
fn epilogue(row: u32, col: u32, value: f32) {
  let idx = row * ${batch}u + col;
  let z = value${bias ? ' + ep_bias[row]' : ''};
  ep_df[idx] = act_derivative(z, ${alpha});
  let h = act_forward(z, ${alpha});
${residual ? '  ep_pre[idx] = h;\n  c[idx] = h + ep_a_prev[idx];' : '  c[idx] = h;'}
}
`;
  return {
    key: `fwd:${activation.name}:${alpha}:b${batch}:${bias ? 'bias' : ''}:${residual ? 'res' : ''}`,
    bindings,
    wgsl,
  };
}

/** Plain epilogue that writes z + bias (batch-normalized layers normalize afterwards). */
export function biasEpilogue(batch: number, bias: boolean): MatmulEpilogue | undefined {
  if (!bias) return undefined;
  return {
    key: `bias:b${batch}`,
    bindings: ['read-only-storage'],
    wgsl: `@group(0) @binding(3) var<storage, read> ep_bias: array<f32>;
fn epilogue(row: u32, col: u32, value: f32) {
  c[row * ${batch}u + col] = value + ep_bias[row];
}
`,
  };
}

export interface BackwardEpilogueOptions {
  readonly batch: number;
  /** Residual at layer l: g⁽ˡ⁻¹⁾ = Wᵀδ⁽ˡ⁾ + g⁽ˡ⁾, read from `g_next`. */
  readonly addNext: boolean;
  /** Keep g⁽ˡ⁻¹⁾ (needed when layer l − 1 has a residual too). */
  readonly storeGradient: boolean;
}

/**
 * Backward epilogue: `value` is (W⁽ˡ⁾ᵀδ⁽ˡ⁾)[row, col]; writes d⁽ˡ⁻¹⁾ = g⁽ˡ⁻¹⁾ ⊙ φ′(ẑ⁽ˡ⁻¹⁾) to `c`.
 * Bindings after the matmul's three: df, [g_next], [g_out].
 */
export function backwardEpilogue(options: BackwardEpilogueOptions): MatmulEpilogue {
  const { batch, addNext, storeGradient } = options;
  const bindings: BindingKind[] = ['read-only-storage'];
  const declarations = ['@group(0) @binding(3) var<storage, read> ep_df: array<f32>;'];
  if (addNext) {
    declarations.push(
      `@group(0) @binding(${3 + bindings.length}) var<storage, read> ep_g_next: array<f32>;`,
    );
    bindings.push('read-only-storage');
  }
  if (storeGradient) {
    declarations.push(
      `@group(0) @binding(${3 + bindings.length}) var<storage, read_write> ep_g_out: array<f32>;`,
    );
    bindings.push('storage');
  }
  return {
    key: `bwd:b${batch}:${addNext ? 'add' : ''}:${storeGradient ? 'store' : ''}`,
    bindings,
    wgsl: `${declarations.join('\n')}
fn epilogue(row: u32, col: u32, value: f32) {
  let idx = row * ${batch}u + col;
  let g = value${addNext ? ' + ep_g_next[idx]' : ''};
${storeGradient ? '  ep_g_out[idx] = g;\n' : ''}  c[idx] = g * ep_df[idx];
}
`,
  };
}

const ROW_WORKGROUP = 64;

/** Workgroup tree sum over `scratch` (ROW_WORKGROUP entries), result in scratch[0]. */
const TREE_SUM = `
fn tree_sum(lid: u32) {
  for (var stride = ${ROW_WORKGROUP / 2}u; stride > 0u; stride = stride >> 1u) {
    workgroupBarrier();
    if (lid < stride) {
      scratch[lid] = scratch[lid] + scratch[lid + stride];
    }
  }
  workgroupBarrier();
}
`;

/** The start of a one-workgroup-per-unit kernel: `row`, `lid` and the row's `base` index. */
function rowKernelStart(units: number, batch: number): string {
  return `@compute @workgroup_size(${ROW_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
  let row = wid.x + wid.y * 65535u;
  if (row >= ${units}u) {
    return;
  }
  let lid = lid3.x;
  let base = row * ${batch}u;`;
}

/**
 * WGSL that sets `name` to the mean over the row's batch of `term` (an expression in `idx`),
 * by a workgroup tree sum; it ends with a barrier, so the scratch can be reused next.
 */
function rowMean(name: string, term: string, batch: number): string {
  return `
  var ${name}_sum = 0.0;
  for (var b = lid; b < ${batch}u; b += ${ROW_WORKGROUP}u) {
    let idx = base + b;
    ${name}_sum += ${term};
  }
  scratch[lid] = ${name}_sum;
  tree_sum(lid);
  let ${name} = scratch[0] / f32(${batch}u);
  workgroupBarrier();`;
}

export interface BatchnormForwardOptions {
  readonly activation: ActivationChoice;
  readonly units: number;
  readonly batch: number;
  readonly residual: boolean;
}

/**
 * Batch normalization of z per unit over the batch (biased variance, ε as on the CPU), then
 * φ and φ′ of ẑ and the residual add. One workgroup per unit.
 * Bindings: z, normalized, inv_std, df, a, [pre, a_prev].
 */
export function batchnormForwardProgram(options: BatchnormForwardOptions): GpuProgram {
  const { activation, units, batch, residual } = options;
  const alpha = f32Literal(activation.alpha);
  const code = `${activationFunctionsWgsl(activation.name)}
@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read_write> normalized: array<f32>;
@group(0) @binding(2) var<storage, read_write> inv_std: array<f32>;
@group(0) @binding(3) var<storage, read_write> df: array<f32>;
@group(0) @binding(4) var<storage, read_write> a: array<f32>;
${residual ? '@group(0) @binding(5) var<storage, read_write> pre: array<f32>;\n@group(0) @binding(6) var<storage, read> a_prev: array<f32>;' : ''}
var<workgroup> scratch: array<f32, ${ROW_WORKGROUP}>;
${TREE_SUM}
${rowKernelStart(units, batch)}
${rowMean('mean', 'z[idx]', batch)}
${rowMean('variance', '(z[idx] - mean) * (z[idx] - mean)', batch)}
  let inv = 1.0 / sqrt(variance + ${f32Literal(BATCHNORM_EPSILON)});
  if (lid == 0u) {
    inv_std[row] = inv;
  }
  for (var b = lid; b < ${batch}u; b += ${ROW_WORKGROUP}u) {
    let idx = base + b;
    let zhat = (z[idx] - mean) * inv;
    normalized[idx] = zhat;
    df[idx] = act_derivative(zhat, ${alpha});
    let h = act_forward(zhat, ${alpha});
${residual ? '    pre[idx] = h;\n    a[idx] = h + a_prev[idx];' : '    a[idx] = h;'}
  }
}
`;
  return {
    key: `bn-fwd:${activation.name}:${alpha}:${units}x${batch}:${residual ? 'res' : ''}`,
    code,
    bindings: [
      'read-only-storage',
      'storage',
      'storage',
      'storage',
      'storage',
      ...(residual ? (['storage', 'read-only-storage'] as const) : []),
    ],
    workgroups: rowWorkgroups(units),
  };
}

function rowWorkgroups(units: number): [number, number, number] {
  return units <= 65535 ? [units, 1, 1] : [65535, groupsFor(units, 65535), 1];
}

/**
 * Gradient through batch normalization, per unit: δ = (1/s)(d − mean(d) − ẑ·mean(d ⊙ ẑ)).
 * Bindings: d, normalized, inv_std, delta.
 */
export function batchnormBackwardProgram(units: number, batch: number): GpuProgram {
  const code = `
@group(0) @binding(0) var<storage, read> d: array<f32>;
@group(0) @binding(1) var<storage, read> normalized: array<f32>;
@group(0) @binding(2) var<storage, read> inv_std: array<f32>;
@group(0) @binding(3) var<storage, read_write> delta: array<f32>;
var<workgroup> scratch: array<f32, ${ROW_WORKGROUP}>;
${TREE_SUM}
${rowKernelStart(units, batch)}
${rowMean('mean_d', 'd[idx]', batch)}
${rowMean('mean_dz', 'd[idx] * normalized[idx]', batch)}
  let inv = inv_std[row];
  for (var b = lid; b < ${batch}u; b += ${ROW_WORKGROUP}u) {
    let idx = base + b;
    delta[idx] = inv * (d[idx] - mean_d - normalized[idx] * mean_dz);
  }
}
`;
  return {
    key: `bn-bwd:${units}x${batch}`,
    code,
    bindings: ['read-only-storage', 'read-only-storage', 'read-only-storage', 'storage'],
    workgroups: rowWorkgroups(units),
  };
}

const ELEMENTWISE_WORKGROUP = 256;

/**
 * The output layer's gradient: g = a_L − Y (kept for the loss) and d = g ⊙ φ′(ẑ_L).
 * Bindings: a_out, y, df, g, d.
 */
export function outputGradientProgram(count: number): GpuProgram {
  const perRow = 65535 * ELEMENTWISE_WORKGROUP;
  const code = `
@group(0) @binding(0) var<storage, read> a_out: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> df: array<f32>;
@group(0) @binding(3) var<storage, read_write> g: array<f32>;
@group(0) @binding(4) var<storage, read_write> d: array<f32>;
@compute @workgroup_size(${ELEMENTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x + gid.y * ${perRow}u;
  if (i >= ${count}u) {
    return;
  }
  let diff = a_out[i] - y[i];
  g[i] = diff;
  d[i] = diff * df[i];
}
`;
  const groups = groupsFor(count, ELEMENTWISE_WORKGROUP);
  return {
    key: `out-grad:${count}`,
    code,
    bindings: ['read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'storage'],
    workgroups: groups <= 65535 ? [groups, 1, 1] : [65535, groupsFor(groups, 65535), 1],
  };
}
