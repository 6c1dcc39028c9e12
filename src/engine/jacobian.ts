/**
 * The input–output Jacobian of a network at one input, and its singular values: the measure of
 * dynamical isometry (Pennington, Schoenholz & Ganguli 2017, "Resurrecting the sigmoid in deep
 * learning through dynamical isometry"). With D⁽ˡ⁾ = diag(φ′(h⁽ˡ⁾)),
 *   J = ∂a⁽ᴸ⁾/∂x = D⁽ᴸ⁾W⁽ᴸ⁾ ⋯ D⁽¹⁾W⁽¹⁾   (plus the identity paths of residual layers).
 * Orthogonal weights at criticality keep every singular value of J near 1 (isometry); Gaussian
 * weights spread them over orders of magnitude even where the mean squared singular value,
 * χ₁^L, is 1.
 *
 * f64 throughout, on a Problem from buildProblem (weights row-major n_out × n_in). Dense and
 * O(width³) per layer, so sizes are limited to JACOBIAN_MAX_SIZE.
 */
import { ACTIVATIONS } from './activations.ts';
import { buildProblem, hasResidual, layerActivation, type Problem } from './problem.ts';
import { SpecError, type RunSpec } from './spec.ts';

/** The largest inputs, width and outputs this module accepts (moderate width only). */
export const JACOBIAN_MAX_SIZE = 256;

/** A dense row-major matrix. */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly values: Float64Array;
}

/** Rejects what the Jacobian cannot be computed for, naming the field. */
export function checkJacobianSpec(spec: RunSpec): void {
  for (const field of ['inputs', 'width', 'outputs'] as const) {
    if (spec[field] > JACOBIAN_MAX_SIZE)
      throw new SpecError(
        field,
        `got ${spec[field]}; the Jacobian spectrum is computed densely, for ${field} ≤ ${JACOBIAN_MAX_SIZE} only`,
      );
  }
  if (spec.batchnorm)
    throw new SpecError(
      'batchnorm',
      'the Jacobian of one input is not defined with batch normalization, which couples the batch; use batchnorm false',
    );
}

/**
 * J = ∂a⁽ᴸ⁾/∂x at column `sample` of the problem's X: an outputs × inputs matrix. Forward mode:
 * J⁽⁰⁾ = I, J⁽ˡ⁾ = D⁽ˡ⁾W⁽ˡ⁾J⁽ˡ⁻¹⁾ (+ J⁽ˡ⁻¹⁾ for a residual layer).
 */
export function inputOutputJacobian(problem: Problem, sample = 0): DenseMatrix {
  const { spec, sizes, weights, biases, x } = problem;
  checkJacobianSpec(spec);
  if (!Number.isInteger(sample) || sample < 0 || sample >= spec.batch)
    throw new SpecError('sample', `got ${sample}; allowed: an integer from 0 to ${spec.batch - 1}`);
  const inputs = sizes[0]!;
  const layers = sizes.length - 1;
  let activation = new Float64Array(inputs);
  for (let i = 0; i < inputs; i++) activation[i] = x[i * spec.batch + sample]!;
  let jacobian = new Float64Array(inputs * inputs);
  for (let i = 0; i < inputs; i++) jacobian[i * inputs + i] = 1;
  for (let l = 1; l <= layers; l++) {
    const nIn = sizes[l - 1]!;
    const nOut = sizes[l]!;
    const w = weights[l - 1]!;
    const b = biases[l - 1];
    const { name, alpha } = layerActivation(spec, l, layers);
    const { forward, derivative } = ACTIVATIONS[name];
    const residual = hasResidual(spec, sizes, l);
    const nextActivation = new Float64Array(nOut);
    const nextJacobian = new Float64Array(nOut * inputs);
    for (let r = 0; r < nOut; r++) {
      let pre = b ? b[r]! : 0;
      for (let k = 0; k < nIn; k++) pre += w[r * nIn + k]! * activation[k]!;
      const slope = derivative(pre, alpha);
      nextActivation[r] = forward(pre, alpha) + (residual ? activation[r]! : 0);
      const row = nextJacobian.subarray(r * inputs, (r + 1) * inputs);
      if (slope !== 0) {
        for (let k = 0; k < nIn; k++) {
          const coefficient = slope * w[r * nIn + k]!;
          if (coefficient === 0) continue;
          const source = k * inputs;
          for (let c = 0; c < inputs; c++) row[c]! += coefficient * jacobian[source + c]!;
        }
      }
      if (residual) for (let c = 0; c < inputs; c++) row[c]! += jacobian[r * inputs + c]!;
    }
    activation = nextActivation;
    jacobian = nextJacobian;
  }
  return { rows: sizes[layers]!, cols: inputs, values: jacobian };
}

