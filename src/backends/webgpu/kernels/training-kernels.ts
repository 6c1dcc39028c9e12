/**
 * The kernels GPU training adds to the network pass (network-kernels.ts), the GPU twins of what
 * src/backends/cpu/training.ts does around runNetworkPass:
 * - the minibatch gather: step t trains on samples (t·batch + b) mod samples;
 * - ∂L/∂W = δa⁽ˡ⁻¹⁾ᵀ / batch as a matmul epilogue, and ∂L/∂b = Σ_batch δ / batch;
 * - the optimizer update (SGD, SGD with momentum, Adam), writing the stored Δθ for ‖ΔW‖;
 * - the divergence checks, which set a step's status and halt every later update of the chunk.
 *
 * Hyperparameters, the step and Adam's bias corrections come from one uniform block written before
 * each step (STEP_PARAMS_WORDS), so changing the learning rate compiles nothing new; shapes are
 * baked in (few per network).
 */
import { groupsFor, linearWorkgroups, type GpuProgram } from '../program.ts';
import type { MatmulEpilogue } from './matmul.ts';
import { f32Literal } from './network-kernels.ts';

/** Words of the per-step uniform block (see stepParamsWords). */
export const STEP_PARAMS_WORDS = 12;

const STEP_PARAMS_STRUCT = `struct StepParams {
  step: u32,
  start: u32,
  correction1: f32,
  correction2: f32,
  learning_rate: f32,
  momentum: f32,
  beta1: f32,
  beta2: f32,
  one_minus_beta1: f32,
  one_minus_beta2: f32,
  epsilon: f32,
  pad: u32,
}`;

