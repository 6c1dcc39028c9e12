/**
 * The WebGPU backend: a whole run — every layer forward and backward, and all statistics — encoded
 * into one compute pass, with the per-layer statistics read back once at the end. Weights under
 * --rng philox are generated on the device; otherwise the f64 problem is uploaded as f32.
 *
 * prepare() allocates, generates, compiles every pipeline (timed as compileMs) and builds the list
 * of dispatches; compute() only encodes that list, submits and reads back, so repeated runs measure
 * steady state.
 */
import { activationProperties } from '../../engine/activations.ts';
import type { Backend, PreparedRun, PrepareOptions, RunPhase } from '../../engine/backend.ts';
import { INITS } from '../../engine/inits.ts';
import { hasResidual, layerActivation, type ProblemSource } from '../../engine/problem.ts';
import type {
  AdapterInfo,
  KernelName,
  KernelTimes,
  LayerStatistics,
} from '../../engine/results.ts';
import { PhiloxPurpose } from '../../engine/rng.ts';
import { SpecError, type RunSpec } from '../../engine/spec.ts';
import { SATURATION_THRESHOLD } from '../cpu/network-pass.ts';
import { describeAdapter, isSoftwareAdapter } from './adapter.ts';
import { BufferPool } from './buffer-pool.ts';
import type { GpuFaults, GpuRunPhase } from './faults.ts';
import { generateParams, generateProgram } from './kernels/generate.ts';
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
  layerStatisticsSteps,
  reduceScratchBytes,
  sumOfSquaresSteps,
  type ReduceStep,
} from './kernels/reduce.ts';
import type { GpuProgram } from './program.ts';
import {
  groupByKernel,
  GpuRunner,
  KernelTimer,
  MAX_QUERY_SET_COUNT,
  uniformBuffer,
  type BindingResource,
  type DispatchStep,
} from './runner.ts';
import {
  StatsField,
  statsRecordOffset,
  statsRecordWords,
  STATS_HEADER_WORDS,
} from './stats-layout.ts';

/** Device memory a run may take unless told otherwise: WebGPU cannot query the real amount. */
export const DEFAULT_GPU_MEMORY_BUDGET = 4 * 1024 ** 3;

export interface WebGpuBackendOptions {
  /** An existing device (shared by widgets); otherwise one is requested from `gpu`. */
  readonly device?: GPUDevice;
  readonly adapter?: GPUAdapter;
  readonly gpu?: GPU;
  /** A runner (pipeline cache) to share with other backends on the same device. */
  readonly runner?: GpuRunner;
  /** Bytes of device memory a run may allocate. */
  readonly memoryBudgetBytes?: number;
  /**
   * Faults to inject (tests; faults.ts), for the runner this creates. A runner passed in keeps
   * its own.
   */
  readonly faults?: GpuFaults;
}

/** A WebGPU failure the user can act on: no adapter, a lost device, a compile error. */
export class WebGpuUnavailableError extends Error {
  override name = 'WebGpuUnavailableError';
}

/** Sizes of everything a run allocates, for the limit checks. */
/** Bytes the buffer pool hands out for `values` f32 values (it rounds up to 256 bytes). */
export function pooledBytes(values: number): number {
  return Math.max(256, Math.ceil((values * 4) / 256) * 256);
}

/**
 * What prepareRun allocates, buffer by buffer, in f32 values: the limit check and the allocation
 * read the same list, so the estimate cannot drift from what is made.
 */
