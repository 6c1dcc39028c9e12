/**
 * Custom and orthogonal init against numpy (tests/fixtures/inits.json): the same Gaussian draws
 * (numpy's legacy generator, gradlab's order), scaled by σ_w/√n_in, or orthogonalized by numpy's
 * QR with the signs of R's diagonal made positive and scaled by the gain; biases after them.
 */
import { describe, expect, it } from 'vitest';
import { buildProblem } from '../../src/engine/problem.ts';
import { parseSpec, type SpecInput } from '../../src/engine/spec.ts';
import { loadFixture } from '../fixtures.ts';

interface InitCase {
  name: string;
  spec: SpecInput;
  sizes: number[];
  weights: number[][];
  biases: number[][] | null;
}

const { cases } = loadFixture<{ cases: InitCase[] }>('inits.json');

/** Largest |a − b| over the arrays, relative to the reference's largest entry. */
function maxError(actual: Float64Array, expected: readonly number[]): number {
  expect(actual.length).toBe(expected.length);
  let error = 0;
  let scale = 0;
  expected.forEach((value, i) => {
    error = Math.max(error, Math.abs(actual[i]! - value));
    scale = Math.max(scale, Math.abs(value));
  });
  return error / scale;
}

describe('custom and orthogonal init against numpy', () => {
  for (const c of cases) {
    it(c.name, () => {
      const { init, gain, ...rest } = c.spec;
      const spec = parseSpec({
        ...rest,
        init,
        // gain and σ_w only where their init takes them (the parser refuses them elsewhere).
        ...(init === 'orthogonal' ? { gain } : {}),
        ...(init !== 'custom' ? { 'sigma-w': undefined } : {}),
      });
      const problem = buildProblem(spec);
      expect(problem.sizes).toEqual(c.sizes);
      problem.weights.forEach((w, i) => {
        // Custom: the same draws times the same scale (the generator is exact but for a rare last
        // bit of log). Orthogonal: Gram–Schmidt twice against Householder QR, both backward
        // stable: entries agree to a few ulp of the matrix's scale.
        const bound = init === 'orthogonal' ? 1e-13 : 1e-15;
        expect(maxError(w, c.weights[i]!), `${c.name} W${i + 1}`).toBeLessThan(bound);
      });
      if (c.biases === null) expect(problem.biases.every((b) => b === null)).toBe(true);
      else
        problem.biases.forEach((b, i) =>
          expect(maxError(b!, c.biases![i]!), `${c.name} b${i + 1}`).toBeLessThan(1e-15),
        );
    });
  }
});
