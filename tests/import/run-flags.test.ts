/** Flags: what a practitioner should notice, each naming its layers and its step. */
import { describe, expect, it } from 'vitest';
import { parseRunFile } from '../../src/import/run-parser.ts';
import { FLAG_THRESHOLDS, powerOfTen, runFlags } from '../../src/import/run-flags.ts';
import type { JsonValue } from './run-files.ts';
import { fixtureText, syntheticEntry, syntheticFile, syntheticHeader } from './run-files.ts';

function flagsOf(text: string) {
  const result = parseRunFile(text);
  expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return runFlags(result.run!);
}

/** A three-layer run over steps 0, 100, …, with per-(step, layer) overrides. */
function run(
  steps: number,
  entry: (step: number, layer: number) => Record<string, JsonValue>,
  loss?: (step: number) => JsonValue,
) {
  const header = syntheticHeader([{}, {}, { activation: null }]);
  return syntheticFile(
    header,
    Array.from({ length: steps }, (_, r) => ({
      step: 100 * r,
      ...(loss ? { loss: loss(100 * r) } : {}),
      layers: [1, 2, 3].map((l) => syntheticEntry(entry(100 * r, l))),
    })),
  );
}

describe('run flags', () => {
  it('the recorded digits MLP: vanishing gradients, dead units, layers that barely learn', () => {
    const flags = flagsOf(fixtureText('digits-mlp'));
    expect(flags.map((f) => [f.kind, f.layers, f.step, f.message])).toEqual([
      [
        'vanishing',
        [1, 13],
        0,
        "layers 1–13: gradient norms 10³–10⁷× below the last layer's at step 0 (and still at step 280)",
      ],
      ['dead', [2, 20], 0, 'layers 2–20: 22–66% dead units from step 0'],
      [
        'update-ratio-low',
        [1, 16],
        0,
        'layers 1–16: median update ratio ‖ΔW‖/‖W‖ 9×10⁻¹²–8×10⁻⁶ over steps 0–280 (a healthy one is near 10⁻³): they barely learn',
      ],
    ]);
    expect(flags[0]!.value).toBeGreaterThan(1e7);
  });

  it('the recorded CNN trains well: no flags', () => {
    expect(flagsOf(fixtureText('digits-cnn'))).toEqual([]);
  });

  it('dead units from the step where the fraction reaches the threshold and stays', () => {
    const text = run(16, (step, layer) => ({
      deadFraction: layer === 2 && step >= 1200 ? 0.41 : layer < 3 && step === 500 ? 0.3 : 0,
    }));
    const flags = flagsOf(text);
    expect(flags.map((f) => f.message)).toEqual(['layer 2: 41% dead units from step 1,200']);
    expect(flags[0]).toMatchObject({ kind: 'dead', layers: [2, 2], step: 1200, value: 0.41 });
  });

  it('saturation, at the threshold', () => {
    const at = FLAG_THRESHOLDS.saturatedFraction;
    const text = run(3, (step, layer) => ({
      saturatedFraction: layer === 1 ? (step >= 100 ? 0.87 : 0.2) : layer === 2 ? at - 1e-9 : 0,
    }));
    expect(flagsOf(text).map((f) => f.message)).toEqual(['layer 1: 87% saturated from step 100']);
  });

  it('non-finite gradients, activations and loss at the first step they appear', () => {
    const text = run(
      10,
      (step, layer) => ({
        ...(step >= 800 && layer >= 2 ? { gradNorm: 'NaN' } : {}),
        ...(step >= 700 && layer === 1
          ? { histogram: { min: 0, max: 1, counts: [1, 0, 0, 1], nonFinite: 3 } }
          : {}),
      }),
      (step) => (step >= 900 ? 'Infinity' : 0.5),
    );
    const flags = flagsOf(text);
    expect(flags.filter((f) => f.severity === 'error').map((f) => f.message)).toEqual([
      'non-finite loss (Infinity) at step 900',
      'non-finite gradients at step 800 (layers 2–3)',
      'non-finite activations at step 700 (layer 1)',
    ]);
  });

  it('vanishing and exploding gradients against the last layer, and no gradient at all', () => {
    const text = run(2, (step, layer) => ({
      gradNorm: layer === 3 ? 1 : step === 0 ? (layer === 1 ? 2e-5 : 5e-4) : layer === 1 ? 0 : 3e4,
    }));
    expect(flagsOf(text).map((f) => [f.kind, f.message])).toEqual([
      ['vanishing', "layers 1–2: gradient norms 10³–10⁴× below the last layer's at step 0"],
      ['vanishing', 'layer 1: no gradient (‖δ‖ = 0) at step 100'],
      ['exploding', "layer 2: gradient norms 10⁴× above the last layer's at step 100"],
    ]);
  });

  it('update ratios: median over the steps, too small or too large', () => {
    const text = run(5, (step, layer) => ({
      updateRatio: layer === 1 ? 3e-7 : layer === 2 ? (step === 0 ? 0.5 : 0.2) : 1e-3,
    }));
    const flags = flagsOf(text);
    expect(flags.map((f) => f.message)).toEqual([
      'layer 1: median update ratio ‖ΔW‖/‖W‖ 3×10⁻⁷ over steps 0–400 (a healthy one is near 10⁻³): it barely learns',
      'layer 2: median update ratio ‖ΔW‖/‖W‖ 2×10⁻¹ over steps 0–400: updates this large can make training unstable',
    ]);
    expect(flags[1]!.value).toBe(0.2);
  });

  it('weights that never change', () => {
    const text = run(4, (_step, layer) => ({ updateRatio: layer === 2 ? 0 : 1e-3 }));
    expect(flagsOf(text).map((f) => f.message)).toEqual([
      'layer 2: the weights did not change at most steps (median update ratio 0 over steps 0–300)',
    ]);
  });

  it('writes powers of ten with superscripts', () => {
    expect(powerOfTen(4)).toBe('10⁴');
    expect(powerOfTen(-11)).toBe('10⁻¹¹');
  });
});
