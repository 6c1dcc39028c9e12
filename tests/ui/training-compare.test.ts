import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/engine/spec.ts';
import {
  createTrainingState,
  parseTrainingOptions,
  trainSteps,
  type TrainingRecord,
  type TrainingState,
} from '../../src/backends/cpu/training.ts';
import { layoutHeatmap } from '../../src/ui/grad-chart/heatmap.ts';
import { layerHeatmapChart } from '../../src/ui/grad-training/training-data.ts';
import {
  comparisonLossChart,
  comparisonPlan,
  comparisonRow,
  comparisonStates,
  formatDecades,
  setupKey,
  sharedColorRange,
  trainedOn,
  trainingSetup,
} from '../../src/ui/grad-training/training-compare.ts';

const LAB = parseSpec({
  depth: '4',
  width: '12',
  inputs: '6',
  outputs: '2',
  batch: '8',
  backend: 'cpu64',
  seed: '7',
});

function record(step: number, updateRatio: number[], loss = 1, nonFinite = false): TrainingRecord {
  return {
    step,
    loss,
    updateRatio: Float64Array.from(updateRatio),
    gradNorm: Float64Array.from(updateRatio, (r) => 10 * r),
    nonFinite,
  };
}

describe('comparison plan', () => {
  it('presets keep the lab sizes, seed and backend; the lab settings equal to a preset train once', () => {
    const { configs, merged } = comparisonPlan(['relu', 'lab', 'sigmoid', 'nonsense'], LAB);
    // The lab's default network is sigmoid + Xavier: the sigmoid preset is the same network.
    expect(configs.map((c) => c.id)).toEqual(['lab', 'relu']);
    expect(merged).toEqual([{ id: 'sigmoid', sameAs: 'lab' }]);
    expect(configs[0]!.label).toBe('Lab settings (sigmoid, xavier init)');
    const relu = configs[1]!.spec;
    expect([relu.activation, relu.init]).toEqual(['relu', 'he']);
    for (const key of ['depth', 'width', 'inputs', 'outputs', 'batch', 'seed', 'backend'] as const)
      expect(relu[key]).toBe(LAB[key]);
  });

  it('every preset is its own network over another lab network', () => {
    const lab = parseSpec({ activation: 'tanh', init: 'he' }, LAB);
    const { configs, merged } = comparisonPlan(
      ['lab', 'sigmoid', 'relu', 'residual', 'batchnorm'],
      lab,
    );
    expect(configs.map((c) => c.id)).toEqual(['lab', 'sigmoid', 'relu', 'residual', 'batchnorm']);
    expect(merged).toEqual([]);
    expect(configs[3]!.spec.residual).toBe(true);
    expect(configs[4]!.spec.batchnorm).toBe(true);
    expect(comparisonPlan([], lab).configs).toEqual([]);
  });
});

describe('training setup (what a session trains)', () => {
  const options = parseTrainingOptions({ task: 'teacher', optimizer: 'sgd', lr: '0.1' });

  it('one network trains on its own set; several share the lab settings’ set', () => {
    const alone = trainingSetup(LAB, options, ['lab']);
    expect(alone.configs.map((c) => c.id)).toEqual(['lab']);
    expect(alone.sharedSet).toBeNull();
    const relu = trainingSetup(LAB, options, ['relu']);
    expect(relu.configs[0]!.spec.activation).toBe('relu');
    expect(relu.sharedSet).toBeNull();
    const compared = trainingSetup(LAB, options, ['relu', 'sigmoid', 'lab']);
    // The lab settings are sigmoid + Xavier: the sigmoid preset merges into them.
    expect(compared.configs.map((c) => c.id)).toEqual(['lab', 'relu']);
    expect(compared.merged).toEqual([{ id: 'sigmoid', sameAs: 'lab' }]);
    expect(compared.sharedSet).toEqual(LAB);
    // Merged down to one network: that network alone.
    expect(trainingSetup(LAB, options, ['lab', 'sigmoid']).sharedSet).toBeNull();
    // Nothing known listed: the lab settings.
    expect(trainingSetup(LAB, options, ['nonsense']).configs.map((c) => c.id)).toEqual(['lab']);
  });

  it('the key: equal for the same networks and options, different when either changes', () => {
    const key = (networks: string[], lr = '0.1', spec = LAB) =>
      setupKey(trainingSetup(spec, parseTrainingOptions({ lr }), networks));
    expect(key(['relu', 'lab'])).toBe(key(['lab', 'relu']));
    expect(key(['lab', 'relu'])).not.toBe(key(['lab', 'residual']));
    expect(key(['lab'])).not.toBe(key(['lab'], '0.2'));
    expect(key(['lab'])).not.toBe(key(['lab'], '0.1', { ...LAB, seed: 8 }));
  });
});

