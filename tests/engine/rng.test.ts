import { describe, expect, it } from 'vitest';
import {
  mulhi32,
  NumpyRandomState,
  philox4x32,
  philoxNormal,
  PhiloxPurpose,
} from '../../src/engine/rng.ts';
import { loadFixture } from '../fixtures.ts';

interface MtCase {
  seed: number;
  stateHead: number[];
  statePos: number;
  randomSample: number[];
  randn: number[];
  uniform: number[];
  mixed: number[];
}
const { cases } = loadFixture<{ cases: MtCase[] }>('mt19937.json');

describe('numpy legacy RandomState, bit for bit', () => {
  for (const c of cases) {
    it(`seed ${c.seed}`, () => {
      const state = new NumpyRandomState(c.seed);
      expect(state.stateHead(8)).toEqual({ head: c.stateHead, pos: c.statePos });
      expect(Array.from({ length: c.randomSample.length }, () => state.uniform())).toEqual(
        c.randomSample,
      );

      state.seed(c.seed);
      expect(Array.from(state.randn(c.randn.length))).toEqual(c.randn);

      state.seed(c.seed);
      expect(Array.from(state.uniformArray(-0.5, 0.5, c.uniform.length))).toEqual(c.uniform);

      // randn(10,1), randn(1,1), uniform(-1,1,(2,3)), randn(5), random_sample(3): the cached
      // second gaussian survives the uniform draws in between.
      state.seed(c.seed);
      const mixed = [
        ...state.randn(10),
        ...state.randn(1),
        ...state.uniformArray(-1, 1, 6),
        ...state.randn(5),
        state.uniform(),
        state.uniform(),
        state.uniform(),
      ];
      expect(mixed).toEqual(c.mixed);
    });
  }

  it('rejects seeds numpy rejects', () => {
    expect(() => new NumpyRandomState(-1)).toThrow(/seed/);
    expect(() => new NumpyRandomState(2 ** 32)).toThrow(/seed/);
    expect(() => new NumpyRandomState(1.5)).toThrow(/seed/);
  });
});

describe('Philox4x32-10', () => {
  it('takes the high word of 32 × 32-bit products exactly (against BigInt)', () => {
    const edges = [
      0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xd2511f53, 0xcd9e8d57, 0xffffffff,
    ];
    const pairs: [number, number][] = edges.flatMap((a) =>
      edges.map((b): [number, number] => [a, b]),
    );
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 20000; i++) pairs.push([next() ^ (next() << 16), next() ^ (next() << 16)]);
    for (const [x, y] of pairs) {
      const a = x >>> 0;
      const b = y >>> 0;
      expect(mulhi32(a, b), `${a} × ${b}`).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
    }
  });

  const hex = (words: Uint32Array): string[] =>
    Array.from(words, (w) => w.toString(16).padStart(8, '0'));
  it('matches the Random123 known-answer vectors', () => {
    expect(hex(philox4x32(0, 0, 0, 0, 0, 0))).toEqual([
      '6627e8d5',
      'e169c58d',
      'bc57ac4c',
      '9b00dbd8',
    ]);
    const ones = 0xffffffff;
    expect(hex(philox4x32(ones, ones, ones, ones, ones, ones))).toEqual([
      '408f276d',
      '41c83b0e',
      'a20bc7c6',
      '6d5451fd',
    ]);
    expect(
      hex(philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0)),
    ).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });

  it('normals have mean 0 and variance 1 and streams are independent of each other', () => {
    const n = 200_000;
    const stream = { seed: 7, layer: 3, purpose: PhiloxPurpose.weight };
    let sum = 0;
    let squares = 0;
    let fourth = 0;
    for (let i = 0; i < n; i++) {
      const z = philoxNormal(stream, i);
      sum += z;
      squares += z * z;
      fourth += z ** 4;
    }
    expect(Math.abs(sum / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(squares / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(fourth / n - 3)).toBeLessThan(0.1);
    const other = { seed: 7, layer: 4, purpose: PhiloxPurpose.weight };
    let cross = 0;
    for (let i = 0; i < 20_000; i++) cross += philoxNormal(stream, i) * philoxNormal(other, i);
    expect(Math.abs(cross / 20_000)).toBeLessThan(5 / Math.sqrt(20_000));
  });
});
