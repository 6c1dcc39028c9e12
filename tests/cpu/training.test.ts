/**
 * Training: the loss falls on learnable tasks, the optimizers step as their papers say, update
 * ratios are what they claim to be, the chapter's vanishing-gradient claim shows in them, and a
 * diverging run is reported rather than thrown.
 */
import { describe, expect, it } from 'vitest';
import { F64_KERNELS } from '../../src/backends/cpu/kernels-f64.ts';
import { loadNetwork, runNetworkPass } from '../../src/backends/cpu/network-pass.ts';
import { buildProblem, type Problem } from '../../src/engine/problem.ts';
import { parseSpec, SpecError, type SpecInput } from '../../src/engine/spec.ts';
import { teacherSeed, trainingSet } from '../../src/engine/tasks.ts';
import {
  createTrainingState,
  parseSteps,
  parseTrainingOptions,
  trainSteps,
  type TrainingInput,
  type TrainingRecord,
} from '../../src/backends/cpu/training.ts';

const SMALL = { depth: 3, width: 32, inputs: 8, outputs: 2, batch: 32, backend: 'cpu64' };

function train(spec: SpecInput, options: TrainingInput, steps: number) {
  const state = createTrainingState(parseSpec(spec), parseTrainingOptions(options));
  return trainSteps(state, steps);
}

const meanLoss = (records: TrainingRecord[]): number =>
  records.reduce((sum, r) => sum + r.loss, 0) / records.length;

/** Mean update ratio per layer over some records. */
function meanRatios(records: TrainingRecord[]): number[] {
  const layers = records[0]!.updateRatio.length;
  return Array.from(
    { length: layers },
    (_, l) => records.reduce((sum, r) => sum + r.updateRatio[l]!, 0) / records.length,
  );
}

describe('the loss decreases on learnable tasks', () => {
  const cases: [string, SpecInput, TrainingInput][] = [
    ['teacher, tanh, SGD', { ...SMALL, activation: 'tanh' }, { optimizer: 'sgd', lr: 0.1 }],
    ['teacher, tanh, Adam', { ...SMALL, activation: 'tanh' }, { optimizer: 'adam', lr: 0.01 }],
    [
      'teacher, tanh, SGD with momentum, f32',
      { ...SMALL, activation: 'tanh', backend: 'cpu' },
      { optimizer: 'sgd', lr: 0.05, momentum: 0.5 },
    ],
    [
      'spirals, ReLU + He, SGD',
      { ...SMALL, activation: 'relu', init: 'he' },
      { task: 'spirals', optimizer: 'sgd', lr: 0.1 },
    ],
    [
      'spirals, ReLU + He, Adam',
      { ...SMALL, activation: 'relu', init: 'he' },
      { task: 'spirals', optimizer: 'adam', lr: 0.01 },
    ],
  ];
  for (const [name, spec, options] of cases) {
    it(`${name}: the last 10 steps' mean loss is under half the first 10's`, () => {
      const { state, records } = train(spec, options, 300);
      expect(records).toHaveLength(300);
      expect(state.diverged).toBeNull();
      expect(records.every((r) => !r.nonFinite)).toBe(true);
      expect(meanLoss(records.slice(-10))).toBeLessThan(0.5 * meanLoss(records.slice(0, 10)));
    });
  }

  it('f32 on the WebAssembly kernels: each step sees the weights the last one left', () => {
    // The kernels keep each layer's weights in wasm memory between passes (pass-rows-wasm.ts);
    // a chunk of 6 steps must equal 6 chunks of one, where every chunk loads afresh.
    const spec = parseSpec({ ...SMALL, activation: 'tanh', backend: 'cpu', width: 48 });
    for (const options of [
      { optimizer: 'sgd', lr: 0.1 },
      { optimizer: 'adam', lr: 0.01 },
    ]) {
      const start = createTrainingState(spec, parseTrainingOptions(options));
      const whole = trainSteps(start, 6, { kernel: 'wasm-simd' });
      let state = start;
      const records: TrainingRecord[] = [];
      for (let i = 0; i < 6; i++) {
        const chunk = trainSteps(state, 1, { kernel: 'wasm-simd' });
        records.push(...chunk.records);
        state = chunk.state;
      }
      expect(records).toEqual(whole.records);
      expect(state.weights).toEqual(whole.state.weights);
    }
  });

  it('is deterministic, and chunks of steps add up to the same run', () => {
    const spec = parseSpec({ ...SMALL, activation: 'tanh' });
    const options = parseTrainingOptions({ optimizer: 'adam', lr: 0.01 });
    const whole = trainSteps(createTrainingState(spec, options), 12);
    const first = trainSteps(createTrainingState(spec, options), 5);
    const second = trainSteps(first.state, 7);
    expect([...first.records, ...second.records]).toEqual(whole.records);
    expect(second.state.weights).toEqual(whole.state.weights);
    expect(second.state.step).toBe(12);
  });
});

