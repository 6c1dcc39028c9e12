import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SPEC,
  MEMORY_BUDGET_BYTES,
  estimateRunBytes,
  parseSpec,
  SpecError,
  specToEntries,
} from '../../src/engine/spec.ts';

function errorOf(fn: () => unknown): SpecError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error('expected a SpecError');
}

describe('parseSpec', () => {
  it('returns the defaults for an empty input', () => {
    expect(parseSpec({})).toEqual(DEFAULT_SPEC);
  });

  it('accepts kebab-case and camelCase keys, numbers and booleans', () => {
    const spec = parseSpec({
      'output-activation': 'same',
      sigmaB: '0.5',
      residual: '',
      batchnorm: 'true',
      depth: '50',
    });
    expect(spec.outputActivation).toBe('same');
    expect(spec.sigmaB).toBe(0.5);
    expect(spec.residual).toBe(true);
    expect(spec.batchnorm).toBe(true);
    expect(spec.depth).toBe(50);
  });

  it('fills in the default alpha of leaky_relu and elu, and keeps a given one', () => {
    expect(parseSpec({ activation: 'leaky_relu' }).alpha).toBe(0.01);
    expect(parseSpec({ activation: 'elu' }).alpha).toBe(1);
    expect(parseSpec({ activation: 'elu', alpha: '0.3' }).alpha).toBe(0.3);
    expect(parseSpec({ activation: 'tanh' }).alpha).toBe(0);
  });

  it.each([
    [{ activation: 'swish' }, 'activation', /one of sigmoid, tanh/],
    [{ depth: '2.5' }, 'depth', /integer from 1 to 1000/],
    [{ depth: '0' }, 'depth', /integer from 1 to 1000/],
    [{ depth: '1e3' }, 'depth', /integer/],
    [{ width: 'abc' }, 'width', /integer from 1 to 16384/],
    [{ batch: '' }, 'batch', /integer/],
    [{ seed: '-1' }, 'seed', /0 to 4294967295/],
    [{ alpha: 'NaN', activation: 'elu' }, 'alpha', /number/],
    [{ alpha: 'Infinity', activation: 'elu' }, 'alpha', /number/],
    [{ alpha: '0.1', activation: 'tanh' }, 'alpha', /leaky_relu and elu only/],
    [{ residual: 'maybe' }, 'residual', /true or false/],
    [{ rng: 'mersenne' }, 'rng', /philox, numpy/],
    [{ 'output-activation': 'softmax' }, 'output-activation', /linear, same/],
    [{ gain: '0' }, 'gain', /> 0/],
    [{ gain: '2' }, 'gain', /orthogonal only/],
    [{ 'sigma-w': '2' }, 'sigma-w', /custom only/],
    [{ batchnorm: 'true', batch: '1' }, 'batchnorm', /batch ≥ 2/],
    [{ colour: 'red' }, 'colour', /unknown field/],
  ])('%o is rejected naming %s', (input, field, message) => {
    const error = errorOf(() => parseSpec(input));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('refuses sizes beyond memory, naming the largest that fits', () => {
    const error = errorOf(() => parseSpec({ depth: '1000', width: '16384', batch: '1024' }));
    expect(error.field).toBe('width');
    const largest = Number(/largest width that fits is (\d+)/.exec(error.message)?.[1]);
    expect(largest).toBeGreaterThan(0);
    const fits = parseSpec({ depth: '1000', width: String(largest), batch: '1024' });
    expect(estimateRunBytes(fits)).toBeLessThanOrEqual(MEMORY_BUDGET_BYTES);
    expect(() => parseSpec({ depth: '1000', width: String(largest + 1), batch: '1024' })).toThrow(
      SpecError,
    );
  });

  it('accepts the 50 × 1024 × batch 256 experiment on the CPU backends', () => {
    expect(() =>
      parseSpec({ depth: '50', width: '1024', batch: '256', backend: 'cpu64' }),
    ).not.toThrow();
  });

  it('round-trips through specToEntries', () => {
    const spec = parseSpec({ activation: 'gelu', depth: '20', residual: 'true', seed: '7' });
    expect(parseSpec(Object.fromEntries(specToEntries(spec)))).toEqual(spec);
  });
});