export function gpuRunBuffers(spec: RunSpec, sizes: readonly number[]): number[] {
  const layers = sizes.length - 1;
  const batch = spec.batch;
  const maxUnits = Math.max(...sizes);
  const values: number[] = [];
  let maxWeights = 0;
  for (let l = 1; l <= layers; l++) {
    const nOut = sizes[l]!;
    const count = nOut * sizes[l - 1]!;
    maxWeights = Math.max(maxWeights, count);
    values.push(count, nOut * batch); // W, φ′
    if (spec.sigmaB > 0) values.push(nOut); // b
    if (hasResidual(spec, sizes, l)) values.push(nOut * batch); // φ(ẑ) before the residual add
    if (spec.batchnorm && l < layers) values.push(nOut * batch, nOut); // ẑ, 1/s
  }
  for (const n of sizes) values.push(n * batch); // a⁽⁰⁾ … a⁽ᴸ⁾
  values.push(sizes[layers]! * batch); // Y
  // z, two δ buffers, [δ after batchnorm], g, [second g for residuals], ∂L/∂W, statistics.
  const scratch = 4 + (spec.batchnorm ? 1 : 0) + (spec.residual ? 1 : 0);
  for (let i = 0; i < scratch; i++) values.push(maxUnits * batch);
  values.push(maxWeights, layers * statsRecordWords(spec.bins));
  values.push(Math.ceil(reduceScratchBytes(Math.max(maxWeights, maxUnits * batch)) / 4));
  return values;
}

/** Sizes of everything a run allocates, for the limit checks. */
export function gpuRunBytes(
  spec: RunSpec,
  sizes: readonly number[],
): { total: number; largestBuffer: number } {
  const buffers = gpuRunBuffers(spec, sizes);
  let total = 0;
  let largest = 0;
  for (const values of buffers) {
    total += pooledBytes(values);
    largest = Math.max(largest, pooledBytes(values));
  }
  return { total, largestBuffer: largest };
}

function checkLimits(
  spec: RunSpec,
  sizes: readonly number[],
  device: GPUDevice,
  budget: number,
): void {
  const { total, largestBuffer } = gpuRunBytes(spec, sizes);
  const bindingLimit = Math.min(
    device.limits.maxStorageBufferBindingSize,
    device.limits.maxBufferSize,
  );
  const fits = (candidate: RunSpec): boolean => {
    const bytes = gpuRunBytes(
      candidate,
      sizes.map((_n, i) =>
        i === 0 ? candidate.inputs : i === sizes.length - 1 ? candidate.outputs : candidate.width,
      ),
    );
    return bytes.largestBuffer <= bindingLimit && bytes.total <= budget;
  };
  if (largestBuffer <= bindingLimit && total <= budget) return;
  let lo = 0;
  let hi = spec.width;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits({ ...spec, width: mid })) lo = mid;
    else hi = mid - 1;
  }
  const which =
    largestBuffer > bindingLimit
      ? `one buffer needs ${largestBuffer} bytes, over the device's maxStorageBufferBindingSize/maxBufferSize of ${bindingLimit}`
      : `the run needs about ${(total / 1024 ** 3).toFixed(2)} GiB of GPU memory, over the ${(budget / 1024 ** 3).toFixed(2)} GiB budget`;
  throw new SpecError(
    'width',
    `${which}; with the other sizes as they are, the largest width that fits is ${lo}`,
  );
}

/**
 * Prepares on one device run one after another: error scopes belong to the device, so two
 * interleaved prepares (two widgets, or a run superseded while it prepares) would catch each
 * other's errors.
 */
const preparing = new WeakMap<GPUDevice, Promise<unknown>>();
function onePrepareAtATime<T>(device: GPUDevice, task: () => Promise<T>): Promise<T> {
  const previous = preparing.get(device) ?? Promise.resolve();
  const next = previous.then(task, task);
  preparing.set(
    device,
    next.catch(() => undefined),
  );
  return next;
}

/** Whether the device is still usable; set when its `lost` promise resolves. */
interface DeviceHealth {
  lost: string | null;
}

function checkHealth(health: DeviceHealth): void {
  if (health.lost !== null) {
    throw new WebGpuUnavailableError(`the GPU device was lost (${health.lost}); start a new run`);
  }
}

/**
 * How long a failed run waits for `device.lost` to settle before naming the failure: a lost
 * device first shows as a rejected map or a failed submission, and its `lost` promise resolves
 * a moment later.
 */
const LOST_SETTLE_MS = 100;

