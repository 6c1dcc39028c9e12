/**
 * Training on the GPU: the twin of src/backends/cpu/training.ts's trainSteps, taking and returning
 * the same plain-data TrainingState and the same TrainingRecords, so a run can be paused, stepped,
 * resumed and moved between the CPU and the GPU.
 *
 * Weights, biases and the optimizer's moments (momentum v, Adam m and v) live in GPU buffers for
 * the whole chunk, in f32. Each step is one submission: gather the minibatch (step t trains on
 * samples (t·batch + b) mod samples, as on the CPU), the network pass forward and backward with the
 * WebGPU backend's kernels (bias, φ/φ′, batch normalization, residual), ∂L/∂W and ∂L/∂b for the
 * batch-mean loss ½‖a⁽ᴸ⁾ − Y‖² / batch, the divergence check, the optimizer update, and GPU sums of
 * Σ(a⁽ᴸ⁾ − Y)², Σ(∂L/∂W)², ΣW² and Σ(ΔW)² per layer into a small record that is copied into a
 * buffer of records. Only those records come back, once every `stepsPerReadback` steps; the
 * parameters and moments are read back once, at the end of the chunk.
 *
 * Divergence is reported as the CPU reports it: a step whose loss or gradients are not finite is
 * recorded with NaN update ratios and no update; an update that stores a non-finite parameter is
 * recorded with its ratios; either way the record has `nonFinite`, training stops there (the GPU
 * halts every later update of the chunk) and the state has `diverged` set. Sums are f32 on the
 * GPU (f64 on the CPU), so a gradient whose squares overflow f32 (|∂L/∂W| ≳ 1e19) counts as
 * non-finite here a little earlier than there.
 */
import type { TrainingChunk, TrainingRecord, TrainingState } from '../cpu/training-state.ts';
import { hasResidual, layerActivation } from '../../engine/problem.ts';
import { SpecError } from '../../engine/spec.ts';
import { isSoftwareAdapter } from './adapter.ts';
import {
  chooseTile,
  GPU_FILL_WORKGROUPS,
  matmulProgram,
  SOFTWARE_FILL_WORKGROUPS,
  type MatmulOptions,
  type MatmulShape,
} from './kernels/matmul.ts';
import {
  backwardEpilogue,
  batchnormBackwardProgram,
  batchnormForwardProgram,
  biasEpilogue,
  forwardEpilogue,
  outputGradientProgram,
} from './kernels/network-kernels.ts';
import {
  destroyReduceSteps,
  reduceScratchBytes,
  sumOfSquaresSteps,
  type ReduceStep,
} from './kernels/reduce.ts';
import {
  biasGradientProgram,
  checkGradientsProgram,
  checkUpdateProgram,
  CONTROL_WORDS,
  dividedStoreEpilogue,
  gatherProgram,
  STEP_PARAMS_WORDS,
  stepParamsWords,
  StepRecord,
  StepStatus,
  updateProgram,
  type UpdateRule,
} from './kernels/training-kernels.ts';
import type { GpuProgram } from './program.ts';
import { GpuRunner, type BindingResource, type DispatchStep } from './runner.ts';
import { WebGpuUnavailableError } from './webgpu-backend.ts';

/** Steps whose records are read back at once, unless told otherwise. */
export const DEFAULT_STEPS_PER_READBACK = 64;

export interface GpuTrainOptions {
  readonly device: GPUDevice;
  /** A pipeline cache to share (the WebGPU backend's); otherwise one for this call. */
  readonly runner?: GpuRunner;
  readonly signal?: AbortSignal;
  /**
   * Steps submitted between two readbacks of the per-step records. A cancel is checked before
   * every step; in a page, its event arrives while the records are read back.
   */
  readonly stepsPerReadback?: number;
  /** A software adapter (SwiftShader): bigger matmul tiles. Read from the device when absent. */
  readonly software?: boolean;
}

/** Whether the device's adapter is a software one, where the device says (device.adapterInfo). */
function deviceIsSoftware(device: GPUDevice): boolean {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  if (!info) return false;
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return isSoftwareAdapter({
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isFallbackAdapter: Boolean(fallback),
  });
}

