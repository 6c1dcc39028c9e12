/**
 * GPU training (src/backends/webgpu/training-gpu.ts) against CPU f32 training (training.ts), step
 * for step: the loss, update ratios and gradient norms of every step and the final weights, for
 * SGD, momentum and Adam, with biases, residual connections and batch normalization. Then what the
 * CPU tests assert of training itself, on the GPU: the loss falls on the teacher task, a diverging
 * run is reported (never thrown) at the step the CPU reports it, and chunks add up to one run.
 */
import { expect } from 'vitest';
import {
  createTrainingState,
  parseTrainingOptions,
  trainSteps,
  type TrainingInput,
  type TrainingRecord,
  type TrainingState,
} from '../../src/backends/cpu/training.ts';
import { trainStepsOnGpu } from '../../src/backends/webgpu/training-gpu.ts';
import { WebGpuUnavailableError } from '../../src/backends/webgpu/webgpu-backend.ts';
import { GpuRunner } from '../../src/backends/webgpu/runner.ts';
import { parseSpec, type SpecInput } from '../../src/engine/spec.ts';
import { gpuTest, requestExtraDevice } from './gpu.ts';

/**
 * GPU against CPU, both f32: |gpu − cpu| ≤ REL·|cpu| + ABS per number. The two differ in the
 * order and precision of their sums (f32 tree sums on the GPU, f64 on the CPU), in f32 optimizer
 * moments (f64 on the CPU) and in WGSL's division and sqrt (within 2.5 ulp); over ten steps these
 * rounding differences feed back through the weights and grow to some 10⁻⁵ relative.
 */
const REL = 1e-4;
const ABS = 1e-9;

const SMALL = { depth: 3, width: 16, inputs: 8, outputs: 2, batch: 8, 'sigma-b': 0.1 };

/** One pipeline cache per device: SwiftShader compiles slowly. */
const runners = new WeakMap<GPUDevice, GpuRunner>();
function runnerFor(device: GPUDevice): GpuRunner {
  let runner = runners.get(device);
  if (!runner) {
    runner = new GpuRunner(device);
    runners.set(device, runner);
  }
  return runner;
}

function fresh(spec: SpecInput, options: TrainingInput): TrainingState {
  return createTrainingState(
    parseSpec({ ...spec, backend: 'webgpu' }),
    parseTrainingOptions(options),
  );
}

function gpuTrain(device: GPUDevice, state: TrainingState, steps: number, stepsPerReadback = 4) {
  return trainStepsOnGpu(state, steps, { device, runner: runnerFor(device), stepsPerReadback });
}

/** The numbers of two runs that differ by more than the tolerance, as readable lines. */
function differences(gpu: TrainingRecord[], cpu: TrainingRecord[]): string[] {
  const out: string[] = [];
  const check = (what: string, a: number, b: number) => {
    if (Number.isNaN(a) && Number.isNaN(b)) return;
    if (!(Math.abs(a - b) <= REL * Math.abs(b) + ABS)) out.push(`${what}: gpu ${a}, cpu ${b}`);
  };
  expect(gpu.map((r) => r.step)).toEqual(cpu.map((r) => r.step));
  gpu.forEach((record, i) => {
    const reference = cpu[i]!;
    expect(record.nonFinite).toBe(reference.nonFinite);
    check(`step ${record.step} loss`, record.loss, reference.loss);
    record.gradNorm.forEach((g, l) =>
      check(`step ${record.step} gradNorm l=${l + 1}`, g, reference.gradNorm[l]!),
    );
    record.updateRatio.forEach((r, l) =>
      check(`step ${record.step} updateRatio l=${l + 1}`, r, reference.updateRatio[l]!),
    );
  });
  return out;
}

/** Largest |a − b| / (max|b| over the tensor) over every weight tensor. */
function weightError(a: TrainingState, b: TrainingState): number {
  let worst = 0;
  a.weights.forEach((w, i) => {
    const reference = b.weights[i]!;
    const scale = Math.max(...reference.map(Math.abs));
    w.forEach((value, j) => (worst = Math.max(worst, Math.abs(value - reference[j]!) / scale)));
  });
  return worst;
}

/**
 * Every case shares SMALL's layer shapes (only the depth and the switches vary), so the pipelines
 * compiled for one are reused by the next: SwiftShader takes seconds per matmul shape.
 */
const CASES: [string, SpecInput, TrainingInput][] = [
  ['SGD, tanh', { ...SMALL, activation: 'tanh' }, { optimizer: 'sgd', lr: 0.1 }],
  [
    'SGD with momentum, tanh',
    { ...SMALL, activation: 'tanh' },
    { optimizer: 'sgd', lr: 0.05, momentum: 0.9 },
  ],
  ['Adam, tanh', { ...SMALL, activation: 'tanh', depth: 4 }, { optimizer: 'adam', lr: 0.01 }],
  [
    'SGD, ReLU + He, residual',
    { ...SMALL, activation: 'relu', init: 'he', residual: true, depth: 5 },
    { optimizer: 'sgd', lr: 0.002 },
  ],
  [
    'momentum, sigmoid, batchnorm',
    { ...SMALL, activation: 'sigmoid', batchnorm: true },
    { optimizer: 'sgd', lr: 0.1, momentum: 0.5 },
  ],
  [
    'Adam, tanh, residual + batchnorm',
    { ...SMALL, activation: 'tanh', residual: true, batchnorm: true },
    { optimizer: 'adam', lr: 0.003 },
  ],
];

