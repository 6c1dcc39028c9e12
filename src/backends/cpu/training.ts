/**
 * Training dynamics: minibatch SGD (optionally with momentum) or Adam on the lab's deep network,
 * on the CPU backends' network pass (cpu: f32, cpu64: f64), recording per layer and step the
 * update ratio ‖ΔW⁽ˡ⁾‖/‖W⁽ˡ⁾‖ and the gradient norm ‖∂L/∂W⁽ˡ⁾‖ (chapter §17.5: with sigmoid, the
 * early layers learn orders of magnitude more slowly; §17.6: ReLU with He init, residual
 * connections and batch normalization are the cures).
 *
 * The loss trained and reported is the engine's L = ½‖a⁽ᴸ⁾ − Y‖² divided by the batch size (the
 * mean over samples of ½ Σ over outputs), so the learning rate does not depend on the batch.
 * Step t (0-based) trains on samples (t·batch + b) mod samples, b < batch, of a fixed training
 * set (tasks.ts): the data position is the step count, so a state resumes exactly.
 *
 * Everything in a TrainingState is plain data (typed arrays, numbers, strings), so it can be
 * posted to and from a worker by structured clone; training proceeds in chunks of steps.
 *
 * The GPU twin is src/backends/webgpu/training-gpu.ts (trainStepsOnGpu): the same state, records
 * and data order, in f32 on the device. A state records which backend computed its latest steps
 * (`backend`), so it can move between the two: this module trains any state on the CPU.
 */
import { f32Kernels, sharedKernels } from './cpu-backend.ts';
import { F64_KERNELS } from './kernels-f64.ts';
import type { LaneTeam } from './lanes.ts';
import { loadNetwork, runTrainingPass, type FloatArray } from './network-pass.ts';
import { OPTIMIZER_KIND, OPTIMIZER_SETTINGS, optimizerStep } from './optimizer.ts';
import { buildProblem, layerSizes, type Problem } from '../../engine/problem.ts';
import type { CpuKernelName, Precision } from '../../engine/results.ts';
import { SpecError, type BackendName, type RunSpec } from '../../engine/spec.ts';
import { TASK_NAMES, taskSpec, trainingSet, type TaskName } from '../../engine/tasks.ts';

