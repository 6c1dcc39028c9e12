/** The mean-field prediction for imported plain stacks, against theory.ts and a real PyTorch run. */
import { describe, expect, it } from 'vitest';
import { meanFieldTheory, predictGradientNorms } from '../../src/engine/theory.ts';
import { parseRunFile } from '../../src/import/run-parser.ts';
import { meanFieldComparison, plainStackOf } from '../../src/import/run-theory.ts';
import {
  fixtureText,
  syntheticEntry,
  syntheticFile,
  syntheticHeader,
  type SyntheticLayer,
} from './run-files.ts';

function imported(text: string) {
  const result = parseRunFile(text);
  expect(result.fatal).toBeNull();
  return result.run!;
}

describe('the mean-field prediction', () => {
  it('matches theory.ts predictGradientNorms on a run with gradlab’s own σ_w, σ_b', () => {
    // Five hidden tanh layers of 50 and a linear output of 10, σ_w = 1.5, σ_b = 0.3, ⟨x²⟩ = 1.
    const width = 50;
    const sigmaW = 1.5;
    const sigmaB = 0.3;
    const layers: SyntheticLayer[] = [
      ...Array.from({ length: 5 }, () => ({
        activation: 'tanh',
        units: width,
        fanIn: width,
      })),
      { activation: null, units: 10 },
    ];
    const entries = layers.map((layer) =>
      syntheticEntry({
        // ‖W‖ = σ_w·√n_out and ‖b‖ = σ_b·√n_out: the recorded norms of an exact init.
        weightNorm: sigmaW * Math.sqrt(layer.units!),
        biasNorm: sigmaB * Math.sqrt(layer.units!),
        inputMeanSquare: 1,
        gradNorm: 0.25,
      }),
    );
    const run = imported(syntheticFile(syntheticHeader(layers), [{ step: 0, layers: entries }]));
    const result = meanFieldComparison(run);
    if (!result.applicable) throw new Error(result.reason);
    const params = { activation: 'tanh' as const, sigmaW, sigmaB, inputMeanSquare: 1 };
    const expected = predictGradientNorms(params, 5);
    for (let l = 0; l < 6; l++)
      expect(result.predictedGradNorm[l]! / 0.25).toBeCloseTo(expected.layerwise[l]!, 12);
    Array.from(expected.variances).forEach((q, i) =>
      expect(result.variances[i]).toBeCloseTo(q, 12),
    );
    const theory = meanFieldTheory(params);
    expect(result.theory.chi1).toBeCloseTo(theory.chi1, 12);
    expect(result.theory.phase).toBe('chaotic');
    expect(result.hiddenSigmaW).toBeCloseTo(sigmaW, 14);
  });

  it('the digits MLP (PyTorch’s default init): σ_w² ≈ 1/3, ordered, and the decay it predicts', () => {
    const run = imported(fixtureText('digits-mlp'));
    const result = meanFieldComparison(run);
    if (!result.applicable) throw new Error(result.reason);
    expect(result.activation).toBe('relu');
    // nn.Linear's default init is U(±1/√n_in): σ_w² = n_in·(1/n_in)/3 = 1/3, up to sampling.
    expect(result.hiddenSigmaW ** 2).toBeGreaterThan(0.3);
    expect(result.hiddenSigmaW ** 2).toBeLessThan(0.37);
    // For ReLU, χ₁ = σ_w²/2 at any q* > 0 (theory.ts's closed form).
    expect(result.theory.chi1).toBeCloseTo(result.hiddenSigmaW ** 2 / 2, 10);
    expect(result.theory.phase).toBe('ordered');
    // The measured ‖δ⁽ˡ⁾‖ falls by 10⁷ from layer 21 to layer 1; the prediction follows it within
    // a factor 1.5 at every layer (log₁₀ error below 0.18).
    const measured = result.measuredGradNorm;
    expect(measured[20]! / measured[0]!).toBeGreaterThan(1e7);
    for (let l = 0; l < 21; l++)
      expect(
        Math.abs(Math.log10(measured[l]! / result.predictedGradNorm[l]!)),
        `layer ${l + 1}`,
      ).toBeLessThan(0.18);
  });

  it('is refused, with the reason, where the model is not a plain stack', () => {
    const reason = (layers: SyntheticLayer[]) => {
      const text = syntheticFile(syntheticHeader(layers), [
        { step: 0, layers: layers.map(() => syntheticEntry()) },
      ]);
      const stack = plainStackOf(imported(text).header);
      return stack.plain ? null : stack.reason;
    };
    expect(reason([{}, {}, { activation: null }])).toBeNull();
    expect(reason([{}, { activation: null }])).toBe(
      'the mean-field prediction needs two hidden layers or more',
    );
    expect(reason([{}, { feedsFromPrevious: false }, { activation: null }])).toBe(
      "layer 2's input is not layer 1's activation as it is (a residual add, dropout or reshape between)",
    );
    expect(reason([{}, { activation: 'tanh' }, { activation: null }])).toBe(
      "layer 2's activation (tanh) differs from layer 1's (relu)",
    );
    expect(reason([{}, { via: ['bn'] }, { activation: null }])).toBe(
      'layer 2 is normalized (bn) before its activation',
    );
    expect(reason([{}, { activation: null }, { activation: null }])).toBe(
      'no activation module was identified after layer 2',
    );
    expect(reason([{ type: 'Conv1d' }, {}, { activation: null }])).toBe(
      'layer 1 (layer1) is Conv1d, not Linear',
    );
    expect(reason([{}, { fanIn: 7 }, { activation: null }])).toBe(
      'layer 2 takes 7 inputs from 4 units',
    );
    const cnn = meanFieldComparison(imported(fixtureText('digits-cnn')));
    expect(cnn).toEqual({ applicable: false, reason: 'layer 1 (0) is Conv2d, not Linear' });
  });

  it('says so where the first record lacks what it needs', () => {
    const layers: SyntheticLayer[] = [{}, {}, { activation: null }];
    const text = syntheticFile(syntheticHeader(layers), [
      {
        step: 0,
        layers: [syntheticEntry(), syntheticEntry({ weightNorm: null }), syntheticEntry()],
      },
    ]);
    expect(meanFieldComparison(imported(text))).toEqual({
      applicable: false,
      reason: "layer 2's weight norm at step 0 is not recorded",
    });
  });
});