describe('optimizers and update ratios', () => {
  it("Adam's first step is lr·sign(g) per weight (bias-corrected: m̂ = g, v̂ = g²)", () => {
    const spec = parseSpec({ ...SMALL, activation: 'tanh' });
    const lr = 0.003;
    const adam = createTrainingState(spec, parseTrainingOptions({ optimizer: 'adam', lr }));
    // SGD with lr 1 on the same weights and minibatch moves each weight by exactly −g.
    const sgd = createTrainingState(spec, parseTrainingOptions({ optimizer: 'sgd', lr: 1 }));
    const adamNext = trainSteps(adam, 1).state;
    const sgdNext = trainSteps(sgd, 1).state;
    let checked = 0;
    for (let l = 0; l < adam.weights.length; l++) {
      const w = adam.weights[l]!;
      for (let j = 0; j < w.length; j++) {
        const g = w[j]! - sgdNext.weights[l]![j]!;
        if (Math.abs(g) < 1e-5) continue;
        const delta = adamNext.weights[l]![j]! - w[j]!;
        // Exactly −lr·g/(|g| + ε): lr·sign(g) up to ε/|g|.
        expect(delta).toBeCloseTo((-lr * g) / (Math.abs(g) + 1e-8), 12);
        expect(Math.abs(delta + lr * Math.sign(g))).toBeLessThan(lr * (1e-8 / Math.abs(g) + 1e-9));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('update ratio and gradient norm of a 1-1-1 linear network, by hand', () => {
    const spec = parseSpec({
      activation: 'linear',
      depth: 1,
      width: 1,
      inputs: 1,
      outputs: 1,
      batch: 1,
      backend: 'cpu64',
    });
    const lr = 0.05;
    const state = createTrainingState(spec, parseTrainingOptions({ optimizer: 'sgd', lr }));
    const [w1, w2] = [state.weights[0]![0]!, state.weights[1]![0]!];
    const [x, y] = [state.inputs[0]!, state.targets[0]!];
    // a¹ = w₁x, a² = w₂a¹, L = ½(a² − y)²: ∂L/∂w₂ = (a² − y)a¹, ∂L/∂w₁ = (a² − y)w₂x.
    const residual = w2 * w1 * x - y;
    const g1 = residual * w2 * x;
    const g2 = residual * w1 * x;
    const { records, state: next } = trainSteps(state, 1);
    const record = records[0]!;
    expect(record.step).toBe(1);
    expect(record.loss).toBeCloseTo(0.5 * residual ** 2, 12);
    expect(record.gradNorm[0]).toBeCloseTo(Math.abs(g1), 12);
    expect(record.gradNorm[1]).toBeCloseTo(Math.abs(g2), 12);
    expect(record.updateRatio[0]).toBeCloseTo(Math.abs(lr * g1) / Math.abs(w1), 12);
    expect(record.updateRatio[1]).toBeCloseTo(Math.abs(lr * g2) / Math.abs(w2), 12);
    expect(next.weights[0]![0]).toBeCloseTo(w1 - lr * g1, 14);
    // The bias gradient is the δ of the layer: ∂L/∂b₂ = a² − y.
    expect(next.biases[1]![0]).toBeCloseTo(-lr * residual, 14);
  });

  it('SGD with momentum: the second step moves by lr·(μ·g₁ + g₂)', () => {
    const spec = parseSpec({ ...SMALL, activation: 'tanh' });
    const [lr, momentum] = [0.05, 0.9];
    const plain = createTrainingState(spec, parseTrainingOptions({ optimizer: 'sgd', lr: 1 }));
    const withMomentum = createTrainingState(
      spec,
      parseTrainingOptions({ optimizer: 'sgd', lr, momentum }),
    );
    const one = trainSteps(withMomentum, 1).state;
    const two = trainSteps(one, 1).state;
    // g₁ at the initial weights; g₂ at the weights after the first step, on minibatch 2.
    const g1 = plain.weights[0]!.map((w, j) => w - trainSteps(plain, 1).state.weights[0]![j]!);
    const atOne = { ...one, options: plain.options, firstMoment: [], secondMoment: [] };
    const g2 = one.weights[0]!.map((w, j) => w - trainSteps(atOne, 1).state.weights[0]![j]!);
    for (let j = 0; j < g1.length; j += 7) {
      const expected = one.weights[0]![j]! - lr * (momentum * g1[j]! + g2[j]!);
      expect(two.weights[0]![j]).toBeCloseTo(expected, 12);
    }
  });
});

describe("the chapter's claim in the update ratios (SGD, depth 10)", () => {
  const DEEP = { depth: 10, width: 32, inputs: 16, outputs: 4, batch: 32, backend: 'cpu64' };

  it('sigmoid + Xavier: layer 1 updates orders of magnitude more slowly than the output layer', () => {
    const { records } = train(DEEP, { optimizer: 'sgd', lr: 0.1 }, 20);
    const ratios = meanRatios(records);
    expect(ratios[0]! * 10).toBeLessThan(ratios.at(-1)!);
    // In fact by more than four orders of magnitude: (max σ′ = 1/4)^10 ≈ 10⁻⁶.
    expect(ratios[0]! * 1e4).toBeLessThan(ratios.at(-1)!);
  });

  for (const [name, spec] of [
    ['ReLU + He', { ...DEEP, activation: 'relu', init: 'he' }],
    ['sigmoid + batchnorm', { ...DEEP, batchnorm: true }],
  ] as const) {
    it(`${name}: layer 1 updates within a factor 10 of the output layer`, () => {
      const { records } = train(spec, { optimizer: 'sgd', lr: 0.03 }, 20);
      const ratios = meanRatios(records);
      expect(ratios[0]! * 10).toBeGreaterThan(ratios.at(-1)!);
    });
  }
});

describe('divergence and plain data', () => {
  it('an exploding run is reported as non-finite, never thrown, and stays stopped', () => {
    const spec = parseSpec({
      ...SMALL,
      depth: 10,
      activation: 'relu',
      init: 'he',
      backend: 'cpu',
    });
    const state = createTrainingState(spec, parseTrainingOptions({ optimizer: 'sgd', lr: 100 }));
    const { state: next, records } = trainSteps(state, 50);
    expect(records.length).toBeLessThan(50);
    const last = records.at(-1)!;
    expect(last.nonFinite).toBe(true);
    expect(next.diverged).toBe(last.step);
    expect(records.slice(0, -1).every((r) => !r.nonFinite)).toBe(true);
    expect(trainSteps(next, 5).records).toEqual([]);
  });

  it('a state survives structuredClone and trains on exactly as the original', () => {
    const spec = parseSpec({ ...SMALL, activation: 'tanh', backend: 'cpu' });
    const options = parseTrainingOptions({ optimizer: 'adam', lr: 0.01 });
    const { state } = trainSteps(createTrainingState(spec, options), 3);
    const copy = structuredClone(state);
    expect(copy).toEqual(state);
    expect(copy.weights[0]).toBeInstanceOf(Float32Array);
    const before = state.weights[0]!.slice();
    expect(trainSteps(copy, 4)).toEqual(trainSteps(state, 4));
    // trainSteps leaves its input as it was.
    expect(state.weights[0]).toEqual(before);
    expect(state.step).toBe(3);
  });

  it('webgpu specs train in f32 and keep their backend; spirals forces inputs 2 and outputs 1', () => {
    const state = createTrainingState(
      parseSpec({ ...SMALL, backend: 'webgpu' }),
      parseTrainingOptions({ task: 'spirals' }),
    );
    expect(state.precision).toBe('f32');
    expect(state.spec.backend).toBe('webgpu');
    expect(state.backend).toBe('webgpu');
    // Trained on the CPU (the GPU's fallback), the state says so.
    expect(trainSteps(state, 1).state.backend).toBe('cpu');
    expect(state.sizes).toEqual([2, 32, 32, 32, 1]);
    expect(state.targets.every((t) => t === 1 || t === -1)).toBe(true);
  });

  it('the teacher has its own seed and standardized targets', () => {
    expect(teacherSeed(42)).not.toBe(42);
    const spec = parseSpec({ ...SMALL, activation: 'tanh' });
    const { targets, samples } = trainingSet(spec, 'teacher');
    for (let o = 0; o < spec.outputs; o++) {
      const row = Array.from(targets.subarray(o * samples, (o + 1) * samples));
      const mean = row.reduce((a, b) => a + b, 0) / samples;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / samples;
      expect(mean).toBeCloseTo(0, 12);
      expect(variance).toBeCloseTo(1, 12);
    }
  });
});

describe('bias gradients', () => {
  function loss(problem: Problem): number {
    return runNetworkPass(loadNetwork(problem, F64_KERNELS)).loss;
  }

  for (const variant of [{}, { residual: true }, { batchnorm: true }]) {
    it(`∂L/∂b⁽ˡ⁾ = Σ_batch δ⁽ˡ⁾ matches central differences ${JSON.stringify(variant)}`, () => {
      const spec = parseSpec({
        activation: 'tanh',
        depth: 3,
        width: 5,
        inputs: 5,
        outputs: 2,
        batch: 4,
        'sigma-b': 0.3,
        ...variant,
      });
      const problem = buildProblem(spec);
      const analytic: Float64Array[] = [];
      runNetworkPass(loadNetwork(problem, F64_KERNELS), {
        onBiasGradient: (layer, dB) => (analytic[layer - 1] = dB),
      });
      for (let l = 0; l < problem.biases.length; l++) {
        const b = problem.biases[l]!;
        for (let j = 0; j < b.length; j++) {
          const original = b[j]!;
          const h = 1e-6;
          b[j] = original + h;
          const plus = loss(problem);
          b[j] = original - h;
          const minus = loss(problem);
          b[j] = original;
          const numeric = (plus - minus) / (2 * h);
          expect(Math.abs(numeric - analytic[l]![j]!), `layer ${l + 1} unit ${j}`).toBeLessThan(
            1e-7 + 1e-6 * Math.abs(numeric),
          );
        }
      }
    });
  }
});

describe('options', () => {
  it.each([
    [{ lr: '0' }, 'lr'],
    [{ lr: 'fast' }, 'lr'],
    [{ optimizer: 'rmsprop' }, 'optimizer'],
    [{ task: 'moons' }, 'task'],
    [{ momentum: '1' }, 'momentum'],
    [{ optimizer: 'sgd', beta1: '0.9' }, 'beta1'],
    [{ optimizer: 'adam', momentum: '0.9' }, 'momentum'],
    [{ optimizer: 'adam', epsilon: '0' }, 'epsilon'],
    [{ steps: '3' }, 'steps'],
  ] as [TrainingInput, string][])('%j is rejected naming %s', (input, field) => {
    expect(() => parseTrainingOptions(input)).toThrow(SpecError);
    try {
      parseTrainingOptions(input);
    } catch (error) {
      expect((error as SpecError).field).toBe(field);
    }
  });

  it('defaults the learning rate per optimizer; parses steps', () => {
    expect(parseTrainingOptions({}).learningRate).toBe(0.1);
    expect(parseTrainingOptions({ optimizer: 'adam' }).learningRate).toBe(0.001);
    expect(parseTrainingOptions({ optimizer: 'adam', beta2: '0.99' }).beta2).toBe(0.99);
    expect(parseSteps('250')).toBe(250);
    expect(() => parseSteps('0')).toThrow(/steps: .*integer from 1/);
  });
});