for (const [name, spec, options] of CASES) {
  gpuTest(
    `${name}: matches CPU f32 training step for step`,
    async (device) => {
      const state = fresh(spec, options);
      const cpu = trainSteps(state, 10);
      const gpu = await gpuTrain(device, state, 10);
      expect(gpu.records).toHaveLength(10);
      expect(gpu.state.step).toBe(10);
      expect(gpu.state.diverged).toBeNull();
      expect(gpu.state.backend).toBe('webgpu');
      expect(cpu.state.backend).toBe('cpu');
      expect(differences(gpu.records, cpu.records)).toEqual([]);
      expect(weightError(gpu.state, cpu.state)).toBeLessThan(REL);
      // Moments and biases come back too (Adam m and v, momentum v). Before a batch-normalized
      // layer the bias gradient is 0 up to rounding (BN subtracts the batch mean), and Adam turns
      // any such noise into steps of ±lr: those biases are noise on both backends.
      expect(gpu.state.firstMoment.length).toBe(cpu.state.firstMoment.length);
      const layers = gpu.state.biases.length;
      gpu.state.biases.forEach((b, i) => {
        if (gpu.state.spec.batchnorm && i < layers - 1) return;
        b.forEach((value, j) =>
          expect(Math.abs(value - cpu.state.biases[i]![j]!)).toBeLessThan(1e-4),
        );
      });
      // The input state is left as it was.
      expect(state.step).toBe(0);
    },
    300_000,
  );
}

gpuTest(
  'the loss falls on the teacher task (Adam, tanh)',
  async (device) => {
    const state = fresh({ ...SMALL, activation: 'tanh' }, { optimizer: 'adam', lr: 0.01 });
    const { records, state: next } = await gpuTrain(device, state, 200, 64);
    expect(records).toHaveLength(200);
    expect(next.diverged).toBeNull();
    const mean = (rs: TrainingRecord[]) => rs.reduce((sum, r) => sum + r.loss, 0) / rs.length;
    expect(mean(records.slice(-10))).toBeLessThan(0.5 * mean(records.slice(0, 10)));
  },
  300_000,
);

gpuTest(
  'a diverging run is reported as non-finite at the CPU’s step, never thrown, and stays stopped',
  async (device) => {
    const state = fresh(
      { ...SMALL, depth: 10, activation: 'relu', init: 'he' },
      { optimizer: 'sgd', lr: 100 },
    );
    const cpu = trainSteps(state, 30);
    const gpu = await gpuTrain(device, state, 30, 8);
    expect(gpu.records.length).toBeLessThan(30);
    const last = gpu.records.at(-1)!;
    expect(last.nonFinite).toBe(true);
    expect(gpu.state.diverged).toBe(last.step);
    expect(gpu.records.slice(0, -1).every((r) => !r.nonFinite)).toBe(true);
    expect(gpu.state.diverged).toBe(cpu.state.diverged);
    expect((await gpuTrain(device, gpu.state, 5)).records).toEqual([]);
  },
  300_000,
);

gpuTest(
  'chunks add up: 5 + 5 steps equal 10, across readbacks and across backends',
  async (device) => {
    const state = fresh({ ...SMALL, activation: 'tanh' }, { optimizer: 'adam', lr: 0.01 });
    const whole = await gpuTrain(device, state, 10, 3);
    const first = await gpuTrain(device, state, 5, 2);
    // The state is plain data: it survives structuredClone (a worker message) and trains on.
    const second = await gpuTrain(device, structuredClone(first.state), 5, 4);
    expect([...first.records, ...second.records]).toEqual(whole.records);
    expect(second.state.weights).toEqual(whole.state.weights);
    expect(second.state.firstMoment).toEqual(whole.state.firstMoment);
    expect(second.state.step).toBe(10);
    // Five steps on the CPU, five on the GPU: the same run as ten on the CPU, within f32 rounding.
    const cpuThenGpu = await gpuTrain(device, trainSteps(state, 5).state, 5);
    expect(cpuThenGpu.state.backend).toBe('webgpu');
    expect(differences(cpuThenGpu.records, trainSteps(state, 10).records.slice(5))).toEqual([]);
  },
  300_000,
);

gpuTest(
  'a cancelled or failing GPU throws what the page needs for its CPU fallback',
  async (device) => {
    const state = fresh({ ...SMALL, activation: 'tanh' }, { optimizer: 'sgd', lr: 0.1 });
    const reason = new DOMException('stop', 'AbortError');
    const controller = new AbortController();
    controller.abort(reason);
    await expect(
      trainStepsOnGpu(state, 3, { device, runner: runnerFor(device), signal: controller.signal }),
    ).rejects.toBe(reason);
    // A lost device: a WebGpuUnavailableError (the runner then trains the same state on the CPU).
    const broken = await requestExtraDevice();
    broken.destroy();
    await expect(trainStepsOnGpu(state, 3, { device: broken })).rejects.toBeInstanceOf(
      WebGpuUnavailableError,
    );
    expect(state.step).toBe(0);
  },
);
