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
import type { Problem } from '../../engine/problem.ts';
import type { CpuKernelName } from '../../engine/results.ts';
import type { TrainingOptions } from './training-options.ts';
import type { TrainingChunk, TrainingRecord, TrainingState } from './training-state.ts';

// The options and the state have modules of their own (pages read them without this engine).
export * from './training-options.ts';
export * from './training-state.ts';

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
