/**
 * One forward + backward pass with per-layer statistics, on the CPU, in either precision.
 * The arithmetic that dominates (three matrix products per layer) goes through the precision's
 * matmul kernel; everything else is shared, so cpu and cpu64 compute exactly the same thing.
 *
 * Forward (chapter §17.5, BP1–BP2; batch normalization of Ioffe & Szegedy 2015 without learnable
 * scale and shift; residual as in chapter §17.6):
 *   z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾,   ẑ⁽ˡ⁾ = BN(z⁽ˡ⁾) or z⁽ˡ⁾,   a⁽ˡ⁾ = φ(ẑ⁽ˡ⁾) [+ a⁽ˡ⁻¹⁾]
 * Backward, with g⁽ˡ⁾ = ∂L/∂a⁽ˡ⁾ and L = ½‖a⁽ᴸ⁾ − Y‖²:
 *   g⁽ᴸ⁾ = a⁽ᴸ⁾ − Y,   δ⁽ˡ⁾ = BN'(g⁽ˡ⁾ ⊙ φ'(ẑ⁽ˡ⁾)),   ∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾a⁽ˡ⁻¹⁾ᵀ,
 *   g⁽ˡ⁻¹⁾ = W⁽ˡ⁾ᵀδ⁽ˡ⁾ [+ g⁽ˡ⁾]
 */
import type { ComputeOptions } from '../../engine/backend.ts';
import type { Problem } from '../../engine/problem.ts';
import type { KernelName, LayerStatistics } from '../../engine/results.ts';
import { FLAG, JOB, runLaneJob, type JobKind } from './lane-jobs.ts';
import type { LaneTeam } from './lanes.ts';
import {
  allocatePassBuffers,
  KernelStopwatch,
  laneScratch,
  PARTIAL,
  partialWords,
  type FloatArray,
  type LaneScratch,
  type PassBuffers,
  type PrecisionKernels,
  type TrainingSetup,
} from './pass-rows.ts';
import { OPTIMIZER_SETTINGS } from './optimizer.ts';
import { hasSplittableLayer, MIN_PARALLEL_WORK } from './parallel-work.ts';

export {
  BATCHNORM_EPSILON,
  SATURATION_THRESHOLD,
  type FloatArray,
  type PrecisionKernels,
} from './pass-rows.ts';

/** A problem converted to one precision, with buffers for a pass; reused across runs. */
export interface LoadedNetwork extends PassBuffers {
  readonly problem: Problem;
  readonly kernels: PrecisionKernels;
  /** The pass's buffers alone (plain data: what the other lanes receive). */
  readonly buffers: PassBuffers;
  /** This thread's scratch (lane 0). */
  readonly scratch: LaneScratch;
  /** Threads that share the pass; null runs it on this thread alone. */
  readonly team: LaneTeam | null;
  /** How many of the team's lanes a pass uses. */
  readonly threads: number;
}

/**
 * Loads a problem for passes in one precision. With a team of more than one lane, `kernels.alloc`
 * must allocate shared memory (a SharedArrayBuffer) so that the other lanes see the buffers.
 */
export function loadNetwork(
  problem: Problem,
  kernels: PrecisionKernels,
  team: LaneTeam | null = null,
  threads = team?.size ?? 1,
  training: TrainingSetup | null = null,
): LoadedNetwork {
  // A network with no layer worth splitting runs on this thread without involving the team.
  const threaded =
    team !== null &&
    team.size > 1 &&
    threads > 1 &&
    hasSplittableLayer(problem.sizes, problem.spec.batch);
  const alloc64 = threaded
    ? (length: number) => new Float64Array(new SharedArrayBuffer(8 * length))
    : (length: number) => new Float64Array(length);
  const lanes = threaded ? team.size : 1;
  const buffers = allocatePassBuffers(problem, kernels, alloc64, lanes, training);
  return {
    ...buffers,
    buffers,
    problem,
    kernels,
    scratch: laneScratch(buffers, kernels),
    team: threaded ? team : null,
    threads: threaded ? Math.min(threads, team.size) : 1,
  };
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw signal.reason ?? new DOMException('The run was cancelled', 'AbortError');
}

export interface PassOptions extends ComputeOptions {
  /** Called with ∂L/∂W⁽ˡ⁾ (n_out × n_in, row-major) for each layer; the buffer is reused. */
  readonly onWeightGradient?: (layer: number, weightGradient: FloatArray) => void;
  /** Called with ∂L/∂b⁽ˡ⁾ = Σ over the batch of δ⁽ˡ⁾ (n_out values) for each layer; a new array. */
  readonly onBiasGradient?: (layer: number, biasGradient: Float64Array) => void;
  /**
   * Filled with this pass's milliseconds per kernel (results.ts KERNEL_NAMES): performance.now()
   * differences around each kernel's loops, a few calls per layer, on the coordinating thread.
   * With threads, the time it waits for the others counts toward the job's main kernel (forward,
   * weightGradient, backward or reductions). Progress callbacks and the gradient hooks are not
   * counted, so the kernels add up to at most the whole pass.
   */
  readonly kernelsMs?: Record<KernelName, number>;
}