/** Waits (at most LOST_SETTLE_MS) for the device's lost promise, so health.lost is current. */
async function settleLost(device: GPUDevice, health: DeviceHealth): Promise<void> {
  if (health.lost !== null) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    device.lost.then((info) => {
      health.lost ??= info.message || `reason: ${info.reason}`;
    }),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, LOST_SETTLE_MS))),
  ]);
  clearTimeout(timer);
}

/**
 * A clear error for whatever WebGPU threw: SpecErrors pass through, the rest name WebGPU; a
 * cancellation passes through as the signal's reason (it is not a WebGPU failure).
 */
function asWebGpuError(
  error: unknown,
  health: DeviceHealth,
  during: string,
  signal?: AbortSignal,
): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof SpecError || error instanceof WebGpuUnavailableError) return error;
  if (health.lost !== null)
    return new WebGpuUnavailableError(`the GPU device was lost (${health.lost}) ${during}`);
  const message =
    error instanceof Error && error.message ? error.message : String(error) || 'unknown error';
  return new WebGpuUnavailableError(`WebGPU failed ${during}: ${message}`);
}

/** A dispatch of the run, labelled with the kernel whose time it counts toward. */
interface Step extends DispatchStep {
  readonly kernel: KernelName;
}

/** The optional device feature that per-kernel GPU times need. */
const TIMESTAMP_FEATURE = 'timestamp-query';

export async function requestGpuDevice(
  gpu: GPU | undefined = globalThis.navigator?.gpu,
): Promise<{ adapter: GPUAdapter; device: GPUDevice }> {
  if (!gpu) throw new WebGpuUnavailableError('WebGPU is not available here (no navigator.gpu)');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new WebGpuUnavailableError('WebGPU found no adapter on this machine');
  const { limits } = adapter;
  const device = await adapter.requestDevice({
    label: 'gradlab',
    // Per-kernel GPU times (the benchmark), where the adapter offers timestamps.
    requiredFeatures: adapter.features.has(TIMESTAMP_FEATURE) ? [TIMESTAMP_FEATURE] : [],
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(limits.maxStorageBuffersPerShaderStage, 10),
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: limits.maxComputeWorkgroupSizeY,
    },
  });
  return { adapter, device };
}

/** A WebGPU backend, with what tests and the page's runner reach into. */
export interface WebGpuBackend extends Backend {
  readonly device: GPUDevice;
  readonly runner: GpuRunner;
  readonly pool: BufferPool;
  /** Faults to inject (the runner's, shared by every backend on its device; see faults.ts). */
  readonly faults: GpuFaults;
  /** Runs prepared and not yet disposed (0 when nothing leaked). */
  readonly openRuns: number;
}

export async function createWebGpuBackend(
  options: WebGpuBackendOptions = {},
): Promise<WebGpuBackend> {
  let { device, adapter } = options;
  if (!device) ({ device, adapter } = await requestGpuDevice(options.gpu));
  const info: AdapterInfo = adapter
    ? describeAdapter(adapter)
    : { vendor: '', architecture: '', description: 'shared device', isFallbackAdapter: false };
  const runner = options.runner ?? new GpuRunner(device, options.faults);
  const pool = new BufferPool(device);
  const budget = options.memoryBudgetBytes ?? DEFAULT_GPU_MEMORY_BUDGET;
  const gpuDevice = device;
  const health: DeviceHealth = { lost: null };
  void device.lost.then((info) => {
    health.lost = info.message || `reason: ${info.reason}`;
  });
  const ledger: RunLedger = { open: 0 };
  return {
    info: { name: 'webgpu', precision: 'f32', adapter: info },
    device: gpuDevice,
    runner,
    pool,
    faults: runner.faults,
    get openRuns() {
      return ledger.open;
    },
    prepare: (source, prepareOptions = {}) =>
      onePrepareAtATime(gpuDevice, () =>
        prepareRun({
          device: gpuDevice,
          runner,
          source,
          budget,
          pool,
          health,
          software: isSoftwareAdapter(info),
          ledger,
          options: prepareOptions,
        }),
      ),
  };
}

/** Counts the runs a backend has prepared and not disposed. */
interface RunLedger {
  open: number;
}