export const OPTIMIZER_NAMES = ['sgd', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface TrainingOptions {
  readonly task: TaskName;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  /** SGD only: v ← μv + g, W ← W − lr·v (PyTorch's convention); 0 is plain SGD. */
  readonly momentum: number;
  /** Adam only (Kingma & Ba 2015, Algorithm 1). */
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** Learning rates that train the lab's default network in a few hundred steps. */
export const DEFAULT_LEARNING_RATE: Record<OptimizerName, number> = { sgd: 0.1, adam: 0.001 };

export const DEFAULT_TRAINING_OPTIONS: TrainingOptions = {
  task: 'teacher',
  optimizer: 'sgd',
  learningRate: DEFAULT_LEARNING_RATE.sgd,
  momentum: 0,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
};

/** Steps a run may ask for at once. */
export const MAX_TRAINING_STEPS = 100_000;

type NumberField = 'learningRate' | 'momentum' | 'beta1' | 'beta2' | 'epsilon';

interface NumberRule {
  readonly key: NumberField;
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly minExclusive: boolean;
  readonly maxExclusive: boolean;
  readonly optimizer: OptimizerName | null;
  readonly help: string;
}

/** The options' user-facing names (URL keys, CLI flags), their rules and help. */
export const TRAINING_FIELDS: readonly NumberRule[] = [
  {
    key: 'learningRate',
    name: 'lr',
    min: 0,
    max: 100,
    minExclusive: true,
    maxExclusive: false,
    optimizer: null,
    help: `learning rate (default sgd ${DEFAULT_LEARNING_RATE.sgd}, adam ${DEFAULT_LEARNING_RATE.adam})`,
  },
  {
    key: 'momentum',
    name: 'momentum',
    min: 0,
    max: 1,
    minExclusive: false,
    maxExclusive: true,
    optimizer: 'sgd',
    help: 'SGD momentum μ (default 0)',
  },
  {
    key: 'beta1',
    name: 'beta1',
    min: 0,
    max: 1,
    minExclusive: false,
    maxExclusive: true,
    optimizer: 'adam',
    help: 'Adam β₁ (default 0.9)',
  },
  {
    key: 'beta2',
    name: 'beta2',
    min: 0,
    max: 1,
    minExclusive: false,
    maxExclusive: true,
    optimizer: 'adam',
    help: 'Adam β₂ (default 0.999)',
  },
  {
    key: 'epsilon',
    name: 'epsilon',
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: false,
    optimizer: 'adam',
    help: 'Adam ε (default 1e-8)',
  },
];

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function describeRange(rule: NumberRule): string {
  return `a number ${rule.minExclusive ? '>' : '≥'} ${rule.min} and ${rule.maxExclusive ? '<' : '≤'} ${rule.max}`;
}

export type TrainingInput = Readonly<Record<string, string | number | undefined>>;

/**
 * Parses training options from key/value pairs named like TRAINING_FIELDS plus `task` and
 * `optimizer`. Throws SpecError naming the field; an option of the other optimizer is an error.
 */
export function parseTrainingOptions(input: TrainingInput): TrainingOptions {
  const known = ['task', 'optimizer', ...TRAINING_FIELDS.map((f) => f.name)];
  for (const key of Object.keys(input)) {
    if (input[key] !== undefined && !known.includes(key))
      throw new SpecError(key, `unknown training option; known: ${known.join(', ')}`);
  }
  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = input[name];
    if (raw === undefined) return fallback;
    const text = String(raw).trim();
    if (!(allowed as readonly string[]).includes(text))
      throw new SpecError(name, `got ${JSON.stringify(raw)}; allowed: ${allowed.join(', ')}`);
    return text as T;
  };
  const task = choice('task', TASK_NAMES, DEFAULT_TRAINING_OPTIONS.task);
  const optimizer = choice('optimizer', OPTIMIZER_NAMES, DEFAULT_TRAINING_OPTIONS.optimizer);
  const values: Record<NumberField, number> = {
    learningRate: DEFAULT_LEARNING_RATE[optimizer],
    momentum: DEFAULT_TRAINING_OPTIONS.momentum,
    beta1: DEFAULT_TRAINING_OPTIONS.beta1,
    beta2: DEFAULT_TRAINING_OPTIONS.beta2,
    epsilon: DEFAULT_TRAINING_OPTIONS.epsilon,
  };
  for (const rule of TRAINING_FIELDS) {
    const raw = input[rule.name];
    if (raw === undefined) continue;
    if (rule.optimizer !== null && rule.optimizer !== optimizer)
      throw new SpecError(
        rule.name,
        `applies to optimizer ${rule.optimizer} only (optimizer is ${optimizer})`,
      );
    const text = String(raw).trim();
    const value = Number(text);
    const inRange =
      DECIMAL.test(text) &&
      (rule.minExclusive ? value > rule.min : value >= rule.min) &&
      (rule.maxExclusive ? value < rule.max : value <= rule.max);
    if (!inRange)
      throw new SpecError(rule.name, `got ${JSON.stringify(raw)}; allowed: ${describeRange(rule)}`);
    values[rule.key] = value;
  }
  return { task, optimizer, ...values };
}

/** Parses a step count: an integer from 1 to MAX_TRAINING_STEPS. */
export function parseSteps(raw: string | number, field = 'steps'): number {
  const text = String(raw).trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > MAX_TRAINING_STEPS)
    throw new SpecError(
      field,
      `got ${JSON.stringify(raw)}; allowed: an integer from 1 to ${MAX_TRAINING_STEPS}`,
    );
  return value;
}

/**
 * Everything needed to continue training: plain data only. Optimizer moments are f64 whatever
 * the precision, indexed [W⁽¹⁾ … W⁽ᴸ⁾, b⁽¹⁾ … b⁽ᴸ⁾]; empty where the optimizer keeps none.
 */
export interface TrainingState {
  /** The spec trained: the task's sizes (spirals: inputs 2, outputs 1), its backend as asked. */
  readonly spec: RunSpec;
  /**
   * The backend that computed the latest steps: cpu (f32) or cpu64 (f64) for trainSteps, webgpu
   * for trainStepsOnGpu; a fresh state names the spec's backend, the one it is meant for.
   */
  readonly backend: BackendName;
  readonly options: TrainingOptions;
  readonly precision: Precision;
  readonly sizes: readonly number[];
  readonly weights: FloatArray[];
  readonly biases: FloatArray[];
  readonly firstMoment: Float64Array[];
  readonly secondMoment: Float64Array[];
  /** Steps taken; also the position in the training set. */
  readonly step: number;
  readonly samples: number;
  /** inputs × samples. */
  readonly inputs: Float64Array;
  /** outputs × samples. */
  readonly targets: Float64Array;
  /** The step whose loss, gradients or update were not finite; training stops there. */
  readonly diverged: number | null;
}

