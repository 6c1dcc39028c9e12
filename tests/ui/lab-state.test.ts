import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '../../src/engine/spec.ts';
import {
  DEFAULT_LAB_STATE,
  labStateToEntries,
  parseLabList,
  parseLabState,
} from '../../src/ui/lab/lab-state.ts';

describe('lab state', () => {
  it('parses spec fields and lists, and writes back only what differs from the defaults', () => {
    const { state, problems } = parseLabState({
      activation: 'elu',
      alpha: '0.5',
      depth: '20',
      depths: '3, 10,50',
      activations: 'relu,gelu',
      inits: 'he',
    });
    expect(problems).toEqual([]);
    expect(state.spec).toEqual({ ...DEFAULT_SPEC, activation: 'elu', alpha: 0.5, depth: 20 });
    expect(state.depths).toEqual([3, 10, 50]);
    expect(state.activations).toEqual(['relu', 'gelu']);
    expect(state.inits).toEqual(['he']);
    expect(labStateToEntries(state)).toEqual([
      ['activation', 'elu'],
      ['alpha', '0.5'],
      ['depth', '20'],
      ['depths', '3,10,50'],
      ['activations', 'relu,gelu'],
      ['inits', 'he'],
    ]);
    expect(parseLabState(Object.fromEntries(labStateToEntries(state))).state).toEqual(state);
  });

  it('reports each bad field by name and keeps the good ones', () => {
    const { state, problems } = parseLabState({
      width: 'wide',
      depth: '7',
      depths: '3,0',
      activations: 'relu,swish',
      colour: 'red',
    });
    expect(problems.map((p) => p.field).sort()).toEqual([
      'activations',
      'colour',
      'depths',
      'width',
    ]);
    expect(problems.find((p) => p.field === 'width')!.message).toMatch(
      /width: got "wide"; allowed: an integer from 1 to 16384/,
    );
    expect(problems.find((p) => p.field === 'depths')!.message).toMatch(/up to 8 comma-separated/);
    expect(state.spec.depth).toBe(7);
    expect(state.spec.width).toBe(DEFAULT_SPEC.width);
    expect(state.depths).toEqual(DEFAULT_LAB_STATE.depths);
    expect(state.activations).toEqual(DEFAULT_LAB_STATE.activations);
  });

  it('drops a field that breaks a relation, naming it', () => {
    const { state, problems } = parseLabState({ batchnorm: 'true', batch: '1', depth: '4' });
    expect(problems.map((p) => p.field)).toEqual(['batchnorm']);
    expect(state.spec).toEqual({ ...DEFAULT_SPEC, batch: 1, depth: 4 });
  });

  it('rejects empty and oversized lists, and removes duplicates', () => {
    expect(() => parseLabList('depths', '')).toThrow(/depths/);
    expect(() => parseLabList('depths', '1,2,3,4,5,6,7,8,9')).toThrow(/up to 8/);
    expect(parseLabList('inits', 'he,he,xavier')).toEqual(['he', 'xavier']);
  });
});
