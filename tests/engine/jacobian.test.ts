import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../../src/engine/activations.ts';
import { orthogonalize } from '../../src/engine/inits.ts';
import {
  inputOutputJacobian,
  jacobianSpectrum,
  singularValues,
  type DenseMatrix,
} from '../../src/engine/jacobian.ts';
import {
  buildProblem,
  hasResidual,
  layerActivation,
  type Problem,
} from '../../src/engine/problem.ts';
import { NumpyRandomState } from '../../src/engine/rng.ts';
import { parseSpec, SpecError } from '../../src/engine/spec.ts';

/** A random orthogonal n × n matrix. */
function randomOrthogonal(random: NumpyRandomState, n: number): Float64Array {
  const q = random.randn(n * n);
  orthogonalize(q, n, n);
  return q;
}

/** U·diag(s)·Vᵀ for random orthogonal U (rows × rows) and V (cols × cols). */
function withSingularValues(rows: number, cols: number, s: readonly number[]): DenseMatrix {
  const random = new NumpyRandomState(7);
  const u = randomOrthogonal(random, rows);
  const v = randomOrthogonal(random, cols);
  const values = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      let sum = 0;
      for (let k = 0; k < s.length; k++) sum += u[r * rows + k]! * s[k]! * v[c * cols + k]!;
      values[r * cols + c] = sum;
    }
  return { rows, cols, values };
}

/** a⁽ᴸ⁾ for one input vector, written out independently of the module under test. */
function networkOutput(problem: Problem, input: Float64Array): Float64Array {
  const { spec, sizes, weights, biases } = problem;
  const layers = sizes.length - 1;
  let a = input;
  for (let l = 1; l <= layers; l++) {
    const { name, alpha } = layerActivation(spec, l, layers);
    const next = new Float64Array(sizes[l]!);
    for (let r = 0; r < sizes[l]!; r++) {
      let z = biases[l - 1]?.[r] ?? 0;
      for (let k = 0; k < sizes[l - 1]!; k++) z += weights[l - 1]![r * sizes[l - 1]! + k]! * a[k]!;
      next[r] = ACTIVATIONS[name].forward(z, alpha) + (hasResidual(spec, sizes, l) ? a[r]! : 0);
    }
    a = next;
  }
  return a;
}

describe('singular values by one-sided Jacobi', () => {
  it('of [[3, 0], [4, 5]] are 3√5 and √5', () => {
    const s = singularValues({ rows: 2, cols: 2, values: Float64Array.of(3, 0, 4, 5) });
    expect(s[0]).toBeCloseTo(3 * Math.sqrt(5), 14);
    expect(s[1]).toBeCloseTo(Math.sqrt(5), 14);
  });

  it('recovers prescribed singular values of U·diag(s)·Vᵀ to 1e-14·σ_max', () => {
    const prescribed = [10, 3, 1, 0.5, 1e-3, 1e-6, 1e-9, 1e-12];
    for (const [rows, cols] of [
      [8, 8],
      [12, 8],
      [8, 12],
    ] as const) {
      const s = singularValues(withSingularValues(rows, cols, prescribed));
      expect(s.length).toBe(8);
      prescribed.forEach((value, i) =>
        expect(Math.abs(s[i]! - value), `${rows}×${cols}, σ${i + 1}`).toBeLessThan(1e-13),
      );
    }
  });

  it('keeps small singular values to high relative accuracy for graded columns U·diag(s)', () => {
    // Rounding the matrix U·diag(s) is relative per column, so its singular values are s to a
    // few ulp relative; forming AᵀA would lose every one below ~1e-8·σ_max.
    const prescribed = [1e-12, 10, 1e-6, 1, 1e-9, 0.5, 1e-3, 3];
    const n = prescribed.length;
    const u = randomOrthogonal(new NumpyRandomState(3), n);
    const values = new Float64Array(n * n);
    for (let r = 0; r < n; r++)
      for (let c = 0; c < n; c++) values[r * n + c] = u[r * n + c]! * prescribed[c]!;
    const s = singularValues({ rows: n, cols: n, values });
    const sorted = [...prescribed].sort((a, b) => b - a);
    sorted.forEach((value, i) =>
      expect(Math.abs(s[i]! - value) / value, `σ${i + 1}`).toBeLessThan(1e-12),
    );
  });

  it('gives exact zeros for a rank-deficient matrix', () => {
    const s = singularValues({
      rows: 3,
      cols: 3,
      values: Float64Array.of(1, 2, 3, 2, 4, 6, 0, 0, 0),
    });
    expect(s[0]).toBeCloseTo(Math.sqrt(14 * 5), 13);
    expect(s[1]).toBeLessThan(1e-15);
    expect(s[2]).toBe(0);
  });
});