export interface TrainingRecord {
  /** 1-based: the step whose update this is. */
  readonly step: number;
  /** The minibatch's loss before the step's update: ½‖a⁽ᴸ⁾ − Y‖² / batch. */
  readonly loss: number;
  /** ‖ΔW⁽ˡ⁾‖_F / ‖W⁽ˡ⁾‖_F per layer (index l − 1), W before the update; NaN where not taken. */
  readonly updateRatio: Float64Array;
  /** ‖∂L/∂W⁽ˡ⁾‖_F per layer (index l − 1), of the loss above. */
  readonly gradNorm: Float64Array;
  /** The loss, a gradient or the updated weights were not finite (the run diverged here). */
  readonly nonFinite: boolean;
}

export interface TrainingChunk {
  readonly state: TrainingState;
  readonly records: TrainingRecord[];
  /** Why a chunk meant for the GPU was trained on the CPU instead, when it was (for the page). */
  readonly fallback?: string;
}

/** How a spec is trained: cpu64 in f64; cpu, and webgpu (on the GPU or its CPU fallback), in f32. */
export function trainingPrecision(spec: RunSpec): Precision {
  return spec.backend === 'cpu64' ? 'f64' : 'f32';
}

/** A fresh state: the spec's initial weights (zero biases where σ_b = 0) and the task's data. */
export function createTrainingState(spec: RunSpec, options: TrainingOptions): TrainingState {
  const precision = trainingPrecision(spec);
  const trained: RunSpec = taskSpec(spec, options.task);
  const problem = buildProblem({ ...trained, batch: 1 });
  const sizes = layerSizes(trained);
  const kernels = precision === 'f64' ? F64_KERNELS : f32Kernels();
  const copy = (values: Float64Array): FloatArray => {
    const out = kernels.alloc(values.length);
    out.set(values);
    return out;
  };
  const weights = problem.weights.map(copy);
  const biases = problem.biases.map((b, i) => (b ? copy(b) : kernels.alloc(sizes[i + 1]!)));
  const parameterLengths = [...weights, ...biases].map((p) => p.length);
  const moments = (used: boolean): Float64Array[] =>
    used ? parameterLengths.map((n) => new Float64Array(n)) : [];
  const adam = options.optimizer === 'adam';
  const data = trainingSet(trained, options.task);
  return {
    spec: trained,
    backend: trained.backend,
    options,
    precision,
    sizes,
    weights,
    biases,
    firstMoment: moments(adam || options.momentum > 0),
    secondMoment: moments(adam),
    step: 0,
    samples: data.samples,
    inputs: data.inputs,
    targets: data.targets,
    diverged: null,
  };
}

/** Copies the minibatch of step `step` into x (inputs × batch) and y (outputs × batch). */
function loadMinibatch(state: TrainingState, step: number, x: FloatArray, y: FloatArray): void {
  const { batch, inputs, outputs } = state.spec;
  const { samples } = state;
  for (let b = 0; b < batch; b++) {
    const sample = (step * batch + b) % samples;
    for (let i = 0; i < inputs; i++) x[i * batch + b] = state.inputs[i * samples + sample]!;
    for (let o = 0; o < outputs; o++) y[o * batch + b] = state.targets[o * samples + sample]!;
  }
}

/** The optimizer's settings as numbers (optimizer.ts), for the lanes that step the weights. */
function optimizerSettings(options: TrainingOptions, batch: number): Float64Array {
  const S = OPTIMIZER_SETTINGS;
  const settings = new Float64Array(S.words);
  settings[S.kind] = options.optimizer === 'adam' ? OPTIMIZER_KIND.adam : OPTIMIZER_KIND.sgd;
  settings[S.learningRate] = options.learningRate;
  settings[S.momentum] = options.momentum;
  settings[S.beta1] = options.beta1;
  settings[S.beta2] = options.beta2;
  settings[S.epsilon] = options.epsilon;
  settings[S.batch] = batch;
  return settings;
}

function copyState(state: TrainingState): TrainingState {
  const clone = <T extends FloatArray>(a: T): T => a.slice() as T;
  return {
    ...state,
    weights: state.weights.map(clone),
    biases: state.biases.map(clone),
    firstMoment: state.firstMoment.map(clone),
    secondMoment: state.secondMoment.map(clone),
  };
}