describe('comparison states', () => {
  const options = parseTrainingOptions({ task: 'teacher', optimizer: 'sgd', lr: '0.1' });

  it('start every network from its own weights on the lab settings’ training set', () => {
    const { configs } = comparisonPlan(['lab', 'relu', 'residual'], LAB);
    const states = comparisonStates(configs, LAB, options);
    const lab = createTrainingState(LAB, options);
    states.forEach((state, i) => {
      const own = createTrainingState(configs[i]!.spec, options);
      expect(Array.from(state.inputs)).toEqual(Array.from(lab.inputs));
      expect(Array.from(state.targets)).toEqual(Array.from(lab.targets));
      expect(state.samples).toBe(lab.samples);
      expect(state.weights.map((w) => Array.from(w))).toEqual(
        own.weights.map((w) => Array.from(w)),
      );
      expect(state.spec).toEqual(own.spec);
      expect(state.step).toBe(0);
    });
    // Without sharing, a ReLU teacher would give the ReLU student other targets.
    const reluOwn = createTrainingState(configs[1]!.spec, options);
    expect(Array.from(reluOwn.targets)).not.toEqual(Array.from(lab.targets));
  });

  it('spirals: two inputs and one output for every network', () => {
    const spirals = parseTrainingOptions({ task: 'spirals', optimizer: 'adam' });
    const states = comparisonStates(comparisonPlan(['lab', 'relu'], LAB).configs, LAB, spirals);
    for (const state of states) {
      expect([state.spec.inputs, state.spec.outputs]).toEqual([2, 1]);
      expect(state.inputs.length).toBe(2 * state.samples);
    }
  });

  it('sigmoid + Xavier moves layer 1 orders of magnitude less than ReLU + He (the chapter)', () => {
    const { configs } = comparisonPlan(['sigmoid', 'relu'], parseSpec({ depth: '6' }, LAB));
    const states = comparisonStates(configs, parseSpec({ depth: '6' }, LAB), options);
    const rows = states.map((state, i) => {
      const chunk = trainSteps(state, 20);
      return comparisonRow(configs[i]!, chunk.state, chunk.records);
    });
    const [sigmoid, relu] = rows;
    expect(sigmoid!.step).toBe(20);
    expect(sigmoid!.decades).toBeLessThan(-2);
    expect(relu!.decades).toBeGreaterThan(-1.5);
    expect(sigmoid!.decades).toBeLessThan(relu!.decades - 1);
    expect(rows.map((r) => r.trainedOn)).toEqual(['cpu64 (f64)', 'cpu64 (f64)']);
  });
});

describe('shared colour scale', () => {
  const a = [record(1, [1e-6, 1e-2]), record(2, [NaN, 0.5])];
  const b = [record(1, [1e-4, Infinity]), record(2, [0, 2])];

  it('spans the finite positive values of every network', () => {
    expect(sharedColorRange([a, b], 'updateRatio')).toEqual({ min: 1e-6, max: 2 });
    expect(sharedColorRange([a, b], 'gradNorm')).toEqual({ min: 10 * 1e-6, max: 20 });
    expect(sharedColorRange([[record(1, [NaN, 0])]], 'updateRatio')).toBeNull();
    expect(sharedColorRange([], 'updateRatio')).toBeNull();
  });

  it('equal values get equal colours in every map that shares the range', () => {
    const range = sharedColorRange([a, b], 'updateRatio')!;
    const mapA = layerHeatmapChart(a, 'updateRatio', range);
    const mapB = layerHeatmapChart(b, 'updateRatio', range);
    expect(mapA.heatmap!.colorRange).toEqual(range);
    const cellsA = layoutHeatmap(mapA.heatmap!).cells;
    const cellsB = layoutHeatmap(mapB.heatmap!).cells;
    // a: 1e-6 (the range's min) → 0, 1e-2, NaN (error colour), 0.5; b: 1e-4, ∞, 0 (empty), 2.
    const decade = 1 / Math.log10(2e6);
    expect(cellsA.map((c) => c.intensity)).toEqual([
      0,
      expect.closeTo(4 * decade, 12),
      null,
      expect.closeTo(Math.log10(5e5) * decade, 12),
    ]);
    expect(cellsB.map((c) => c.intensity)).toEqual([expect.closeTo(2 * decade, 12), null, 1]);
    // Alone, each map would stretch over its own values: b's 1e-4 would be the bottom colour.
    expect(layoutHeatmap(layerHeatmapChart(b, 'updateRatio').heatmap!).cells[0]!.intensity).toBe(0);
  });

  it('values beyond the range are drawn at its ends', () => {
    const heatmap = {
      ...layerHeatmapChart([record(1, [1e-9, 1e-3, 10])], 'updateRatio').heatmap!,
      colorRange: { min: 1e-6, max: 1 },
    };
    expect(layoutHeatmap(heatmap).cells.map((c) => c.intensity)).toEqual([
      0,
      expect.closeTo(0.5, 12),
      1,
    ]);
    const linear = { ...heatmap, logColor: false, colorRange: { min: 2, max: 4 } };
    expect(layoutHeatmap(linear).cells.map((c) => c.intensity)).toEqual([0, 0, 1]);
  });
});

