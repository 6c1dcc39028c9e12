/**
 * The mean-field prediction for an imported run, where the model is a plain stack of Linear layers
 * with one activation (gradlab's own kind of network): each layer's input is the previous layer's
 * activation, unchanged (no residual add, normalization or dropout between).
 *
 * From the recorded weights at the first recorded step (step 0 when recording starts with training):
 *   σ_w⁽ˡ⁾ = ‖W⁽ˡ⁾‖/√n_out and σ_b⁽ˡ⁾ = ‖b⁽ˡ⁾‖/√n_out, since W ~ N(0, σ_w²/n_in) has E‖W‖² = n_out·σ_w²;
 *   q⁽¹⁾ = σ_w⁽¹⁾²·⟨x²⟩ + σ_b⁽¹⁾², with ⟨x²⟩ the recorded mean square of the input;
 *   q⁽ˡ⁺¹⁾ = σ_w⁽ˡ⁺¹⁾²·E[φ(√q⁽ˡ⁾ z)²] + σ_b⁽ˡ⁺¹⁾²                (Poole et al. 2016, eq. 3);
 *   ‖δ⁽ˡ⁾‖ = ‖δ⁽ˡ⁺¹⁾‖·σ_w⁽ˡ⁺¹⁾·√E[φ′(√q⁽ˡ⁾ z)²]                  (Schoenholz et al. 2017, §5),
 * anchored at the measured ‖δ⁽ᴸ⁾‖ of the last layer: the same layerwise product as theory.ts
 * predictGradientNorms, with each layer's own σ's. The phase and χ₁ are those of the hidden layers'
 * RMS σ_w and σ_b (theory.ts meanFieldTheory).
 */
import type { ActivationName } from '../engine/activations.ts';
import { activationMoments, meanFieldTheory, type MeanFieldTheory } from '../engine/theory.ts';
import type { ImportedRun } from './run-data.ts';
import type { RunFileHeader } from './run-format.ts';

/** A plain stack's activation, or why the model is not one. */
export type PlainStack =
  | {
      readonly plain: true;
      readonly activation: ActivationName;
      readonly alpha: number | undefined;
    }
  | { readonly plain: false; readonly reason: string };

/** Whether the header describes a plain stack of Linear layers with one activation. */
export function plainStackOf(header: RunFileHeader): PlainStack {
  const layers = header.layers;
  const no = (reason: string): PlainStack => ({ plain: false, reason });
  if (layers.length < 3) return no('the mean-field prediction needs two hidden layers or more');
  const notLinear = layers.find((l) => l.type !== 'Linear');
  if (notLinear)
    return no(`layer ${notLinear.index} (${notLinear.name}) is ${notLinear.type}, not Linear`);
  const first = layers[0]!.activation;
  if (!first || first.gradlab === null)
    return no(
      first
        ? `layer 1's activation ${first.type} is not one gradlab's theory covers`
        : 'no activation module was identified after layer 1',
    );
  for (const layer of layers.slice(0, -1)) {
    const act = layer.activation;
    if (!act) return no(`no activation module was identified after layer ${layer.index}`);
    if (act.gradlab !== first.gradlab || act.alpha !== first.alpha)
      return no(
        `layer ${layer.index}'s activation (${act.type}) differs from layer 1's (${first.type})`,
      );
    if (act.via.length > 0)
      return no(`layer ${layer.index} is normalized (${act.via.join(', ')}) before its activation`);
  }
  for (const layer of layers.slice(1)) {
    if (layer.feedsFromPrevious !== true)
      return no(
        `layer ${layer.index}'s input is not layer ${layer.index - 1}'s activation as it is (a residual add, dropout or reshape between)`,
      );
    const previous = layers[layer.index - 2]!;
    if (layer.fanIn !== previous.units)
      return no(`layer ${layer.index} takes ${layer.fanIn} inputs from ${previous.units} units`);
  }
  return { plain: true, activation: first.gradlab, alpha: first.alpha ?? undefined };
}

export interface MeanFieldComparison {
  readonly applicable: true;
  readonly activation: ActivationName;
  readonly alpha: number | undefined;
  /** The record the prediction is made at (the first), and its step. */
  readonly record: number;
  readonly step: number;
  /** Per layer, from the recorded norms: ‖W‖/√n_out and ‖b‖/√n_out (0 without a bias). */
  readonly sigmaW: Float64Array;
  readonly sigmaB: Float64Array;
  /** ⟨x²⟩ of the first layer's input. */
  readonly inputMeanSquare: number;
  /** q⁽ˡ⁾ of hidden layers 1 … L − 1 by the variance map. */
  readonly variances: Float64Array;
  /** Predicted ‖δ⁽ˡ⁾‖ per layer, anchored at the measured last layer. */
  readonly predictedGradNorm: Float64Array;
  /** Measured ‖δ⁽ˡ⁾‖ per layer at the same record (NaN where not recorded). */
  readonly measuredGradNorm: Float64Array;
  /** RMS of σ_w and σ_b over the hidden layers 2 … L − 1: the theory's parameters. */
  readonly hiddenSigmaW: number;
  readonly hiddenSigmaB: number;
  /** q*, χ₁, the phase and the depth scales at hiddenSigmaW, hiddenSigmaB. */
  readonly theory: MeanFieldTheory;
}

