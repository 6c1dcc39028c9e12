/**
 * A figure's own attributes: each value allowed is read, each other value is a problem that names
 * the attribute and what is allowed, and the default stands in; the state readers of the figures
 * that draw activations report like the run spec does.
 */
import { describe, expect, it } from 'vitest';
import { parseAspect } from '../../src/ui/figure/aspect.ts';
import {
  ASPECT,
  choiceListOption,
  choiceOption,
  numberOption,
  readOption,
} from '../../src/ui/figure/figure-options.ts';
import {
  ACTIVATION_STATE_READER,
  alphaFor,
  drawnActivations,
} from '../../src/ui/figures/activation-state.ts';
import { LAB_STATE_READER } from '../../src/ui/lab/lab-state.ts';

describe('figure options', () => {
  it('reads choices, numbers and lists, and names the attribute when a value is not allowed', () => {
    const axis = choiceOption('x-axis', ['layer', 'below-output'] as const, 'layer');
    expect(readOption(axis, null)).toEqual({ value: 'layer' });
    expect(readOption(axis, ' below-output ')).toEqual({ value: 'below-output' });
    const bad = readOption(axis, 'sideways');
    expect(bad.value).toBe('layer');
    expect(bad.problem?.message).toBe(
      'x-axis: got "sideways"; allowed: one of layer, below-output',
    );
    const xMin = numberOption('x-min', -10, 10, -5);
    expect(readOption(xMin, '-2.5e0').value).toBe(-2.5);
    expect(readOption(xMin, '11').problem?.message).toBe(
      'x-min: got "11"; allowed: a number from -10 to 10',
    );
    expect(readOption(xMin, 'NaN').problem).toBeDefined();
    expect(readOption(xMin, '').problem).toBeDefined();
    const list = choiceListOption('inits', ['he', 'xavier'] as const, ['he']);
    expect(readOption(list, 'xavier, he, xavier').value).toEqual(['xavier', 'he']);
    expect(readOption(list, ',').problem).toBeDefined();
    expect(readOption(list, 'he,lecun').problem?.message).toContain('allowed: a comma-separated');
  });

  it('reads an aspect as 16:10, 16/10 or 1.6, within 0.25 to 4', () => {
    expect(parseAspect('16:10')).toBe(1.6);
    expect(parseAspect(' 4 / 3 ')).toBeCloseTo(4 / 3, 15);
    expect(parseAspect('2')).toBe(2);
    for (const bad of ['', 'wide', '16:0', '0', '5', '1:5', '-1', '16:10:2', 'Infinity']) {
      expect(parseAspect(bad), bad).toBeUndefined();
    }
    expect(readOption(ASPECT, '9:16').value).toBe(0.5625);
    expect(readOption(ASPECT, '1:9').problem?.message).toContain('aspect: got "1:9"; allowed:');
  });
});

describe('state readers', () => {
  it('the activation figures read activation, activations and alpha with the spec’s messages', () => {
    const read = (input: Record<string, string>) => ACTIVATION_STATE_READER.read(input);
    expect(read({}).state).toEqual(ACTIVATION_STATE_READER.defaults);
    const one = read({ activation: 'elu', alpha: '0.5' });
    expect(one.problems).toEqual([]);
    expect(drawnActivations(one.state)).toEqual(['elu']);
    expect(alphaFor(one.state, 'elu')).toBe(0.5);
    expect(alphaFor(one.state, 'sigmoid')).toBe(0);
    const overlay = read({ activations: 'sigmoid, leaky_relu', alpha: '0.2' });
    expect(overlay.problems).toEqual([]);
    expect(drawnActivations(overlay.state)).toEqual(['sigmoid', 'leaky_relu']);
    expect(alphaFor(overlay.state, 'leaky_relu')).toBe(0.2);
    // Defaults where no α is given.
    expect(alphaFor(read({ activation: 'leaky_relu' }).state, 'leaky_relu')).toBe(0.01);
    const bad = read({ activation: 'swish', activations: 'relu,,tanh', alpha: '0.3' });
    expect(bad.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^activation: got "swish"; allowed: one of sigmoid, tanh/),
      'alpha: relu, tanh have no parameter; alpha applies to leaky_relu and elu only',
    ]);
    expect(read({ alpha: '11', activation: 'elu' }).problems[0]!.message).toBe(
      'alpha: got "11"; allowed: a number ≥ 0 and ≤ 10',
    );
    expect(ACTIVATION_STATE_READER.entries(overlay.state)).toEqual([
      ['activations', 'sigmoid,leaky_relu'],
      ['alpha', '0.2'],
    ]);
  });

  it('the lab reader reads every spec field and list, and writes back only what differs', () => {
    const { state, problems } = LAB_STATE_READER.read({ depth: '7', depths: '2,4', width: 'x' });
    expect(state.spec.depth).toBe(7);
    expect(state.depths).toEqual([2, 4]);
    expect(problems.map((p) => p.field)).toEqual(['width']);
    expect(LAB_STATE_READER.entries(state)).toEqual([
      ['depth', '7'],
      ['depths', '2,4'],
    ]);
    expect(LAB_STATE_READER.attributes).toContain('activations');
    expect(LAB_STATE_READER.attributes).toContain('sigma-w');
  });
});