describe('comparison loss and table', () => {
  it('one loss curve per network; a network that stopped has no values after its last step', () => {
    const data = comparisonLossChart([
      { label: 'sigmoid', records: [record(1, [1], 3), record(2, [1], 2), record(3, [1], 1)] },
      { label: 'relu', records: [record(1, [1], 5), record(2, [1], Infinity, true)] },
    ]);
    expect(Array.from(data.x)).toEqual([1, 2, 3]);
    expect(data.series.map((s) => s.label)).toEqual(['sigmoid', 'relu']);
    expect(Array.from(data.series[0]!.values)).toEqual([3, 2, 1]);
    expect(Array.from(data.series[1]!.values)).toEqual([5, Infinity, null]);
    expect(comparisonLossChart([])).toEqual({ x: [], series: [] });
  });

  it('the row: layer 1 against layer L at the latest step, and the non-finite flags', () => {
    const config = comparisonPlan(['relu'], LAB).configs[0]!;
    const state = { ...createTrainingState(config.spec, parseTrainingOptions({})), step: 2 };
    const row = comparisonRow(config, state, [record(1, [1, 1]), record(2, [1e-5, 1e-2], 0.25)]);
    expect(row).toMatchObject({
      id: 'relu',
      step: 2,
      loss: 0.25,
      firstRatio: 1e-5,
      lastRatio: 1e-2,
      nonFiniteSteps: 0,
      diverged: null,
    });
    expect(row.decades).toBeCloseTo(-3, 12);
    expect(formatDecades(row.decades)).toBe('−3.0');

    const diverged: TrainingState = { ...state, step: 3, diverged: 3 };
    const bad = comparisonRow(config, diverged, [
      record(1, [1, 1]),
      record(3, [NaN, NaN], NaN, true),
    ]);
    expect(bad).toMatchObject({ diverged: 3, nonFiniteSteps: 1 });
    expect(Number.isNaN(bad.decades)).toBe(true);
    expect(formatDecades(bad.decades)).toBe('not finite');

    const fresh = comparisonRow(config, null, []);
    expect(fresh).toMatchObject({ step: 0, trainedOn: null, diverged: null });
    expect(Number.isNaN(fresh.loss)).toBe(true);
  });

  it('orders of magnitude are signed, to one decimal', () => {
    expect(formatDecades(0.44)).toBe('+0.4');
    expect(formatDecades(-0.04)).toBe('0.0');
    expect(formatDecades(-12.345)).toBe('−12.3');
    expect(formatDecades(-Infinity)).toBe('not finite');
  });

  it('names the backend that trained a state, and its precision', () => {
    const state = createTrainingState(LAB, parseTrainingOptions({}));
    const trained = trainSteps(state, 1).state;
    expect(trainedOn(trained)).toBe('cpu64 (f64)');
    const f32 = trainSteps(
      createTrainingState({ ...LAB, backend: 'cpu' }, parseTrainingOptions({})),
      1,
    );
    expect(trainedOn(f32.state)).toBe('cpu (f32)');
    // The backend the state records, not its spec's: a webgpu spec trained on the CPU fallback.
    const fallback: TrainingState = {
      ...f32.state,
      spec: { ...f32.state.spec, backend: 'webgpu' },
    };
    expect(trainedOn(fallback)).toBe('cpu (f32)');
    expect(trainedOn({ ...fallback, backend: 'webgpu' })).toBe('webgpu (f32)');
  });
});