/** The optimizer rule a state trains with, chosen exactly as training.ts's update() chooses. */
function updateRule(state: TrainingState): UpdateRule {
  if (state.options.optimizer === 'adam') return 'adam';
  return state.firstMoment.length > 0 ? 'momentum' : 'sgd';
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('Training was cancelled', 'AbortError');
}

/**
 * Trains `steps` steps from `state` (left as it was) on the device and returns the new state
 * (`backend: 'webgpu'`, precision f32) and one record per step, like trainSteps. Throws SpecError
 * when the network does not fit the device's buffer limits, the signal's reason when cancelled,
 * and WebGpuUnavailableError when WebGPU fails (so a caller can train the same state on the CPU).
 */
export async function trainStepsOnGpu(
  state: TrainingState,
  steps: number,
  options: GpuTrainOptions,
): Promise<TrainingChunk> {
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`steps must be an integer ≥ 0, got ${steps}`);
  if (state.diverged !== null || steps === 0) return { state, records: [] };
  const { device, signal } = options;
  if (signal?.aborted) throw abortError(signal);
  let lost: string | null = null;
  void device.lost.then((info) => {
    lost = info.message || `reason: ${info.reason}`;
  });
  const session = new TrainingSession(state, options);
  try {
    await session.prepare();
    return await session.train(steps);
  } catch (error) {
    if (error instanceof SpecError || signal?.aborted) throw error;
    if (error instanceof WebGpuUnavailableError) throw error;
    if (lost !== null)
      throw new WebGpuUnavailableError(`the GPU device was lost (${lost}) during training`);
    const message = error instanceof Error && error.message ? error.message : String(error);
    throw new WebGpuUnavailableError(`WebGPU failed during training: ${message}`);
  } finally {
    session.destroy();
  }
}

/** One chunk of training: the buffers, the list of dispatches of one step, and the loop. */
class TrainingSession {
  private readonly device: GPUDevice;
  private readonly runner: GpuRunner;
  private readonly layers: number;
  private readonly owned: GPUBuffer[] = [];
  private readonly reduceSteps: ReduceStep[] = [];
  private readonly dispatches: DispatchStep[] = [];
  private readonly stepsPerReadback: number;
  private readonly recordBytes: number;
  /** Set by prepare(). */
  private buffers!: {
    weights: GPUBuffer[];
    biases: GPUBuffer[];
    firstMoment: GPUBuffer[];
    secondMoment: GPUBuffer[];
    stepParams: GPUBuffer;
    stepRecord: GPUBuffer;
    records: GPUBuffer;
    recordsReadback: GPUBuffer;
  };

  constructor(
    private readonly state: TrainingState,
    private readonly options: GpuTrainOptions,
  ) {
    this.device = options.device;
    this.runner = options.runner ?? new GpuRunner(options.device);
    this.layers = state.sizes.length - 1;
    this.stepsPerReadback = Math.max(
      1,
      Math.floor(options.stepsPerReadback ?? DEFAULT_STEPS_PER_READBACK),
    );
    this.recordBytes = StepRecord.words(this.layers) * 4;
  }

  private buffer(values: number, label: string, data?: ArrayLike<number>): GPUBuffer {
    const size = Math.max(16, Math.ceil((values * 4) / 16) * 16);
    const buffer = this.device.createBuffer({
      label: `gradlab-train:${label}`,
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      mappedAtCreation: data !== undefined,
    });
    this.owned.push(buffer);
    if (data !== undefined) {
      new Float32Array(buffer.getMappedRange()).set(data);
      buffer.unmap();
    }
    return buffer;
  }

  private checkLimits(): void {
    const { spec, sizes, samples } = this.state;
    const largest = Math.max(
      ...sizes.slice(1).map((n, i) => n * sizes[i]!),
      ...sizes.map((n) => n * spec.batch),
      spec.inputs * samples,
      spec.outputs * samples,
    );
    const limit = Math.min(
      this.device.limits.maxStorageBufferBindingSize,
      this.device.limits.maxBufferSize,
    );
    if (largest * 4 > limit)
      throw new SpecError(
        'width',
        `training needs a buffer of ${largest * 4} bytes, over the device's maxStorageBufferBindingSize/maxBufferSize of ${limit}`,
      );
  }