interface PrepareContext {
  readonly device: GPUDevice;
  readonly runner: GpuRunner;
  readonly source: ProblemSource;
  readonly budget: number;
  readonly pool: BufferPool;
  readonly health: DeviceHealth;
  readonly software: boolean;
  readonly ledger: RunLedger;
  readonly options: PrepareOptions;
}

/**
 * A run reaches `phase`: the injected device loss fires here when it is due, the test's hook is
 * told, and a cancellation takes effect.
 */
function enterPhase(
  device: GPUDevice,
  faults: GpuFaults,
  phase: GpuRunPhase,
  options: { signal?: AbortSignal; onPhase?: (phase: RunPhase) => void },
): void {
  if (faults.loseDeviceAt === phase) {
    faults.loseDeviceAt = null;
    device.destroy();
  }
  options.onPhase?.(phase);
  options.signal?.throwIfAborted();
}

/** A promise that rejects with the signal's reason when it aborts (never, without a signal). */
function aborted(signal: AbortSignal | undefined): { promise: Promise<never>; stop: () => void } {
  if (!signal) return { promise: new Promise<never>(() => {}), stop: () => {} };
  let onAbort: () => void = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => {});
  return { promise, stop: () => signal.removeEventListener('abort', onAbort) };
}

async function prepareRun(context: PrepareContext): Promise<PreparedRun> {
  const { device, runner, source, budget, pool, health, software, ledger } = context;
  const { signal } = context.options;
  signal?.throwIfAborted();
  checkHealth(health);
  // A software adapter (SwiftShader) runs few workgroups at once: bigger tiles win there.
  const fill = software ? SOFTWARE_FILL_WORKGROUPS : GPU_FILL_WORKGROUPS;
  const matmul = (shape: MatmulShape, options: MatmulOptions = {}) =>
    matmulProgram(shape, { ...options, tile: chooseTile(shape, device.limits, fill) });
  const { spec, sizes } = source;
  checkLimits(spec, sizes, device, budget);
  const compileStart = runner.compileMs;
  const layers = sizes.length - 1;
  const batch = spec.batch;
  const bins = spec.bins;
  /** Uniforms and the readback buffer, destroyed with the run. */
  const owned: GPUBuffer[] = [];
  /** Storage buffers, returned to the pool with the run. */
  const pooled: GPUBuffer[] = [];
  // Read here, not at module level: importing this module must work where WebGPU is absent.
  const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const buffer = (values: number, label: string): GPUBuffer => {
    const acquired = pool.acquire(values * 4, STORAGE, label);
    pooled.push(acquired);
    return acquired;
  };
  const release = (): void => {
    for (const created of owned) created.destroy();
    owned.length = 0;
    for (const acquired of pooled) pool.release(acquired);
    pooled.length = 0;
  };

  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let scopesOpen = 2;
  /** Reduction steps own small uniform buffers: freed with the run, or when prepare fails. */
  const reduceSteps: ReduceStep[] = [];
  /** Times the kernels where the device has timestamps; freed with the run. */
  let timer: KernelTimer<KernelName> | null = null;
  try {
    // Buffers.
    const weights = sizes.slice(1).map((n, i) => buffer(n * sizes[i]!, `W${i + 1}`));
    const biases = sizes.slice(1).map((n, i) => (spec.sigmaB > 0 ? buffer(n, `b${i + 1}`) : null));
    const activations = sizes.map((n, l) => buffer(n * batch, `a${l}`));
    const y = buffer(sizes[layers]! * batch, 'Y');
    const derivatives = sizes.slice(1).map((n, i) => buffer(n * batch, `df${i + 1}`));
    const batchnormAt = (l: number): boolean => spec.batchnorm && l < layers;
    const residualAt = (l: number): boolean => hasResidual(spec, sizes, l);
    const preResidual = sizes
      .slice(1)
      .map((n, i) => (residualAt(i + 1) ? buffer(n * batch, `pre${i + 1}`) : activations[i + 1]!));
    const normalized = sizes
      .slice(1)
      .map((n, i) => (batchnormAt(i + 1) ? buffer(n * batch, `zhat${i + 1}`) : null));
    const invStd = sizes
      .slice(1)
      .map((n, i) => (batchnormAt(i + 1) ? buffer(n, `invstd${i + 1}`) : null));
    const maxUnits = Math.max(...sizes);
    const maxWeights = Math.max(...sizes.slice(1).map((n, i) => n * sizes[i]!));
    const z = buffer(maxUnits * batch, 'z');
    const deltas = [buffer(maxUnits * batch, 'delta0'), buffer(maxUnits * batch, 'delta1')];
    const bnDelta = spec.batchnorm ? buffer(maxUnits * batch, 'delta-bn') : null;
    const firstGradient = buffer(maxUnits * batch, 'g0');
    // The second gradient buffer only matters with residuals, where g⁽ˡ⁾ is carried down.
    const grads = [firstGradient, spec.residual ? buffer(maxUnits * batch, 'g1') : firstGradient];
    const dW = buffer(maxWeights, 'dW');
    const stats = buffer(layers * statsRecordWords(bins), 'stats');
    const scratch = buffer(
      Math.ceil(reduceScratchBytes(Math.max(maxWeights, maxUnits * batch)) / 4),
      'reduce-scratch',
    );
    // Allocated, not yet filled or compiled: the phase where a prepare is cancelled or fails.
    enterPhase(device, runner.faults, 'prepare', context.options);

    // Weights, biases, X and Y: generated in place (Philox) or uploaded.
    if (source.deviceGeneratable) {
      // Every buffer's Philox stream in one compute pass and one submission.
      const draws: { program: GpuProgram; bindGroup: GPUBindGroup }[] = [];
      const generateParamBuffers: GPUBuffer[] = [];
      const generate = async (
        target: GPUBuffer,
        count: number,
        layer: number,
        purpose: PhiloxPurpose,
        distribution: 'normal' | 'uniform',
        scale: number,
      ) => {
        const params = uniformBuffer(
          device,
          generateParams({ count, seed: spec.seed, layer, purpose, distribution, scale }),
          'generate-params',
        );
        generateParamBuffers.push(params);
        owned.push(params);
        const program = generateProgram(count, device.limits.maxComputeWorkgroupsPerDimension);
        await runner.pipeline(program);
        draws.push({ program, bindGroup: runner.bindGroup(program, [target, params]) });
      };
      const init = INITS[spec.init];
      for (let l = 1; l <= layers; l++) {
        const nIn = sizes[l - 1]!;
        const nOut = sizes[l]!;
        const scale = init.scale(nIn, nOut, spec);
        await generate(
          weights[l - 1]!,
          nIn * nOut,
          l - 1,
          PhiloxPurpose.weight,
          init.distribution === 'uniform' ? 'uniform' : 'normal',
          scale,
        );
        if (biases[l - 1])
          await generate(biases[l - 1]!, nOut, l - 1, PhiloxPurpose.bias, 'normal', spec.sigmaB);
      }
      await generate(activations[0]!, sizes[0]! * batch, 0, PhiloxPurpose.input, 'normal', 1);
      await generate(y, sizes[layers]! * batch, 0, PhiloxPurpose.target, 'normal', 1);
      const encoder = device.createCommandEncoder({ label: 'gradlab-generate' });
      const pass = encoder.beginComputePass();
      for (const draw of draws) runner.dispatch(pass, draw.program, draw.bindGroup);
      pass.end();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      // Used once: free the parameter blocks now rather than with the run.
      for (const params of generateParamBuffers) {
        params.destroy();
        owned.splice(owned.indexOf(params), 1);
      }
    } else {
      const problem = source.problem((done, total) =>
        context.options.onProgress?.({ phase: 'prepare', done, total }),
      );
      const upload = (target: GPUBuffer, values: Float64Array) =>
        device.queue.writeBuffer(target, 0, Float32Array.from(values));
      problem.weights.forEach((w, i) => upload(weights[i]!, w));
      problem.biases.forEach((b, i) => {
        if (b && biases[i]) upload(biases[i]!, b);
      });
      upload(activations[0]!, problem.x);
      upload(y, problem.y);
    }

    // The run as a list of dispatches.
    const steps: Step[] = [];
    const add = async (
      kernel: KernelName,
      program: GpuProgram,
      resources: readonly BindingResource[],
    ) => {
      await runner.pipeline(program);
      // Compiling takes seconds on a software adapter: a cancellation stops between shaders.
      signal?.throwIfAborted();
      steps.push({ kernel, program, bindGroup: runner.bindGroup(program, resources) });
    };
    const addAll = (kernel: KernelName, more: readonly ReduceStep[]) => {
      for (const step of more)
        steps.push({ kernel, program: step.program, bindGroup: step.bindGroup });
      reduceSteps.push(...more);
    };
    const recordOffset = (l: number) => statsRecordOffset(l - 1, bins);

    for (let l = 1; l <= layers; l++) {
      const nIn = sizes[l - 1]!;
      const nOut = sizes[l]!;
      const activation = layerActivation(spec, l, layers);
      const bias = biases[l - 1];
      const shape = { m: nOut, k: nIn, n: batch };
      if (batchnormAt(l)) {
        const epilogue = biasEpilogue(batch, bias !== null);
        await add('forward', matmul(shape, { epilogue }), [
          weights[l - 1]!,
          activations[l - 1]!,
          z,
          ...(bias ? [bias] : []),
        ]);
        // Batch normalization with φ and φ′ fused in.
        await add(
          'batchnorm',
          batchnormForwardProgram({ activation, units: nOut, batch, residual: residualAt(l) }),
          [
            z,
            normalized[l - 1]!,
            invStd[l - 1]!,
            derivatives[l - 1]!,
            activations[l]!,
            ...(residualAt(l) ? [preResidual[l - 1]!, activations[l - 1]!] : []),
          ],
        );
      } else {
        const epilogue = forwardEpilogue({
          activation,
          batch,
          bias: bias !== null,
          residual: residualAt(l),
        });
        // φ and φ′ are fused into the matmul's epilogue: the activation is part of 'forward'.
        await add('forward', matmul(shape, { epilogue }), [
          weights[l - 1]!,
          activations[l - 1]!,
          activations[l]!,
          ...(bias ? [bias] : []),
          derivatives[l - 1]!,
          ...(residualAt(l) ? [preResidual[l - 1]!, activations[l - 1]!] : []),
        ]);
      }
      addAll(
        'reductions',
        await layerStatisticsSteps(runner, {
          activations: activations[l]!,
          preResidual: preResidual[l - 1]!,
          derivatives: derivatives[l - 1]!,
          units: nOut,
          batch,
          bins,
          threshold:
            SATURATION_THRESHOLD *
            activationProperties(activation.name, activation.alpha).maxAbsDerivative,
          stats,
          recordOffset: recordOffset(l),
          scratch,
        }),
      );
    }

    // Backward: g_L = a_L − Y and d_L = g_L ⊙ φ′; the loss from Σ g_L².
    const outputCount = sizes[layers]! * batch;
    let gradient = grads[0]!;
    let d = deltas[0]!;
    // With the loss, as on the CPU.
    await add('reductions', outputGradientProgram(outputCount), [
      activations[layers]!,
      y,
      derivatives[layers - 1]!,
      gradient,
      d,
    ]);
    addAll(
      'reductions',
      await sumOfSquaresSteps(
        runner,
        gradient,
        outputCount,
        stats,
        recordOffset(layers) + StatsField.lossSumSq,
        scratch,
      ),
    );
    for (let l = layers; l >= 1; l--) {
      const nIn = sizes[l - 1]!;
      const nOut = sizes[l]!;
      let delta = d;
      if (batchnormAt(l)) {
        await add('batchnorm', batchnormBackwardProgram(nOut, batch), [
          d,
          normalized[l - 1]!,
          invStd[l - 1]!,
          bnDelta!,
        ]);
        delta = bnDelta!;
      }
      addAll(
        'reductions',
        await sumOfSquaresSteps(
          runner,
          delta,
          nOut * batch,
          stats,
          recordOffset(l) + StatsField.gradSumSq,
          scratch,
        ),
      );
      // ∂L/∂W = δ a⁽ˡ⁻¹⁾ᵀ, computed in full, as training needs it.
      await add('weightGradient', matmul({ m: nOut, k: batch, n: nIn }, { transposeB: true }), [
        delta,
        activations[l - 1]!,
        dW,
      ]);
      addAll(
        'weightGradient',
        await sumOfSquaresSteps(
          runner,
          dW,
          nOut * nIn,
          stats,
          recordOffset(l) + StatsField.weightGradSumSq,
          scratch,
        ),
      );
      if (l > 1) {
        const addNext = residualAt(l);
        // g⁽ˡ⁻¹⁾ is read only by the next step's residual add, and there is none below layer 1.
        const storeGradient = residualAt(l - 1) && l > 2;
        const nextD = d === deltas[0] ? deltas[1]! : deltas[0]!;
        const nextGradient = gradient === grads[0] ? grads[1]! : grads[0]!;
        // δ⁽ˡ⁻¹⁾ = g ⊙ φ′ is fused into the epilogue: part of 'backward'.
        await add(
          'backward',
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
    // Per-kernel times: each run of one kernel's dispatches in its own timestamped pass.
    const groups = groupByKernel(steps);
    const kernelTiming = !device.features.has(TIMESTAMP_FEATURE)
      ? {
          unavailable: `the adapter has no ${TIMESTAMP_FEATURE} (or the device was created without it)`,
        }
      : 2 * groups.length > MAX_QUERY_SET_COUNT
        ? {
            unavailable: `the run has ${groups.length} kernel groups, more than the ${MAX_QUERY_SET_COUNT / 2} one timestamp query set can time`,
          }
        : ({ clock: 'gpu-timestamps' } as const);
    if ('clock' in kernelTiming) timer = new KernelTimer(device, groups);
    scopesOpen = 0;
    const validation = await device.popErrorScope();
    const memory = await device.popErrorScope();
    const error = validation ?? memory;
    if (error)
      throw new WebGpuUnavailableError(`WebGPU could not prepare the run: ${error.message}`);

    const statsBytes = layers * statsRecordWords(bins) * 4;
    const readback = device.createBuffer({
      label: 'stats-readback',
      size: Math.ceil(statsBytes / 16) * 16,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    owned.push(readback);
    let lastKernelsMs: KernelTimes | null = null;
    /** A read-back still mapping (a cancelled run's): the next run waits for it to settle. */
    let pendingRead: Promise<unknown> | null = null;
    const encodeAndRead = async (
      options: Parameters<PreparedRun['compute']>[0] = {},
    ): Promise<LayerStatistics> => {
      if (pendingRead) {
        await pendingRead;
        pendingRead = null;
      }
      enterPhase(device, runner.faults, 'submit', options);
      device.pushErrorScope('validation');
      const encoder = device.createCommandEncoder({ label: 'gradlab-run' });
      if (timer) timer.encode(encoder, runner);
      else {
        const pass = encoder.beginComputePass({ label: 'gradlab-run' });
        for (const step of steps) runner.dispatch(pass, step.program, step.bindGroup);
        pass.end();
      }
      encoder.copyBufferToBuffer(stats, 0, readback, 0, readback.size);
      if (runner.faults.invalidSubmissions > 0) {
        // An injected invalid submission: a copy past the end of the read-back buffer.
        runner.faults.invalidSubmissions--;
        encoder.copyBufferToBuffer(stats, 0, readback, 0, readback.size + 256);
      }
      device.queue.submit([encoder.finish()]);
      // An invalid submission still lets mapAsync resolve, with stale numbers: check first.
      const invalid = await device.popErrorScope();
      if (invalid) throw new WebGpuUnavailableError(`WebGPU rejected the run: ${invalid.message}`);
      enterPhase(device, runner.faults, 'readback', options);
      const read = Promise.all([
        readback.mapAsync(GPUMapMode.READ),
        timer ? timer.read() : Promise.resolve(null),
      ]);
      // A cancellation answers at once; the mapping settles in the background (pendingRead).
      const cancel = aborted(options.signal);
      let kernelsMs: KernelTimes | null;
      try {
        [, kernelsMs] = await Promise.race([read, cancel.promise]);
      } catch (error) {
        if (options.signal?.aborted)
          pendingRead = read.then(
            () => {
              if (readback.mapState === 'mapped') readback.unmap();
            },
            () => {},
          );
        throw error;
      } finally {
        cancel.stop();
      }
      lastKernelsMs = kernelsMs;
      const words = new Uint32Array(readback.getMappedRange().slice(0));
      readback.unmap();
      return parseStatistics(words, spec, sizes);
    };
    let disposed = false;
    ledger.open++;
    return {
      compileMs: runner.compileMs - compileStart,
      kernelTiming,
      lastKernelsMs: () => lastKernelsMs,
      async compute(options = {}) {
        options.signal?.throwIfAborted();
        checkHealth(health);
        try {
          const statistics = await encodeAndRead(options);
          options.onProgress?.({ phase: 'backward', done: layers, total: layers });
          return statistics;
        } catch (error) {
          if (!options.signal?.aborted) await settleLost(device, health);
          throw asWebGpuError(error, health, 'during the run', options.signal);
        }
      },
      dispose() {
        if (disposed) return;
        disposed = true;
        ledger.open--;
        destroyReduceSteps(reduceSteps);
        reduceSteps.length = 0;
        timer?.destroy();
        release();
      },
    };
  } catch (error) {
    // Close the scopes this function opened (and only those), then free what was made.
    for (; scopesOpen > 0; scopesOpen--) await device.popErrorScope().catch(() => null);
    destroyReduceSteps(reduceSteps);
    timer?.destroy();
    release();
    if (!signal?.aborted) await settleLost(device, health);
    throw asWebGpuError(error, health, 'while preparing the run', signal);
  }
}

/** Turns the stats records into LayerStatistics, as the CPU computes them. */
export function parseStatistics(
  words: Uint32Array,
  spec: RunSpec,
  sizes: readonly number[],
): LayerStatistics {
  const layers = sizes.length - 1;
  const bins = spec.bins;
  const floats = new Float32Array(words.buffer, words.byteOffset, words.length);
  const stats = {
    gradNorm: new Float64Array(layers),
    weightGradNorm: new Float64Array(layers),
    activationMean: new Float64Array(layers),
    activationStd: new Float64Array(layers),
    deadFraction: new Float64Array(layers),
    saturatedFraction: new Float64Array(layers),
  };
  const min = new Float64Array(layers);
  const max = new Float64Array(layers);
  const counts = new Uint32Array(layers * bins);
  const nonFinite = new Uint32Array(layers);
  for (let i = 0; i < layers; i++) {
    const base = statsRecordOffset(i, bins);
    const count = sizes[i + 1]! * spec.batch;
    stats.gradNorm[i] = Math.sqrt(floats[base + StatsField.gradSumSq]!);
    stats.weightGradNorm[i] = Math.sqrt(floats[base + StatsField.weightGradSumSq]!);
    stats.activationMean[i] = floats[base + StatsField.activationSum]! / count;
    stats.activationStd[i] = Math.sqrt(floats[base + StatsField.activationCenteredSumSq]! / count);
    stats.deadFraction[i] = words[base + StatsField.deadUnits]! / sizes[i + 1]!;
    stats.saturatedFraction[i] = words[base + StatsField.saturated]! / count;
    min[i] = floats[base + StatsField.activationMin]!;
    max[i] = floats[base + StatsField.activationMax]!;
    nonFinite[i] = words[base + StatsField.nonFinite]!;
    counts.set(
      words.subarray(base + STATS_HEADER_WORDS, base + STATS_HEADER_WORDS + bins),
      i * bins,
    );
  }
  const lossSumSq = floats[statsRecordOffset(layers - 1, bins) + StatsField.lossSumSq]!;
  return {
    layerCount: layers,
    ...stats,
    histograms: { bins, min, max, counts, nonFinite },
    loss: 0.5 * lossSumSq,
  };
}