export type MeanFieldResult =
  MeanFieldComparison | { readonly applicable: false; readonly reason: string };

function rms(values: ArrayLike<number>, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i]! ** 2;
  return Math.sqrt(sum / (to - from));
}

/** The mean-field prediction at the run's first record, or why there is none. */
export function meanFieldComparison(run: ImportedRun): MeanFieldResult {
  const stack = plainStackOf(run.header);
  if (!stack.plain) return { applicable: false, reason: stack.reason };
  if (run.recordCount === 0) return { applicable: false, reason: 'the file has no step records' };
  const layers = run.layerCount;
  const record = 0;
  const at = (metric: 'weightNorm' | 'biasNorm' | 'gradNorm' | 'inputMeanSquare', l: number) => {
    const i = record * layers + l - 1;
    return run.missing[metric][i] ? null : run.metrics[metric][i]!;
  };
  const sigmaW = new Float64Array(layers);
  const sigmaB = new Float64Array(layers);
  for (let l = 1; l <= layers; l++) {
    const info = run.header.layers[l - 1]!;
    const weightNorm = at('weightNorm', l);
    if (weightNorm === null || !Number.isFinite(weightNorm) || weightNorm <= 0)
      return {
        applicable: false,
        reason: `layer ${l}'s weight norm at step ${run.steps[record]} is ${weightNorm === null ? 'not recorded' : weightNorm}`,
      };
    sigmaW[l - 1] = weightNorm / Math.sqrt(info.units);
    const biasNorm = info.bias ? at('biasNorm', l) : 0;
    if (biasNorm === null || !Number.isFinite(biasNorm))
      return {
        applicable: false,
        reason: `layer ${l}'s bias norm at step ${run.steps[record]} is not usable`,
      };
    sigmaB[l - 1] = biasNorm / Math.sqrt(info.units);
  }
  const inputMeanSquare = at('inputMeanSquare', 1);
  const lastGradNorm = at('gradNorm', layers);
  if (inputMeanSquare === null || !Number.isFinite(inputMeanSquare))
    return {
      applicable: false,
      reason: `the input's mean square at step ${run.steps[record]} is not usable`,
    };
  if (lastGradNorm === null || !Number.isFinite(lastGradNorm))
    return {
      applicable: false,
      reason: `the last layer's gradient norm at step ${run.steps[record]} is not usable`,
    };
  const { activation, alpha } = stack;
  const hidden = layers - 1;
  const variances = new Float64Array(hidden);
  let q = sigmaW[0]! ** 2 * inputMeanSquare + sigmaB[0]! ** 2;
  for (let l = 1; l <= hidden; l++) {
    variances[l - 1] = q;
    if (l < hidden) {
      const next = Number.isFinite(q)
        ? sigmaW[l]! ** 2 * activationMoments(activation, alpha, q).meanSquare + sigmaB[l]! ** 2
        : Infinity;
      q = next;
    }
  }
  const predictedGradNorm = new Float64Array(layers);
  predictedGradNorm[layers - 1] = lastGradNorm;
  for (let l = hidden; l >= 1; l--) {
    const ql = variances[l - 1]!;
    const factor = Number.isFinite(ql)
      ? sigmaW[l]! * Math.sqrt(activationMoments(activation, alpha, ql).derivativeMeanSquare)
      : NaN;
    predictedGradNorm[l - 1] = predictedGradNorm[l]! * factor;
  }
  const measuredGradNorm = new Float64Array(layers);
  for (let l = 1; l <= layers; l++) measuredGradNorm[l - 1] = at('gradNorm', l) ?? NaN;
  const hiddenSigmaW = rms(sigmaW, 1, layers - 1);
  const hiddenSigmaB = rms(sigmaB, 1, layers - 1);
  const theory = meanFieldTheory({
    activation,
    alpha,
    sigmaW: hiddenSigmaW,
    sigmaB: hiddenSigmaB,
    inputMeanSquare,
  });
  return {
    applicable: true,
    activation,
    alpha,
    record,
    step: run.steps[record]!,
    sigmaW,
    sigmaB,
    inputMeanSquare,
    variances,
    predictedGradNorm,
    measuredGradNorm,
    hiddenSigmaW,
    hiddenSigmaB,
    theory,
  };
}
