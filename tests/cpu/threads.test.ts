/**
 * The CPU backend split between threads (lanes.ts, node/node-lanes.ts) computes what it computes
 * on one thread: the same products entry by entry (each row is one lane's, with the same
 * arithmetic), and the same statistics up to the order of partial sums.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { browserThreadPlan } from '../../src/backends/cpu/thread-plan.ts';
import { createCpuBackend, f32Kernels, sharedKernels } from '../../src/backends/cpu/cpu-backend.ts';
import { loadNetwork, runNetworkPass } from '../../src/backends/cpu/network-pass.ts';
import { createNodeLaneTeam, parseThreads } from '../../src/backends/cpu/node/node-lanes.ts';
import type { LaneTeam } from '../../src/backends/cpu/lanes.ts';
import { problemFromSpec } from '../../src/engine/problem.ts';
import type { CpuKernelName, LayerStatistics } from '../../src/engine/results.ts';
import { parseSpec, type RunSpec, type SpecInput } from '../../src/engine/spec.ts';
import {
  createTrainingState,
  parseTrainingOptions,
  trainSteps,
  type TrainingInput,
} from '../../src/backends/cpu/training.ts';

const teams: LaneTeam[] = [];
afterAll(() => teams.forEach((team) => team.dispose()));

let shared: LaneTeam;
beforeAll(async () => {
  shared = await createNodeLaneTeam(3);
  teams.push(shared);
});

async function statistics(
  spec: RunSpec,
  threads: number,
  kernel?: CpuKernelName,
): Promise<LayerStatistics> {
  const backend = createCpuBackend('f32', { team: shared, threads, kernel });
  const prepared = await backend.prepare(problemFromSpec(spec));
  const first = await prepared.compute();
  const second = await prepared.compute();
  prepared.dispose();
  // A prepared run gives the same answer every time.
  expect(Array.from(second.gradNorm)).toEqual(Array.from(first.gradNorm));
  return second;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!Number.isFinite(e)) expect(a).toBe(e);
    else expect(Math.abs(a - e)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(e)));
  }
}

const CASES: Record<string, Partial<Record<string, string | number | boolean>>> = {
  'tanh, wide': { activation: 'tanh', depth: 6, width: 96, inputs: 80, outputs: 24, batch: 48 },
  'relu + He, residual': {
    activation: 'relu',
    init: 'he',
    depth: 5,
    width: 96,
    inputs: 96,
    outputs: 96,
    batch: 40,
    residual: true,
  },
  'sigmoid, batchnorm': {
    activation: 'sigmoid',
    depth: 4,
    width: 128,
    inputs: 64,
    outputs: 10,
    batch: 33,
    batchnorm: true,
  },
};

describe('CPU passes split between threads', () => {
  for (const [name, fields] of Object.entries(CASES)) {
    test.each(['wasm-simd', 'typescript'] as const)(
      `${name}: 2 and 3 threads equal 1 thread (%s)`,
      async (kernel) => {
        const spec = parseSpec({ ...fields, backend: 'cpu' });
        const one = await statistics(spec, 1, kernel);
        for (const threads of [2, 3]) {
          const before = shared.dispatched;
          const many = await statistics(spec, threads, kernel);
          expect(shared.dispatched).toBeGreaterThan(before);
          // Products are computed row by row with the same arithmetic: norms differ only by the
          // order in which f64 partial sums are added.
          expectClose(many.gradNorm, one.gradNorm, 1e-12);
          expectClose(many.weightGradNorm, one.weightGradNorm, 1e-12);
          expectClose(many.activationMean, one.activationMean, 1e-12);
          expectClose(many.activationStd, one.activationStd, 1e-12);
          expect(Array.from(many.deadFraction)).toEqual(Array.from(one.deadFraction));
          expect(Array.from(many.saturatedFraction)).toEqual(Array.from(one.saturatedFraction));
          expect(Array.from(many.histograms.min)).toEqual(Array.from(one.histograms.min));
          expect(Array.from(many.histograms.max)).toEqual(Array.from(one.histograms.max));
          expect(Array.from(many.histograms.counts)).toEqual(Array.from(one.histograms.counts));
          expect(many.loss).toBe(one.loss);
        }
      },
    );
  }

  test.each(['wasm-simd', 'typescript'] as const)(
    'the backward job (one barrier per layer) equals the two jobs a gradient hook needs (%s)',
    (kernel) => {
      // Without hooks, layer l − 1's delta runs in the job of layer l's backward product
      // (JOB.backward); a hook reads ∂L/∂W⁽ˡ⁾ between them, so with one the pass runs both apart.
      for (const fields of Object.values(CASES)) {
        const spec = parseSpec({ ...fields, backend: 'cpu' });
        const problem = problemFromSpec(spec).problem();
        for (const threads of [1, 3]) {
          const kernels = threads > 1 ? sharedKernels(f32Kernels(kernel)) : f32Kernels(kernel);
          const network = loadNetwork(problem, kernels, shared, threads);
          const fused = runNetworkPass(network);
          const norms: number[] = [];
          const apart = runNetworkPass(network, {
            onWeightGradient: (_layer, dW) => norms.push(Math.hypot(...dW)),
          });
          expect(norms).toHaveLength(spec.depth + 1);
          expectClose(fused.gradNorm, apart.gradNorm, 1e-12);
          expectClose(fused.weightGradNorm, apart.weightGradNorm, 1e-12);
          // The norms the pass reports are those of the gradients the hook was handed.
          expectClose(Array.from(fused.weightGradNorm).reverse(), norms, 1e-5);
          expect(fused.loss).toBe(apart.loss);
        }
      }
    },
  );

  test('back-to-back passes over two networks never mix their buffers', async () => {
    // Each pass re-attaches the lanes to its network; a lane must have left the previous pass
    // before it takes a job of the next one.
    const specs = [
      parseSpec({ activation: 'tanh', depth: 3, width: 80, inputs: 80, outputs: 8, batch: 32 }),
      parseSpec({ activation: 'relu', depth: 4, width: 96, inputs: 64, outputs: 8, batch: 24 }),
    ];
    const prepared = await Promise.all(
      specs.map((spec) => createCpuBackend('f32', { team: shared }).prepare(problemFromSpec(spec))),
    );
    const expected = await Promise.all(prepared.map((run) => run.compute()));
    const before = shared.dispatched;
    for (let round = 0; round < 25; round++) {
      for (let i = 0; i < prepared.length; i++) {
        const result = await prepared[i]!.compute();
        expect(result.loss).toBe(expected[i]!.loss);
        expect(Array.from(result.gradNorm)).toEqual(Array.from(expected[i]!.gradNorm));
      }
    }
    expect(shared.dispatched).toBeGreaterThan(before);
    prepared.forEach((run) => run.dispose());
  });

  test('the backend reports its threads', () => {
    expect(createCpuBackend('f32', { team: shared }).info.threads).toBe(3);
    expect(createCpuBackend('f32', { team: shared, threads: 2 }).info.threads).toBe(2);
    expect(createCpuBackend('f32', { team: shared, threads: 1 }).info.threads).toBe(1);
    expect(createCpuBackend('f32').info.threads).toBe(1);
  });

  test('a small network runs on one thread even with a team', async () => {
    const before = shared.dispatched;
    const spec = parseSpec({ depth: 3, width: 8, inputs: 8, outputs: 2, batch: 4 });
    const result = await statistics(spec, 3);
    expect(shared.dispatched).toBe(before);
    expect(result.gradNorm.length).toBe(4);
  });

  test('thread counts are checked by name', () => {
    expect(parseThreads('4')).toBe(4);
    expect(() => parseThreads('0')).toThrow(/threads: got "0"; allowed: an integer from 1 to 64/);
    expect(() => parseThreads('2.5', '--threads')).toThrow(/--threads: got "2.5"/);
  });
});

describe('training split between threads', () => {
  // 96·96·40 multiply-adds per hidden layer: above MIN_PARALLEL_WORK, so every job is split.
  const BASE = { depth: 4, width: 96, inputs: 64, outputs: 8, batch: 40, backend: 'cpu' };
  const CASES: [string, SpecInput, TrainingInput][] = [
    ['tanh, SGD', { ...BASE, activation: 'tanh' }, { optimizer: 'sgd', lr: 0.1 }],
    [
      'relu + He, residual, biases, SGD with momentum',
      { ...BASE, activation: 'relu', init: 'he', residual: true, sigmaB: 0.1 },
      { optimizer: 'sgd', lr: 0.002, momentum: 0.9 },
    ],
    [
      'sigmoid, batchnorm, Adam',
      { ...BASE, activation: 'sigmoid', batchnorm: true },
      { optimizer: 'adam', lr: 0.01 },
    ],
    [
      'gelu, spirals, Adam',
      { ...BASE, activation: 'gelu' },
      { task: 'spirals', optimizer: 'adam' },
    ],
  ];
  for (const kernel of ['wasm-simd', 'typescript'] as const) {
    for (const [name, spec, options] of CASES) {
      test(`${kernel}: ${name}: 2 and 3 threads train as 1 thread, step for step`, () => {
        const start = createTrainingState(parseSpec(spec), parseTrainingOptions(options));
        const one = trainSteps(start, 6, { kernel });
        expect(one.records).toHaveLength(6);
        for (const threads of [2, 3]) {
          const before = shared.dispatched;
          // In two chunks: a threaded state resumes like any other.
          const first = trainSteps(start, 4, { kernel, team: shared, threads });
          const many = trainSteps(first.state, 2, { kernel, team: shared, threads });
          expect(shared.dispatched).toBeGreaterThan(before);
          const records = [...first.records, ...many.records];
          records.forEach((record, i) => {
            const expected = one.records[i]!;
            expect(record.step).toBe(expected.step);
            // The loss is summed on one thread; norms differ only in the order of f64 sums.
            expect(record.loss).toBe(expected.loss);
            expect(record.nonFinite).toBe(expected.nonFinite);
            expectClose(record.gradNorm, expected.gradNorm, 1e-12);
            expectClose(record.updateRatio, expected.updateRatio, 1e-12);
          });
          // Every weight, bias and moment is stepped with the same arithmetic: equal bit for bit.
          expect(many.state.weights).toEqual(one.state.weights);
          expect(many.state.biases).toEqual(one.state.biases);
          expect(many.state.firstMoment).toEqual(one.state.firstMoment);
          expect(many.state.secondMoment).toEqual(one.state.secondMoment);
          expect(many.state.step).toBe(6);
        }
      });
    }
  }

  test('a diverging run stops at the same step with and without threads', () => {
    const spec = parseSpec({ ...BASE, activation: 'relu', init: 'he' });
    const start = createTrainingState(spec, parseTrainingOptions({ optimizer: 'sgd', lr: 100 }));
    const one = trainSteps(start, 30);
    const two = trainSteps(start, 30, { team: shared, threads: 2 });
    expect(one.state.diverged).not.toBeNull();
    expect(two.state.diverged).toBe(one.state.diverged);
    expect(two.state.weights).toEqual(one.state.weights);
  });
});

describe('browserThreadPlan', () => {
  afterEach(() => vi.unstubAllGlobals());

  test('one thread, and why, on a page that is not cross-origin isolated', () => {
    vi.stubGlobal('crossOriginIsolated', false);
    vi.stubGlobal('navigator', { hardwareConcurrency: 8 });
    const plan = browserThreadPlan();
    expect(plan.threads).toBe(1);
    expect(plan.reason).toMatch(/not cross-origin isolated.*Cross-Origin-Embedder-Policy/);
  });

  test('every core up to 8 on an isolated page', () => {
    vi.stubGlobal('crossOriginIsolated', true);
    vi.stubGlobal('navigator', { hardwareConcurrency: 4 });
    expect(browserThreadPlan()).toEqual({ threads: 4, reason: 'the browser reports 4 cores' });
    vi.stubGlobal('navigator', { hardwareConcurrency: 32 });
    expect(browserThreadPlan()).toEqual({
      threads: 8,
      reason: 'the browser reports 32 cores; the lab uses at most 8',
    });
    vi.stubGlobal('navigator', { hardwareConcurrency: 1 });
    expect(browserThreadPlan().threads).toBe(1);
  });
});
