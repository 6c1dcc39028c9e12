import { describe, expect, it } from 'vitest';
import { parseSpec, SpecError } from '../../src/engine/spec.ts';
import type { TrainingRecord } from '../../src/backends/cpu/training.ts';
import {
  compareLayers,
  DEFAULT_DRAFT,
  layerHeatmapChart,
  lossChart,
  parseDraft,
  presetMatches,
  summarizeLoss,
  summarizeUpdates,
  TRAINING_PRESETS,
} from '../../src/ui/grad-training/training-data.ts';

/** Records whose layer l (1-based) has update ratio ratios[l − 1] · (1 + step/100). */
function records(
  ratios: number[],
  steps: number,
  loss = (step: number) => 1 / step,
): TrainingRecord[] {
  return Array.from({ length: steps }, (_, i) => ({
    step: i + 1,
    loss: loss(i + 1),
    updateRatio: Float64Array.from(ratios, (r) => r * (1 + i / 100)),
    gradNorm: Float64Array.from(ratios, (r) => 10 * r),
    nonFinite: false,
  }));
}

describe('training charts', () => {
  it('loss curve: x = step, one series of the losses', () => {
    const data = lossChart(records([1, 2], 3));
    expect(Array.from(data.x)).toEqual([1, 2, 3]);
    expect(Array.from(data.series[0]!.values)).toEqual([1, 1 / 2, 1 / 3]);
  });

  it('heat-map: one column per step spanning layers ½ … L + ½, log colour, global scale', () => {
    const rs = records([1e-6, 1e-3, 1], 4);
    const data = layerHeatmapChart(rs, 'updateRatio');
    expect(Array.from(data.x)).toEqual([1, 2, 3, 4]);
    expect(data.series).toEqual([]);
    expect(data.heatmap!.logColor).toBe(true);
    expect(data.heatmap!.normalize).toBe('global');
    expect(data.heatmap!.columns).toHaveLength(4);
    for (const [i, column] of data.heatmap!.columns.entries()) {
      expect(column.lo).toBe(0.5);
      expect(column.hi).toBe(3.5);
      expect(Array.from(column.values)).toEqual(Array.from(rs[i]!.updateRatio));
    }
    const grad = layerHeatmapChart(rs, 'gradNorm');
    expect(Array.from(grad.heatmap!.columns[2]!.values)).toEqual(Array.from(rs[2]!.gradNorm));
    expect(grad.heatmap!.label).toBe('‖∂L/∂W⁽ˡ⁾‖');
    expect(layerHeatmapChart([], 'gradNorm').heatmap!.columns).toEqual([]);
  });
});

describe('summaries', () => {
  it('layer 1 against layer L, in decades, by geometric means', () => {
    const comparison = compareLayers(records([1e-6, 1e-3, 1e-2], 5), 'updateRatio')!;
    expect(comparison.layers).toBe(3);
    expect(comparison.decades).toBeCloseTo(4, 12);
    expect(summarizeUpdates(records([1e-6, 1e-3, 1e-2], 5))).toBe(
      'Layer 1 updates 10^4.0 times more slowly than layer 3 (geometric mean of ‖ΔW‖/‖W‖ over 5 steps).',
    );
    expect(summarizeUpdates(records([1, 0.5, 0.02], 2))).toMatch(
      /^Layer 1 updates 10\^1\.7 times faster than layer 3/,
    );
    expect(summarizeUpdates(records([0.01, 0.02], 1))).toMatch(
      /^Layer 1 and layer 2 update at comparable rates, within a factor 2\.0 \(.* over 1 step\)/,
    );
    expect(summarizeUpdates([])).toBeNull();
  });

  it('skips non-finite ratios; none at all gives no sentence', () => {
    const rs = records([1e-4, 1], 3);
    rs.push({ ...rs[0]!, step: 4, updateRatio: Float64Array.of(NaN, NaN), nonFinite: true });
    expect(compareLayers(rs, 'updateRatio')!.decades).toBeCloseTo(4, 12);
    expect(compareLayers([rs[3]!], 'updateRatio')).toBeNull();
  });

  it('the loss: first and last ten steps', () => {
    const text = summarizeLoss(records([1, 1], 40, (step) => (step <= 10 ? 2 : 0.5)));
    expect(text).toBe(
      'The loss fell to 25% of its start: 2.000 (mean of the first 10 steps) → 0.5000 (last 10).',
    );
    expect(summarizeLoss(records([1, 1], 4, (step) => step))).toMatch(
      /^The loss rose to 2\.33 times its start: 1\.500 \(mean of the first 2 steps\)/,
    );
    expect(summarizeLoss(records([1], 1))).toBeNull();
  });
});

describe('form and presets', () => {
  it('parses the form, naming the field on errors', () => {
    expect(parseDraft(DEFAULT_DRAFT)).toMatchObject({
      steps: 200,
      options: { task: 'teacher', optimizer: 'sgd', learningRate: 0.1 },
    });
    for (const [patch, field] of [
      [{ lr: '0' }, 'lr'],
      [{ lr: '' }, 'lr'],
      [{ steps: '9000' }, 'steps'],
      [{ steps: 'ten' }, 'steps'],
    ] as const) {
      try {
        parseDraft({ ...DEFAULT_DRAFT, ...patch });
        expect.unreachable(`${JSON.stringify(patch)} should be rejected`);
      } catch (error) {
        expect(error).toBeInstanceOf(SpecError);
        expect((error as SpecError).field).toBe(field);
      }
    }
  });

  it('every preset is a valid spec over any lab spec, and matches itself only', () => {
    const odd = parseSpec({
      activation: 'leaky_relu',
      alpha: '0.2',
      init: 'custom',
      'sigma-w': '2',
    });
    for (const preset of TRAINING_PRESETS) {
      const spec = parseSpec(preset.entries, odd);
      expect(presetMatches(preset, spec)).toBe(true);
      expect(TRAINING_PRESETS.filter((p) => presetMatches(p, spec))).toEqual([preset]);
    }
  });
});