  /** Allocates and uploads everything, compiles the pipelines and lists one step's dispatches. */
  async prepare(): Promise<void> {
    this.checkLimits();
    const { device, runner, state, layers } = this;
    const { spec, sizes } = state;
    const batch = spec.batch;
    const software = this.options.software ?? deviceIsSoftware(device);
    const fill = software ? SOFTWARE_FILL_WORKGROUPS : GPU_FILL_WORKGROUPS;
    const matmul = (shape: MatmulShape, options: MatmulOptions = {}): GpuProgram =>
      matmulProgram(shape, { ...options, tile: chooseTile(shape, device.limits, fill) });

    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let scopesOpen = 2;
    try {
      // Parameters, moments (f64 in the state, f32 here) and the training set.
      const weights = state.weights.map((w, i) => this.buffer(w.length, `W${i + 1}`, w));
      const biases = state.biases.map((b, i) => this.buffer(b.length, `b${i + 1}`, b));
      const moment = (values: Float64Array, i: number, name: string): GPUBuffer =>
        this.buffer(values.length, `${name}${i}`, values);
      const firstMoment = state.firstMoment.map((m, i) => moment(m, i, 'm'));
      const secondMoment = state.secondMoment.map((v, i) => moment(v, i, 'v'));
      const dataX = this.buffer(state.inputs.length, 'data-x', state.inputs);
      const dataY = this.buffer(state.targets.length, 'data-y', state.targets);

      // The network pass's buffers, as the WebGPU backend lays them out.
      const activations = sizes.map((n, l) => this.buffer(n * batch, `a${l}`));
      const y = this.buffer(sizes[layers]! * batch, 'Y');
      const derivatives = sizes.slice(1).map((n, i) => this.buffer(n * batch, `df${i + 1}`));
      const batchnormAt = (l: number): boolean => spec.batchnorm && l < layers;
      const residualAt = (l: number): boolean => hasResidual(spec, sizes, l);
      const preResidual = sizes
        .slice(1)
        .map((n, i) =>
          residualAt(i + 1) ? this.buffer(n * batch, `pre${i + 1}`) : activations[i + 1]!,
        );
      const normalized = sizes
        .slice(1)
        .map((n, i) => (batchnormAt(i + 1) ? this.buffer(n * batch, `zhat${i + 1}`) : null));
      const invStd = sizes
        .slice(1)
        .map((n, i) => (batchnormAt(i + 1) ? this.buffer(n, `invstd${i + 1}`) : null));
      const maxUnits = Math.max(...sizes);
      const maxWeights = Math.max(...state.weights.map((w) => w.length));
      const z = this.buffer(maxUnits * batch, 'z');
      const deltas = [
        this.buffer(maxUnits * batch, 'delta0'),
        this.buffer(maxUnits * batch, 'delta1'),
      ];
      const bnDelta = spec.batchnorm ? this.buffer(maxUnits * batch, 'delta-bn') : null;
      const firstGradient = this.buffer(maxUnits * batch, 'g0');
      const grads = [
        firstGradient,
        spec.residual ? this.buffer(maxUnits * batch, 'g1') : firstGradient,
      ];
      // Per layer: ∂L/∂W and ∂L/∂b until the update, which overwrites them with ΔW and Δb.
      const weightGradients = state.weights.map((w, i) => this.buffer(w.length, `dW${i + 1}`));
      const biasGradients = state.biases.map((b, i) => this.buffer(b.length, `db${i + 1}`));
      const scratch = this.buffer(
        Math.ceil(reduceScratchBytes(Math.max(maxWeights, maxUnits * batch)) / 4),
        'reduce-scratch',
      );
      const control = this.buffer(CONTROL_WORDS, 'control');
      const stepRecord = this.buffer(StepRecord.words(layers), 'step-record');
      const records = this.buffer((this.stepsPerReadback * this.recordBytes) / 4, 'records');
      const stepParams = device.createBuffer({
        label: 'gradlab-train:step-params',
        size: STEP_PARAMS_WORDS * 4,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      this.owned.push(stepParams);
      const recordsReadback = device.createBuffer({
        label: 'gradlab-train:records-readback',
        size: records.size,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      this.owned.push(recordsReadback);
      this.buffers = {
        weights,
        biases,
        firstMoment,
        secondMoment,
        stepParams,
        stepRecord,
        records,
        recordsReadback,
      };

      const add = async (program: GpuProgram, resources: readonly BindingResource[]) => {
        await runner.pipeline(program);
        this.dispatches.push({ program, bindGroup: runner.bindGroup(program, resources) });
      };
      const sumOfSquares = async (input: GPUBuffer, length: number, word: number) => {
        const more = await sumOfSquaresSteps(runner, input, length, stepRecord, word, scratch);
        this.reduceSteps.push(...more);
        this.dispatches.push(...more);
      };

      // The minibatch.
      await add(
        gatherProgram({
          inputs: spec.inputs,
          outputs: spec.outputs,
          batch,
          samples: state.samples,
        }),
        [dataX, dataY, activations[0]!, y, stepParams],
      );

      // Forward, as the WebGPU backend does it (training always adds the biases, zero or not).
      for (let l = 1; l <= layers; l++) {
        const nIn = sizes[l - 1]!;
        const nOut = sizes[l]!;
        const activation = layerActivation(spec, l, layers);
        const bias = biases[l - 1]!;
        const shape = { m: nOut, k: nIn, n: batch };
        const residual = residualAt(l);
        if (batchnormAt(l)) {
          await add(matmul(shape, { epilogue: biasEpilogue(batch, true) }), [
            weights[l - 1]!,
            activations[l - 1]!,
            z,
            bias,
          ]);
          await add(batchnormForwardProgram({ activation, units: nOut, batch, residual }), [
            z,
            normalized[l - 1]!,
            invStd[l - 1]!,
            derivatives[l - 1]!,
            activations[l]!,
            ...(residual ? [preResidual[l - 1]!, activations[l - 1]!] : []),
          ]);
        } else {
          const epilogue = forwardEpilogue({ activation, batch, bias: true, residual });
          await add(matmul(shape, { epilogue }), [
            weights[l - 1]!,
            activations[l - 1]!,
            activations[l]!,
            bias,
            derivatives[l - 1]!,
            ...(residual ? [preResidual[l - 1]!, activations[l - 1]!] : []),
          ]);
        }
      }

      // Backward: g_L = a_L − Y (its Σ² is the loss), then per layer δ, ∂L/∂W, ∂L/∂b, g⁽ˡ⁻¹⁾.
      const outputCount = sizes[layers]! * batch;
      let gradient = grads[0]!;
      let d = deltas[0]!;
      await add(outputGradientProgram(outputCount), [
        activations[layers]!,
        y,
        derivatives[layers - 1]!,
        gradient,
        d,
      ]);
      await sumOfSquares(gradient, outputCount, StepRecord.lossSumSq);
      for (let l = layers; l >= 1; l--) {
        const nIn = sizes[l - 1]!;
        const nOut = sizes[l]!;
        let delta = d;
        if (batchnormAt(l)) {
          await add(batchnormBackwardProgram(nOut, batch), [
            d,
            normalized[l - 1]!,
            invStd[l - 1]!,
            bnDelta!,
          ]);
          delta = bnDelta!;
        }
        await add(
          matmul(
            { m: nOut, k: batch, n: nIn },
            { transposeB: true, epilogue: dividedStoreEpilogue(batch) },
          ),
          [delta, activations[l - 1]!, weightGradients[l - 1]!],
        );
        await sumOfSquares(weightGradients[l - 1]!, nOut * nIn, StepRecord.gradSumSq(l - 1));
        await add(biasGradientProgram(nOut, batch), [delta, biasGradients[l - 1]!]);
        if (l > 1) {
          const addNext = residualAt(l);
          const storeGradient = residualAt(l - 1) && l > 2;
          const nextD = d === deltas[0] ? deltas[1]! : deltas[0]!;
          const nextGradient = gradient === grads[0] ? grads[1]! : grads[0]!;
          await add(
            matmul(
              { m: nIn, k: nOut, n: batch },
              { transposeA: true, epilogue: backwardEpilogue({ batch, addNext, storeGradient }) },
            ),
            [
              weights[l - 1]!,
              delta,
              nextD,
              derivatives[l - 2]!,
              ...(addNext ? [gradient] : []),
              ...(storeGradient ? [nextGradient] : []),
            ],
          );
          d = nextD;
          gradient = nextGradient;
        }
      }

      // The divergence check, then the updates (skipped once halted), then the update check.
      await add(checkGradientsProgram(layers), [stepRecord, control]);
      const rule = updateRule(state);
      const updateOf = async (
        parameter: GPUBuffer,
        change: GPUBuffer,
        count: number,
        momentIndex: number,
      ) => {
        const moments =
          rule === 'sgd'
            ? []
            : rule === 'momentum'
              ? [firstMoment[momentIndex]!]
              : [firstMoment[momentIndex]!, secondMoment[momentIndex]!];
        await add(updateProgram(rule, count), [parameter, change, control, stepParams, ...moments]);
      };
      for (let l = 1; l <= layers; l++) {
        const count = state.weights[l - 1]!.length;
        await sumOfSquares(weights[l - 1]!, count, StepRecord.weightSumSq(layers, l - 1));
        await updateOf(weights[l - 1]!, weightGradients[l - 1]!, count, l - 1);
        await sumOfSquares(weightGradients[l - 1]!, count, StepRecord.deltaSumSq(layers, l - 1));
        await updateOf(
          biases[l - 1]!,
          biasGradients[l - 1]!,
          state.biases[l - 1]!.length,
          layers + l - 1,
        );
      }
      await add(checkUpdateProgram(), [stepRecord, control]);

      scopesOpen = 0;
      const validation = await device.popErrorScope();
      const memory = await device.popErrorScope();
      const error = validation ?? memory;
      if (error)
        throw new WebGpuUnavailableError(`WebGPU could not prepare training: ${error.message}`);
    } finally {
      for (; scopesOpen > 0; scopesOpen--) await device.popErrorScope().catch(() => null);
    }
  }

  /** Runs the steps, reading records back every stepsPerReadback steps; stops at divergence. */
  async train(steps: number): Promise<TrainingChunk> {
    const { device, runner, state, layers } = this;
    const { options: training, spec } = state;
    const { stepParams, stepRecord, records, recordsReadback } = this.buffers;
    const out: TrainingRecord[] = [];
    let step = state.step;
    let diverged: number | null = null;
    while (out.length < steps && diverged === null) {
      const count = Math.min(this.stepsPerReadback, steps - out.length);
      device.pushErrorScope('validation');
      for (let k = 0; k < count; k++) {
        if (this.options.signal?.aborted) {
          await device.popErrorScope();
          throw abortError(this.options.signal);
        }
        device.queue.writeBuffer(
          stepParams,
          0,
          stepParamsWords({
            step: step + k,
            batch: spec.batch,
            samples: state.samples,
            learningRate: training.learningRate,
            momentum: training.momentum,
            beta1: training.beta1,
            beta2: training.beta2,
            epsilon: training.epsilon,
          }),
        );
        const encoder = device.createCommandEncoder({ label: 'gradlab-train-step' });
        const pass = encoder.beginComputePass({ label: 'gradlab-train-step' });
        for (const { program, bindGroup } of this.dispatches)
          runner.dispatch(pass, program, bindGroup);
        pass.end();
        encoder.copyBufferToBuffer(stepRecord, 0, records, k * this.recordBytes, this.recordBytes);
        device.queue.submit([encoder.finish()]);
      }
      const encoder = device.createCommandEncoder({ label: 'gradlab-train-records' });
      encoder.copyBufferToBuffer(records, 0, recordsReadback, 0, count * this.recordBytes);
      device.queue.submit([encoder.finish()]);
      const invalid = await device.popErrorScope();
      if (invalid) throw new WebGpuUnavailableError(`WebGPU rejected training: ${invalid.message}`);
      await recordsReadback.mapAsync(GPUMapMode.READ, 0, count * this.recordBytes);
      const words = new Uint32Array(
        recordsReadback.getMappedRange(0, count * this.recordBytes).slice(0),
      );
      recordsReadback.unmap();
      const floats = new Float32Array(words.buffer);
      const recordWords = StepRecord.words(layers);
      for (let k = 0; k < count; k++) {
        const base = k * recordWords;
        const status = words[base + StepRecord.status]!;
        if (status === StepStatus.notRun) break;
        const gradNorm = new Float64Array(layers);
        const updateRatio = new Float64Array(layers).fill(NaN);
        for (let l = 0; l < layers; l++) {
          gradNorm[l] = Math.sqrt(floats[base + StepRecord.gradSumSq(l)]!);
          if (status !== StepStatus.nonFiniteGradient)
            updateRatio[l] =
              Math.sqrt(floats[base + StepRecord.deltaSumSq(layers, l)]!) /
              Math.sqrt(floats[base + StepRecord.weightSumSq(layers, l)]!);
        }
        const loss = (0.5 * floats[base + StepRecord.lossSumSq]!) / spec.batch;
        const t = step + 1;
        const nonFinite = status !== StepStatus.ok;
        out.push({ step: t, loss, updateRatio, gradNorm, nonFinite });
        step = t;
        if (nonFinite) {
          diverged = t;
          break;
        }
      }
    }
    const parameters = await this.readParameters();
    return {
      state: {
        ...state,
        backend: 'webgpu',
        precision: 'f32',
        ...parameters,
        step,
        diverged,
      },
      records: out,
    };
  }

  /** Weights, biases and moments, read back in one copy. */
  private async readParameters(): Promise<
    Pick<TrainingState, 'weights' | 'biases' | 'firstMoment' | 'secondMoment'>
  > {
    const { device, state } = this;
    const { weights, biases, firstMoment, secondMoment } = this.buffers;
    const parts: [GPUBuffer, number][] = [
      ...weights.map((b, i): [GPUBuffer, number] => [b, state.weights[i]!.length]),
      ...biases.map((b, i): [GPUBuffer, number] => [b, state.biases[i]!.length]),
      ...firstMoment.map((b, i): [GPUBuffer, number] => [b, state.firstMoment[i]!.length]),
      ...secondMoment.map((b, i): [GPUBuffer, number] => [b, state.secondMoment[i]!.length]),
    ];
    const total = parts.reduce((sum, [, n]) => sum + n, 0);
    const staging = device.createBuffer({
      label: 'gradlab-train:parameters-readback',
      size: Math.max(16, Math.ceil((total * 4) / 16) * 16),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.owned.push(staging);
    const encoder = device.createCommandEncoder({ label: 'gradlab-train-parameters' });
    let offset = 0;
    for (const [buffer, n] of parts) {
      encoder.copyBufferToBuffer(buffer, 0, staging, offset * 4, n * 4);
      offset += n;
    }
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const all = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    let at = 0;
    const next = (n: number): Float32Array => {
      const values = all.slice(at, at + n);
      at += n;
      return values;
    };
    return {
      weights: state.weights.map((w) => next(w.length)),
      biases: state.biases.map((b) => next(b.length)),
      firstMoment: state.firstMoment.map((m) => Float64Array.from(next(m.length))),
      secondMoment: state.secondMoment.map((v) => Float64Array.from(next(v.length))),
    };
  }

  destroy(): void {
    destroyReduceSteps(this.reduceSteps);
    this.reduceSteps.length = 0;
    for (const buffer of this.owned) buffer.destroy();
    this.owned.length = 0;
  }
}
