/**
 * The recorder (python/gradlab_record.py) names PyTorch's activation modules with gradlab's names
 * and measures sup|φ′| for the saturation threshold; both must agree with gradlab's own table.
 * scripts/make_torch_fixtures.py wrote what the recorder computes with torch.
 */
import { describe, expect, it } from 'vitest';
import { activationProperties, type ActivationName } from '../../src/engine/activations.ts';
import { loadFixture } from '../fixtures.ts';

interface TorchActivation {
  readonly module: string;
  readonly gradlab: ActivationName | null;
  readonly alpha: number | null;
  readonly maxSlope: number;
}

const { activations } = loadFixture<{ activations: TorchActivation[] }>('torch-activations.json');

describe('PyTorch activation modules as the recorder reads them', () => {
  it('maps each module to gradlab’s activation, with its α', () => {
    expect(activations.map((a) => [a.module, a.gradlab, a.alpha])).toEqual([
      ['Sigmoid()', 'sigmoid', null],
      ['Tanh()', 'tanh', null],
      ['ReLU()', 'relu', null],
      ['LeakyReLU(negative_slope=0.01)', 'leaky_relu', 0.01],
      ['LeakyReLU(negative_slope=0.2)', 'leaky_relu', 0.2],
      ['ELU(alpha=1.0)', 'elu', 1],
      ['ELU(alpha=0.5)', 'elu', 0.5],
      ["GELU(approximate='none')", 'gelu', null],
      ["GELU(approximate='tanh')", 'gelu_tanh', null],
      ['SiLU()', 'silu', null],
      ['Softplus(beta=1, threshold=20)', 'softplus', null],
    ]);
  });

  it('measures sup|φ′| as gradlab does, to 1e-9', () => {
    for (const a of activations) {
      const ours = activationProperties(a.gradlab!, a.alpha ?? undefined).maxAbsDerivative;
      expect(Math.abs(a.maxSlope - ours), a.module).toBeLessThan(1e-9 * ours);
    }
  });
});