describe('the input–output Jacobian', () => {
  for (const residual of [false, true]) {
    it(`matches central differences of the forward pass (tanh, biases${residual ? ', residual' : ''})`, () => {
      const spec = parseSpec({
        activation: 'tanh',
        init: 'custom',
        'sigma-w': 1.5,
        'sigma-b': 0.3,
        depth: 3,
        width: 6,
        inputs: 5,
        outputs: 4,
        batch: 3,
        'output-activation': 'same',
        residual,
      });
      const problem = buildProblem(spec);
      const sample = 2;
      const jacobian = inputOutputJacobian(problem, sample);
      expect([jacobian.rows, jacobian.cols]).toEqual([4, 5]);
      const x = new Float64Array(5);
      for (let i = 0; i < 5; i++) x[i] = problem.x[i * spec.batch + sample]!;
      const h = 1e-6;
      for (let c = 0; c < 5; c++) {
        const plus = Float64Array.from(x);
        const minus = Float64Array.from(x);
        plus[c]! += h;
        minus[c]! -= h;
        const up = networkOutput(problem, plus);
        const down = networkOutput(problem, minus);
        for (let r = 0; r < 4; r++)
          expect(
            Math.abs(jacobian.values[r * 5 + c]! - (up[r]! - down[r]!) / (2 * h)),
          ).toBeLessThan(1e-8);
      }
    });
  }

  it('of a linear network with orthogonal weights has every singular value 1 (to 1e-10)', () => {
    const spec = parseSpec({
      activation: 'linear',
      init: 'orthogonal',
      depth: 8,
      width: 48,
      inputs: 48,
      outputs: 48,
    });
    const { singularValues: s } = jacobianSpectrum(spec);
    expect(s.length).toBe(48);
    for (const value of s) expect(Math.abs(value - 1)).toBeLessThan(1e-10);
  });

  it('of a linear network with Gaussian weights (σ_w = 1) spreads, with mean σ² near χ₁^L = 1', () => {
    const spec = parseSpec({
      activation: 'linear',
      init: 'custom',
      depth: 8,
      width: 48,
      inputs: 48,
      outputs: 48,
    });
    const spectrum = jacobianSpectrum(spec);
    expect(spectrum.max).toBeGreaterThan(2);
    expect(spectrum.min).toBeLessThan(0.05);
    expect(spectrum.conditionNumber).toBeGreaterThan(100);
    expect(spectrum.meanSquare).toBeGreaterThan(0.5);
    expect(spectrum.meanSquare).toBeLessThan(2);
  });

  it('tanh near criticality: orthogonal weights condition J far better than Gaussian (Pennington et al.)', () => {
    const common = {
      activation: 'tanh',
      depth: 16,
      width: 64,
      inputs: 64,
      outputs: 64,
      'sigma-b': 0.05,
    } as const;
    const orthogonal = jacobianSpectrum(parseSpec({ ...common, init: 'orthogonal', gain: 1.05 }));
    const gaussian = jacobianSpectrum(parseSpec({ ...common, init: 'custom', 'sigma-w': 1.05 }));
    expect(orthogonal.conditionNumber * 100).toBeLessThan(gaussian.conditionNumber);
  });

  it('rejects sizes above 256, batch normalization and a sample outside the batch, naming the field', () => {
    const big = parseSpec({ width: 300 });
    expect(() => jacobianSpectrum(big)).toThrow(SpecError);
    expect(() => jacobianSpectrum(big)).toThrow(/^width: .*≤ 256/);
    expect(() => jacobianSpectrum(parseSpec({ inputs: 257 }))).toThrow(/^inputs:/);
    expect(() => jacobianSpectrum(parseSpec({ batchnorm: true }))).toThrow(/^batchnorm:/);
    expect(() => jacobianSpectrum(parseSpec({ batch: 4 }), 4)).toThrow(/^sample: .*0 to 3/);
  });
});