/** Runs one forward + backward pass over a loaded network and returns its statistics. */
export function runNetworkPass(net: LoadedNetwork, options: PassOptions = {}): LayerStatistics {
  return withLanes(net, () => pass(net, options));
}

/** Σ W² before and Σ ΔW² after one optimizer step, per layer (index l − 1). */
export interface UpdateSums {
  readonly weightSquares: Float64Array;
  readonly deltaSquares: Float64Array;
}

/**
 * One training step over a network loaded with training buffers: the pass, then, when its loss
 * and every weight gradient are finite, the optimizer step of every layer's weights (JOB.update;
 * `step` is the 1-based step number, for Adam's bias correction), split between the same lanes
 * as the pass. Biases are the caller's (few, and on this thread).
 */
export function runTrainingPass(
  net: LoadedNetwork,
  step: number,
  options: PassOptions = {},
): { readonly stats: LayerStatistics; readonly update: UpdateSums | null } {
  const training = net.training;
  if (!training) throw new Error('runTrainingPass: the network was loaded without training');
  return withLanes(net, () => {
    const stats = pass(net, options);
    const finite = Number.isFinite(stats.loss) && stats.weightGradNorm.every(Number.isFinite);
    if (!finite) return { stats, update: null };
    training.settings[OPTIMIZER_SETTINGS.step] = step;
    const layers = net.sizes.length - 1;
    const words = partialWords(layers, net.spec.bins);
    const weights = net.weights.reduce((total, w) => total + w.length, 0);
    const clock = new KernelStopwatch({} as Record<KernelName, number>);
    // Work: about ten flops per weight (Adam), plus its transposition into Wᵀ.
    const lanes = runJob(net, clock, JOB.update, 0, 0, 16 * weights, 'weightGradient');
    // The weights changed: copies of them that lanes keep are stale.
    net.weightsVersion[0]! += 1;
    const weightSquares = new Float64Array(layers);
    const deltaSquares = new Float64Array(layers);
    for (let lane = 0; lane < lanes; lane++) {
      for (let i = 0; i < layers; i++) {
        weightSquares[i]! += net.partials[lane * words + 2 * i]!;
        deltaSquares[i]! += net.partials[lane * words + 2 * i + 1]!;
      }
    }
    return { stats, update: { weightSquares, deltaSquares } };
  });
}

/** Runs `body` with the network's lanes (if any) serving its jobs. */
function withLanes<T>(net: LoadedNetwork, body: () => T): T {
  const { team } = net;
  if (team) team.enter(net.buffers, net.kernels.variant, net.threads);
  try {
    return body();
  } finally {
    team?.leave();
  }
}

/**
 * Runs a job over `work` multiply-adds, split between the lanes when there are some and the job
 * is worth splitting (MIN_PARALLEL_WORK); returns how many lanes' partial slots it filled.
 */
function runJob(
  net: LoadedNetwork,
  clock: KernelStopwatch,
  kind: JobKind,
  layer: number,
  flags: number,
  work: number,
  wait: KernelName,
): number {
  if (net.team && work >= MIN_PARALLEL_WORK) {
    net.team.run(net, net.scratch, kind, layer, flags, clock, wait);
    return net.threads;
  }
  runLaneJob(net, net.scratch, kind, layer, flags, 0, 1, clock);
  return 1;
}