/** Sweeps of the one-sided Jacobi method before it reports failure; it needs ~10 in practice. */
const MAX_JACOBI_SWEEPS = 100;

/**
 * Singular values of a dense matrix, largest first, by the one-sided (Hestenes) Jacobi method:
 * plane rotations of column pairs until all columns are mutually orthogonal, each rotation being
 * the cyclic Jacobi rotation that zeroes one off-diagonal entry of AᵀA, applied without forming
 * AᵀA (Demmel & Veselić 1992). The singular values are then the column norms, accurate to a few
 * ulp relative to each one, small ones included (forming AᵀA would lose those below ~1e-8·σ_max).
 */
export function singularValues(matrix: DenseMatrix): Float64Array {
  const { rows, cols, values } = matrix;
  if (values.length !== rows * cols)
    throw new RangeError(`matrix has ${values.length} values, not ${rows} × ${cols}`);
  // Work on the orientation with fewer columns, stored column by column.
  const transpose = cols > rows;
  const n = transpose ? rows : cols;
  const m = transpose ? cols : rows;
  const columns = new Float64Array(n * m);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const value = values[r * cols + c]!;
      if (transpose) columns[r * m + c] = value;
      else columns[c * m + r] = value;
    }
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let i = 0; i < m; i++) sum += columns[j * m + i]! ** 2;
    norms[j] = sum;
  }
  // Columns count as orthogonal when |a_pᵀa_q| ≤ m·ε·‖a_p‖‖a_q‖: the rounding of the dot
  // product itself, below which rotations change nothing.
  const threshold = Math.max(1, m) * Number.EPSILON;
  let converged = false;
  for (let sweep = 0; sweep < MAX_JACOBI_SWEEPS && !converged; sweep++) {
    converged = true;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const alpha = norms[p]!;
        const beta = norms[q]!;
        if (alpha === 0 || beta === 0) continue;
        const pStart = p * m;
        const qStart = q * m;
        let gamma = 0;
        for (let i = 0; i < m; i++) gamma += columns[pStart + i]! * columns[qStart + i]!;
        if (Math.abs(gamma) <= threshold * Math.sqrt(alpha * beta)) continue;
        converged = false;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        let newAlpha = 0;
        let newBeta = 0;
        for (let i = 0; i < m; i++) {
          const a = columns[pStart + i]!;
          const b = columns[qStart + i]!;
          const rotatedP = c * a - s * b;
          const rotatedQ = s * a + c * b;
          columns[pStart + i] = rotatedP;
          columns[qStart + i] = rotatedQ;
          newAlpha += rotatedP * rotatedP;
          newBeta += rotatedQ * rotatedQ;
        }
        norms[p] = newAlpha;
        norms[q] = newBeta;
      }
    }
  }
  if (!converged)
    throw new Error(
      `singular values: one-sided Jacobi did not converge in ${MAX_JACOBI_SWEEPS} sweeps`,
    );
  const result = new Float64Array(n);
  for (let j = 0; j < n; j++) result[j] = Math.sqrt(norms[j]!);
  return result.sort().reverse();
}

/** The spectrum of J and the numbers dynamical isometry is judged by. */
export interface JacobianSpectrum {
  readonly spec: RunSpec;
  readonly sample: number;
  /** Singular values of J, largest first (min(inputs, outputs) of them). */
  readonly singularValues: Float64Array;
  readonly max: number;
  readonly min: number;
  /** Mean of σ² = tr(JJᵀ)/count; mean-field theory predicts χ₁^(depth) for a square network. */
  readonly meanSquare: number;
  /** max/min: Infinity when J is singular. */
  readonly conditionNumber: number;
}

/** Builds the problem of a spec, and the singular values of its Jacobian at one input. */
export function jacobianSpectrum(spec: RunSpec, sample = 0): JacobianSpectrum {
  checkJacobianSpec(spec);
  const values = singularValues(inputOutputJacobian(buildProblem(spec), sample));
  let meanSquare = 0;
  for (const value of values) meanSquare += value * value;
  meanSquare /= values.length;
  const max = values[0]!;
  const min = values[values.length - 1]!;
  return {
    spec,
    sample,
    singularValues: values,
    max,
    min,
    meanSquare,
    conditionNumber: max / min,
  };
}