export interface StepParams {
  /** 0-based step: the data position. */
  readonly step: number;
  readonly batch: number;
  readonly samples: number;
  readonly learningRate: number;
  readonly momentum: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/**
 * The uniform block of one step. The data start (t·batch) mod samples, Adam's 1 − β^t (t the
 * 1-based step) and 1 − β are computed here in f64, as training.ts does, and rounded once.
 */
export function stepParamsWords(params: StepParams): ArrayBuffer {
  const words = new ArrayBuffer(STEP_PARAMS_WORDS * 4);
  const view = new DataView(words);
  const t = params.step + 1;
  // (t·batch) mod samples without leaving the exact integers: batch and samples are small.
  const start = ((params.step % params.samples) * params.batch) % params.samples;
  view.setUint32(0, t, true);
  view.setUint32(4, start, true);
  const floats = [
    1 - params.beta1 ** t,
    1 - params.beta2 ** t,
    params.learningRate,
    params.momentum,
    params.beta1,
    params.beta2,
    1 - params.beta1,
    1 - params.beta2,
    params.epsilon,
  ];
  floats.forEach((value, i) => view.setFloat32(8 + 4 * i, value, true));
  return words;
}

/**
 * Words of the control buffer: HALTED is set by the step that goes non-finite and makes every later
 * step of the chunk skip its update; PARAM_NON_FINITE is raised by an update that stores a
 * non-finite parameter, and cleared by each step's check.
 */
export const ControlWord = { HALTED: 0, PARAM_NON_FINITE: 1 } as const;
export const CONTROL_WORDS = 4;

/** What a step's record says about it (the `status` word). */
export const StepStatus = {
  ok: 0,
  /** The loss or a gradient was not finite: no update (update ratios NaN), training stops. */
  nonFiniteGradient: 1,
  /** The update stored a non-finite weight or bias: training stops. */
  nonFiniteUpdate: 2,
  /** An earlier step of the chunk stopped training: this one did not count. */
  notRun: 3,
} as const;

/**
 * One step's record of 32-bit words, copied out after every step: Σ(a⁽ᴸ⁾ − Y)², the status (u32),
 * then per layer Σ(∂L/∂W)², Σ W² before the update and Σ (ΔW)² as stored (f32 bits).
 */
export const StepRecord = {
  lossSumSq: 0,
  status: 1,
  gradSumSq: (index: number): number => 2 + index,
  weightSumSq: (layers: number, index: number): number => 2 + layers + index,
  deltaSumSq: (layers: number, index: number): number => 2 + 2 * layers + index,
  words: (layers: number): number => 2 + 3 * layers,
} as const;

const ELEMENTWISE_WORKGROUP = 256;

/** The linear invocation index of a 1-D dispatch that linearWorkgroups may split over y. */
const LINEAR_INDEX = `gid.x + gid.y * (nwg.x * ${ELEMENTWISE_WORKGROUP}u)`;
const ELEMENTWISE_MAIN = `@compute @workgroup_size(${ELEMENTWISE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>)`;

function elementwiseWorkgroups(count: number): [number, number, number] {
  return linearWorkgroups(groupsFor(count, ELEMENTWISE_WORKGROUP));
}

export interface GatherShape {
  readonly inputs: number;
  readonly outputs: number;
  readonly batch: number;
  readonly samples: number;
}

/**
 * Copies step t's minibatch from the training set (inputs × samples, outputs × samples) into
 * x (inputs × batch) and y (outputs × batch). Bindings: data x, data y, x, y, step params.
 */
export function gatherProgram(shape: GatherShape): GpuProgram {
  const { inputs, outputs, batch, samples } = shape;
  const xCount = inputs * batch;
  const count = (inputs + outputs) * batch;
  const code = `${STEP_PARAMS_STRUCT}
@group(0) @binding(0) var<storage, read> data_x: array<f32>;
@group(0) @binding(1) var<storage, read> data_y: array<f32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: StepParams;
${ELEMENTWISE_MAIN} {
  let i = ${LINEAR_INDEX};
  if (i >= ${count}u) {
    return;
  }
  let j = select(i - ${xCount}u, i, i < ${xCount}u);
  let row = j / ${batch}u;
  let sample = (params.start + j % ${batch}u) % ${samples}u;
  if (i < ${xCount}u) {
    x[j] = data_x[row * ${samples}u + sample];
  } else {
    y[j] = data_y[row * ${samples}u + sample];
  }
}
`;
  return {
    key: `train-gather:${inputs}:${outputs}:b${batch}:s${samples}`,
    code,
    bindings: ['read-only-storage', 'read-only-storage', 'storage', 'storage', 'uniform'],
    workgroups: elementwiseWorkgroups(count),
  };
}

/** Matmul epilogue that stores value / divisor: ∂L/∂W = δa⁽ˡ⁻¹⁾ᵀ / batch for the batch-mean loss. */
export function dividedStoreEpilogue(divisor: number): MatmulEpilogue {
  const literal = f32Literal(divisor);
  return {
    key: `div${literal}`,
    bindings: [],
    wgsl: `fn epilogue(row: u32, col: u32, value: f32) {
  c[row * N + col] = value / ${literal};
}
`,
  };
}

/**
 * ∂L/∂b⁽ˡ⁾ = (Σ over the batch of δ⁽ˡ⁾) / batch, one invocation per unit summing its row in order
 * (as the CPU does). Bindings: delta (units × batch), bias gradient (units).
 */
export function biasGradientProgram(units: number, batch: number): GpuProgram {
  const code = `@group(0) @binding(0) var<storage, read> delta: array<f32>;
@group(0) @binding(1) var<storage, read_write> bias_gradient: array<f32>;
${ELEMENTWISE_MAIN} {
  let unit = ${LINEAR_INDEX};
  if (unit >= ${units}u) {
    return;
  }
  var sum = 0.0;
  for (var b = 0u; b < ${batch}u; b++) {
    sum += delta[unit * ${batch}u + b];
  }
  bias_gradient[unit] = sum / ${f32Literal(batch)};
}
`;
  return {
    key: `train-bias-grad:${units}x${batch}`,
    code,
    bindings: ['read-only-storage', 'storage'],
    workgroups: elementwiseWorkgroups(units),
  };
}

/** sgd: θ ← θ − lr·g; momentum: v ← μv + g, θ ← θ − lr·v; adam: Kingma & Ba 2015, Algorithm 1. */
export type UpdateRule = 'sgd' | 'momentum' | 'adam';

const IS_FINITE_BITS = `fn is_finite_bits(bits: u32) -> bool {
  return (bits & 0x7f800000u) != 0x7f800000u;
}`;

/**
 * One optimizer update of a parameter tensor of `count` values, unless training has halted. The
 * gradient buffer is overwritten with the stored change Δθ = θ_new − θ_old (for ‖ΔW‖), and a
 * non-finite θ_new raises PARAM_NON_FINITE. Bindings: param, gradient → Δ, control, step params,
 * then [first moment] (momentum, adam) and [second moment] (adam).
 */
export function updateProgram(rule: UpdateRule, count: number): GpuProgram {
  const moments =
    rule === 'sgd'
      ? ''
      : `@group(0) @binding(4) var<storage, read_write> first: array<f32>;
${rule === 'adam' ? '@group(0) @binding(5) var<storage, read_write> second: array<f32>;' : ''}`;
  const step =
    rule === 'sgd'
      ? 'params.learning_rate * g'
      : rule === 'momentum'
        ? `params.learning_rate * velocity`
        : '(params.learning_rate * (m / params.correction1)) / (sqrt(v / params.correction2) + params.epsilon)';
  const moment =
    rule === 'momentum'
      ? `  let velocity = params.momentum * first[i] + g;
  first[i] = velocity;`
      : rule === 'adam'
        ? `  let m = params.beta1 * first[i] + params.one_minus_beta1 * g;
  let v = params.beta2 * second[i] + params.one_minus_beta2 * g * g;
  first[i] = m;
  second[i] = v;`
        : '';
  const code = `${STEP_PARAMS_STRUCT}
${IS_FINITE_BITS}
@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read_write> gradient: array<f32>;
@group(0) @binding(2) var<storage, read_write> control: array<atomic<u32>>;
@group(0) @binding(3) var<uniform> params: StepParams;
${moments}
${ELEMENTWISE_MAIN} {
  let i = ${LINEAR_INDEX};
  if (i >= ${count}u || atomicLoad(&control[${ControlWord.HALTED}u]) != 0u) {
    return;
  }
  let g = gradient[i];
${moment}
  let old = param[i];
  let updated = old - ${step};
  param[i] = updated;
  gradient[i] = updated - old;
  if (!is_finite_bits(bitcast<u32>(updated))) {
    atomicOr(&control[${ControlWord.PARAM_NON_FINITE}u], 1u);
  }
}
`;
  return {
    key: `train-update:${rule}:${count}`,
    code,
    bindings: [
      'storage',
      'storage',
      'storage',
      'uniform',
      ...(rule === 'sgd' ? [] : (['storage'] as const)),
      ...(rule === 'adam' ? (['storage'] as const) : []),
    ],
    workgroups: elementwiseWorkgroups(count),
  };
}

/**
 * Before the updates: a step after a halt is notRun; a step whose loss or any Σ(∂L/∂W)² is not
 * finite is nonFiniteGradient and halts (as training.ts checks its loss and gradient norms).
 * Bindings: step record (u32 words), control.
 */
export function checkGradientsProgram(layers: number): GpuProgram {
  const code = `${IS_FINITE_BITS}
@group(0) @binding(0) var<storage, read_write> record: array<u32>;
@group(0) @binding(1) var<storage, read_write> control: array<u32>;
@compute @workgroup_size(1)
fn main() {
  control[${ControlWord.PARAM_NON_FINITE}u] = 0u;
  if (control[${ControlWord.HALTED}u] != 0u) {
    record[${StepRecord.status}u] = ${StepStatus.notRun}u;
    return;
  }
  var finite = is_finite_bits(record[${StepRecord.lossSumSq}u]);
  for (var l = 0u; l < ${layers}u; l++) {
    finite = finite && is_finite_bits(record[${StepRecord.gradSumSq(0)}u + l]);
  }
  if (finite) {
    record[${StepRecord.status}u] = ${StepStatus.ok}u;
  } else {
    record[${StepRecord.status}u] = ${StepStatus.nonFiniteGradient}u;
    control[${ControlWord.HALTED}u] = 1u;
  }
}
`;
  return {
    key: `train-check:${layers}`,
    code,
    bindings: ['storage', 'storage'],
    workgroups: [1, 1, 1],
  };
}

/** After the updates: a non-finite stored parameter makes the step nonFiniteUpdate and halts. */
export function checkUpdateProgram(): GpuProgram {
  const code = `@group(0) @binding(0) var<storage, read_write> record: array<u32>;
@group(0) @binding(1) var<storage, read_write> control: array<u32>;
@compute @workgroup_size(1)
fn main() {
  if (record[${StepRecord.status}u] == ${StepStatus.ok}u && control[${ControlWord.PARAM_NON_FINITE}u] != 0u) {
    record[${StepRecord.status}u] = ${StepStatus.nonFiniteUpdate}u;
    control[${ControlWord.HALTED}u] = 1u;
  }
}
`;
  return {
    key: 'train-check-update',
    code,
    bindings: ['storage', 'storage'],
    workgroups: [1, 1, 1],
  };
}