export interface TrainOptions {
  readonly signal?: AbortSignal;
  /**
   * Threads (lanes.ts) to split each step between: the pass's jobs and the weights' optimizer
   * step, as for runs, where some layer is large enough (network-pass.ts MIN_PARALLEL_WORK).
   * cpu (f32) only; cpu64 trains on one thread. Every entry is computed with the same arithmetic
   * on any number of threads, so the weights are the same bit for bit.
   */
  readonly team?: LaneTeam | null;
  /** How many of the team's threads to use (default: all). */
  readonly threads?: number;
  /** cpu (f32): which kernels (default: the best this engine runs, cpu-backend.ts). */
  readonly kernel?: CpuKernelName;
}

/**
 * Trains `steps` steps from `state` (which is left as it was) and returns the new state and one
 * record per step. A step whose loss, gradients or update are not finite is recorded with
 * `nonFinite` and ends training: the returned state has `diverged` set, and training it again
 * returns no records. Nothing throws on overflow.
 */
export function trainSteps(
  state: TrainingState,
  steps: number,
  options: TrainOptions = {},
): TrainingChunk {
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`steps must be an integer ≥ 0, got ${steps}`);
  if (state.diverged !== null || steps === 0) return { state, records: [] };
  const next = copyState(state);
  const { spec, sizes, precision } = next;
  const layers = sizes.length - 1;
  const batch = spec.batch;
  const f64 = precision === 'f64';
  const threads = f64 ? 1 : Math.min(options.threads ?? Infinity, options.team?.size ?? 1);
  const team = !f64 && options.team && threads > 1 ? options.team : null;
  const base = f64 ? F64_KERNELS : f32Kernels(options.kernel);
  const kernels = team ? sharedKernels(base) : base;
  const problem: Problem = {
    spec,
    sizes,
    weights: next.weights.map((w) => new Float64Array(w)),
    biases: next.biases.map((b) => new Float64Array(b)),
    x: new Float64Array(spec.inputs * batch),
    y: new Float64Array(spec.outputs * batch),
  };
  const net = loadNetwork(problem, kernels, team, threads, {
    settings: optimizerSettings(next.options, batch),
    firstMoment: next.firstMoment.slice(0, layers),
    secondMoment: next.secondMoment.slice(0, layers),
  });
  const training = net.training!;
  // The network's own arrays are the parameters trained; copied back into the state at the end.
  const weights = net.weights;
  const biases = net.biases as FloatArray[];
  const biasGradients = sizes.slice(1).map((n) => new Float64Array(n));
  const records: TrainingRecord[] = [];
  let step = next.step;
  let diverged: number | null = null;
  for (let k = 0; k < steps; k++) {
    if (options.signal?.aborted)
      throw options.signal.reason ?? new DOMException('Training was cancelled', 'AbortError');
    loadMinibatch(next, step, net.activations[0]!, net.y);
    const t = step + 1;
    const { stats, update } = runTrainingPass(net, t, {
      onBiasGradient: (layer, dB) => biasGradients[layer - 1]!.set(dB),
    });
    const loss = stats.loss / batch;
    // ‖∂L/∂W‖ of the mean loss: the pass's norm of the summed gradient, over the batch.
    const gradNorm = stats.weightGradNorm.map((norm) => norm / batch);
    const updateRatio = new Float64Array(layers).fill(NaN);
    let nonFinite = update === null;
    if (update) {
      for (let l = 0; l < layers; l++) {
        updateRatio[l] = Math.sqrt(update.deltaSquares[l]!) / Math.sqrt(update.weightSquares[l]!);
        optimizerStep(
          training.settings,
          biases[l]!,
          biasGradients[l]!,
          next.firstMoment[layers + l] ?? null,
          next.secondMoment[layers + l] ?? null,
          0,
          biases[l]!.length,
        );
      }
      // An update can overflow the weights even from finite gradients (f32 above 3.4e38): then
      // its ΔW is not finite either (the weights were finite before the step).
      nonFinite =
        !update.deltaSquares.every(Number.isFinite) ||
        !biases.every((b) => b.every(Number.isFinite));
    }
    records.push({ step: t, loss, updateRatio, gradNorm, nonFinite });
    step = t;
    if (nonFinite) {
      diverged = t;
      break;
    }
  }
  const moments = (kept: (Float64Array | null)[], all: Float64Array[]): Float64Array[] =>
    all.length === 0 ? all : [...kept.map((m) => m!.slice()), ...all.slice(layers)];
  return {
    state: {
      ...next,
      backend: f64 ? 'cpu64' : 'cpu',
      weights: weights.map((w) => w.slice()),
      biases: biases.map((b) => b.slice()),
      firstMoment: moments(training.firstMoment, next.firstMoment),
      secondMoment: moments(training.secondMoment, next.secondMoment),
      step,
      diverged,
    },
    records,
  };
}
