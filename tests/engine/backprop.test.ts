/**
 * Backprop against numerical gradients: ∂L/∂W from the backward pass must equal central
 * differences of the loss, for every activation, with and without residual and batchnorm.
 */
import { describe, expect, it } from 'vitest';
import { F64_KERNELS } from '../../src/backends/cpu/kernels-f64.ts';
import { loadNetwork, runNetworkPass } from '../../src/backends/cpu/network-pass.ts';
import { ACTIVATION_NAMES } from '../../src/engine/activations.ts';
import { buildProblem, type Problem } from '../../src/engine/problem.ts';
import { parseSpec } from '../../src/engine/spec.ts';

function loss(problem: Problem): number {
  return runNetworkPass(loadNetwork(problem, F64_KERNELS)).loss;
}

function analyticGradients(problem: Problem): Float64Array[] {
  const grads: Float64Array[] = [];
  runNetworkPass(loadNetwork(problem, F64_KERNELS), {
    onWeightGradient: (layer, dW) => (grads[layer - 1] = Float64Array.from(dW)),
  });
  return grads;
}

const VARIANTS = [
  { residual: false, batchnorm: false },
  { residual: true, batchnorm: false },
  { residual: false, batchnorm: true },
  { residual: true, batchnorm: true },
];

describe('backprop against central differences of the loss', () => {
  // step has zero derivative almost everywhere and is skipped: its loss is piecewise constant.
  for (const activation of ACTIVATION_NAMES.filter((name) => name !== 'step')) {
    for (const variant of VARIANTS) {
      it(`${activation} residual=${variant.residual} batchnorm=${variant.batchnorm}`, () => {
        const spec = parseSpec({
          activation,
          init: 'xavier',
          depth: 3,
          width: 5,
          inputs: 5,
          outputs: 2,
          batch: 4,
          seed: 3,
          'sigma-b': 0.1,
          'output-activation': 'same',
          ...variant,
        });
        const problem = buildProblem(spec);
        const grads = analyticGradients(problem);
        for (let l = 0; l < problem.weights.length; l++) {
          const w = problem.weights[l]!;
          for (let j = 0; j < w.length; j += 3) {
            const original = w[j]!;
            const h = 1e-6;
            w[j] = original + h;
            const plus = loss(problem);
            w[j] = original - h;
            const minus = loss(problem);
            w[j] = original;
            const numeric = (plus - minus) / (2 * h);
            const analytic = grads[l]![j]!;
            // relu-like kinks can sit within h of a pre-activation; none do for this seed.
            expect(Math.abs(numeric - analytic), `layer ${l + 1} entry ${j}`).toBeLessThan(
              1e-6 + 1e-5 * Math.abs(analytic),
            );
          }
        }
      });
    }
  }

  it('gradNorm is ‖∂L/∂b‖ for a batch of one without batchnorm (δ = ∂L/∂z = ∂L/∂b)', () => {
    const spec = parseSpec({
      activation: 'tanh',
      depth: 4,
      width: 6,
      inputs: 3,
      outputs: 2,
      batch: 1,
      'sigma-b': 0.2,
    });
    const problem = buildProblem(spec);
    const stats = runNetworkPass(loadNetwork(problem, F64_KERNELS));
    for (let l = 0; l < problem.biases.length; l++) {
      const b = problem.biases[l]!;
      let squares = 0;
      for (let j = 0; j < b.length; j++) {
        const original = b[j]!;
        const h = 1e-6;
        b[j] = original + h;
        const plus = loss(problem);
        b[j] = original - h;
        const minus = loss(problem);
        b[j] = original;
        squares += ((plus - minus) / (2 * h)) ** 2;
      }
      expect(Math.sqrt(squares)).toBeCloseTo(stats.gradNorm[l]!, 6);
    }
  });
});
