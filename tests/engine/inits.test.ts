import { describe, expect, it } from 'vitest';
import { INIT_NAMES, INITS, orthogonalize } from '../../src/engine/inits.ts';
import { buildProblem } from '../../src/engine/problem.ts';
import { NumpyRandomState } from '../../src/engine/rng.ts';
import { parseSpec, type RunSpec } from '../../src/engine/spec.ts';

function sampleStd(values: Float64Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, std: Math.sqrt(squares / values.length) };
}

/** The std each init's formula promises for an n_out × n_in layer. */
function expectedStd(spec: RunSpec, nIn: number, nOut: number): number {
  const init = INITS[spec.init];
  const scale = init.scale(nIn, nOut, spec);
  if (init.distribution === 'uniform') return scale / Math.sqrt(3);
  if (init.distribution === 'orthogonal') return scale / Math.sqrt(Math.max(nIn, nOut));
  return scale;
}

describe('init statistics match their formulas', () => {
  for (const rng of ['philox', 'numpy'] as const) {
    for (const init of INIT_NAMES) {
      it(`${init} (${rng})`, () => {
        const extra =
          init === 'custom' ? { 'sigma-w': 1.7 } : init === 'orthogonal' ? { gain: 1.3 } : {};
        const spec = parseSpec({
          init,
          rng,
          depth: 2,
          width: 300,
          inputs: 120,
          outputs: 10,
          batch: 2,
          ...extra,
        });
        const problem = buildProblem(spec);
        problem.weights.forEach((w, i) => {
          const nIn = problem.sizes[i]!;
          const nOut = problem.sizes[i + 1]!;
          const { mean, std } = sampleStd(w);
          const target = expectedStd(spec, nIn, nOut);
          // Sample std of n values is within a few × target/√(2n) of the truth.
          const n = w.length;
          expect(Math.abs(std - target), `layer ${i + 1} std`).toBeLessThan(
            (5 * target) / Math.sqrt(2 * n) + 1e-12,
          );
          expect(Math.abs(mean), `layer ${i + 1} mean`).toBeLessThan((5 * target) / Math.sqrt(n));
        });
      });
    }
  }

  it('orthogonal init gives W Wᵀ = g² I (wide) and Wᵀ W = g² I (tall)', () => {
    for (const [nOut, nIn] of [
      [4, 9],
      [9, 4],
      [7, 7],
    ] as const) {
      const w = new NumpyRandomState(5).randn(nOut * nIn);
      orthogonalize(w, nOut, nIn);
      const rows = nOut <= nIn;
      const count = rows ? nOut : nIn;
      for (let a = 0; a < count; a++) {
        for (let b = 0; b < count; b++) {
          let dot = 0;
          for (let t = 0; t < (rows ? nIn : nOut); t++) {
            dot += rows ? w[a * nIn + t]! * w[b * nIn + t]! : w[t * nIn + a]! * w[t * nIn + b]!;
          }
          expect(dot).toBeCloseTo(a === b ? 1 : 0, 12);
        }
      }
    }
  });

  it('numpy protocol draws W per layer, then X, then Y, exactly as numpy does', () => {
    const spec = parseSpec({
      rng: 'numpy',
      seed: 9,
      init: 'he',
      depth: 1,
      width: 3,
      inputs: 2,
      outputs: 1,
      batch: 2,
    });
    const problem = buildProblem(spec);
    const state = new NumpyRandomState(9);
    const w1 = state.randn(6).map((v) => v * Math.sqrt(2 / 2));
    const w2 = state.randn(3).map((v) => v * Math.sqrt(2 / 3));
    expect(Array.from(problem.weights[0]!)).toEqual(Array.from(w1));
    expect(Array.from(problem.weights[1]!)).toEqual(Array.from(w2));
    expect(Array.from(problem.x)).toEqual(Array.from(state.randn(4)));
    expect(Array.from(problem.y)).toEqual(Array.from(state.randn(2)));
  });

  it('philox weights are a pure function of (seed, layer, index): depth does not change layer 1', () => {
    const a = buildProblem(parseSpec({ depth: 2, width: 8, inputs: 8 }));
    const b = buildProblem(parseSpec({ depth: 5, width: 8, inputs: 8 }));
    expect(Array.from(a.weights[1]!)).toEqual(Array.from(b.weights[1]!));
    const c = buildProblem(parseSpec({ depth: 2, width: 8, inputs: 8, seed: 43 }));
    expect(Array.from(a.weights[1]!)).not.toEqual(Array.from(c.weights[1]!));
  });
});