function pass(net: LoadedNetwork, options: PassOptions): LayerStatistics {
  const { sizes, spec, stats, partials } = net;
  const batch = spec.batch;
  const layers = sizes.length - 1;
  const bins = spec.bins;
  const { signal, onProgress, onPhase } = options;
  const clock = new KernelStopwatch(options.kernelsMs ?? ({} as Record<KernelName, number>));
  const words = partialWords(layers, bins);
  const teamSize = net.threads;
  const job = (kind: JobKind, layer: number, flags: number, size: number, wait: KernelName) =>
    runJob(net, clock, kind, layer, flags, size, wait);
  /** Layer l's product: its multiply-adds (what decides whether a job is split). */
  const work = (l: number) => sizes[l]! * sizes[l - 1]! * batch;
  stats.counts.fill(0);

  // Forward.
  for (let l = 1; l <= layers; l++) {
    onPhase?.('forward', l);
    checkAbort(signal);
    const nOut = sizes[l]!;
    const length = nOut * batch;
    const lanes = job(JOB.forward, l, 0, work(l), 'forward');
    let saturated = 0;
    let dead = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    let nonFinite = 0;
    let underflow = 0;
    let nearThreshold = 0;
    for (let lane = 0; lane < lanes; lane++) {
      const at = lane * words;
      saturated += partials[at + PARTIAL.saturated]!;
      dead += partials[at + PARTIAL.dead]!;
      sum += partials[at + PARTIAL.sum]!;
      min = Math.min(min, partials[at + PARTIAL.min]!);
      max = Math.max(max, partials[at + PARTIAL.max]!);
      nonFinite += partials[at + PARTIAL.nonFinite]!;
      underflow += partials[at + PARTIAL.underflow]!;
      nearThreshold += partials[at + PARTIAL.nearThreshold]!;
    }
    const i = l - 1;
    stats.deadFraction[i] = dead / nOut;
    stats.underflowFraction[i] = underflow / nOut;
    stats.thresholdFraction[i] = nearThreshold / length;
    stats.saturatedFraction[i] = saturated / length;
    stats.activationMean[i] = sum / length;
    stats.nonFinite[i] = nonFinite;
    const allNonFinite = nonFinite === length;
    stats.histMin[i] = allNonFinite ? NaN : min;
    stats.histMax[i] = allNonFinite ? NaN : max;
    onProgress?.({ phase: 'forward', done: l, total: layers });
  }
  // Second statistics pass (centered squares and histograms) of every layer at once.
  onPhase?.('statistics');
  checkAbort(signal);
  clock.reset();
  const statisticsLanes = net.team ? teamSize : 1;
  partials.fill(0, 0, statisticsLanes * words);
  const units = sizes.slice(1).reduce((total, n) => total + n, 0);
  const filled = job(JOB.statistics, 0, 0, units * batch * 8, 'reductions');
  for (let i = 0; i < layers; i++) {
    const base = i * (1 + bins);
    let squares = 0;
    for (let lane = 0; lane < filled; lane++) {
      const at = lane * words + base;
      squares += partials[at]!;
      for (let bin = 0; bin < bins; bin++) stats.counts[i * bins + bin]! += partials[at + 1 + bin]!;
    }
    stats.activationStd[i] = Math.sqrt(squares / (sizes[i + 1]! * batch));
  }
  clock.lap('reductions');

  // Backward. g⁽ᴸ⁾ = a⁽ᴸ⁾ − Y.
  let parity = 0;
  const output = net.activations[layers]!;
  clock.reset();
  let loss = 0;
  const gradL = net.grads[parity]!;
  for (let j = 0; j < sizes[layers]! * batch; j++) {
    const diff = output[j]! - net.y[j]!;
    gradL[j] = diff;
    loss += diff * diff;
  }
  loss *= 0.5;
  clock.lap('reductions');
  const withBias = options.onBiasGradient ? FLAG.withBias : 0;
  const keepWeightGradient = options.onWeightGradient ? FLAG.weightGradient : 0;
  // Without gradient hooks, layer l − 1's delta runs in the same job as layer l's backward
  // product (JOB.backward, one barrier per layer); with them, the hook reads each layer's
  // gradients between the two.
  const fused = withBias === 0 && keepWeightGradient === 0;
  let lanes = 0;
  for (let l = layers; l >= 1; l--) {
    onPhase?.('backward', l);
    checkAbort(signal);
    const nIn = sizes[l - 1]!;
    const nOut = sizes[l]!;
    const flags = parity | withBias | keepWeightGradient;
    // Layer l's delta: on its own for the output layer (or with hooks), else already computed by
    // the last iteration's backward job.
    if (!fused || l === layers) lanes = job(JOB.delta, l, flags, work(l), 'weightGradient');
    let gradSquares = 0;
    let weightGradSquares = 0;
    for (let lane = 0; lane < lanes; lane++) {
      gradSquares += partials[lane * words + PARTIAL.gradSquares]!;
      weightGradSquares += partials[lane * words + PARTIAL.weightGradSquares]!;
    }
    stats.gradNorm[l - 1] = Math.sqrt(gradSquares);
    stats.weightGradNorm[l - 1] = Math.sqrt(weightGradSquares);
    if (options.onWeightGradient) {
      const dW = net.training?.weightGradients[l - 1] ?? net.dW;
      options.onWeightGradient(l, dW.subarray(0, nOut * nIn));
      clock.reset();
    }
    if (options.onBiasGradient) {
      options.onBiasGradient(l, net.biasGradient.slice(0, nOut));
      clock.reset();
    }
    if (l > 1 && fused) {
      // The delta's share of the time counts as its own kernels (pass-rows*.ts); waiting for
      // the other lanes counts as the backward product's.
      lanes = job(JOB.backward, l, parity, work(l) + work(l - 1), 'backward');
      parity = 1 - parity;
    } else if (l > 1) {
      job(JOB.grad, l, parity, work(l), 'backward');
      parity = 1 - parity;
    }
    onProgress?.({ phase: 'backward', done: layers - l + 1, total: layers });
  }

  // Copying the statistics out is the CPU's read-back.
  onPhase?.('readback');
  checkAbort(signal);
  return {
    layerCount: layers,
    gradNorm: stats.gradNorm.slice(),
    weightGradNorm: stats.weightGradNorm.slice(),
    activationMean: stats.activationMean.slice(),
    activationStd: stats.activationStd.slice(),
    deadFraction: stats.deadFraction.slice(),
    underflowFraction: stats.underflowFraction.slice(),
    thresholdFraction: stats.thresholdFraction.slice(),
    saturatedFraction: stats.saturatedFraction.slice(),
    histograms: {
      bins,
      min: stats.histMin.slice(),
      max: stats.histMax.slice(),
      counts: Uint32Array.from(stats.counts),
      nonFinite: Uint32Array.from(stats.nonFinite),
    },
    loss,
  };
}
