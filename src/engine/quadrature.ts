/**
 * Gaussian expectations E_{z~N(0,1)}[f(z)] by quadrature, in f64, for the mean-field theory
 * (theory.ts).
 *
 * Why not plain Gauss–Hermite: the integrands are f(z) = g(√q·z) for an activation g, and
 * - ReLU, leaky ReLU, ELU (α ≠ 1) and step have a kink or a jump at z = 0, where a Gauss–Hermite
 *   rule converges only algebraically (error ~ n^{-3/2} for a kink);
 * - for large q (tanh at σ_w = 10 has q* ≈ 70) g(√q·z) turns over within |z| ≲ 1/√q, between
 *   the innermost Hermite nodes, and the rule misses it entirely.
 *
 * The rule here is a composite Gauss–Legendre rule on each half-line, with z = 0 as a breakpoint
 * and panels graded geometrically away from it: [0, s], [s, 2s], [2s, 4s], … up to z = 12, with
 * s = min(1, featureScale). Every activation in the table is analytic on each side of 0, and its
 * complex singularities (poles of tanh at ±iπ/2, of σ and softplus at ±iπ) lie on the imaginary
 * axis of h = √q·z, that is at distance ≳ featureScale = 1/√q from any panel [a, 2a] relative to
 * its width, so each panel converges geometrically with its node count (Trefethen, "Approximation
 * Theory and Approximation Practice", ch. 19: Bernstein ellipse ρ ≥ 3 + √8 for a panel [a, 2a]
 * and a singularity on the imaginary axis). The Gaussian tail beyond |z| = 12 is below 1e-31 of
 * the total for integrands growing at most quadratically, as φ(h)² does.
 *
 * Each half is self-normalized, E = ½·Σwf/Σw per half, so a constant on a half is integrated
 * exactly: E[relu′(z)²] is exactly ½ and χ₁ for ReLU at σ_w = 2 is exactly 2.
 */

/** Nodes and weights of the n-point Gauss–Legendre rule on [−1, 1], cached per n. */
export interface LegendreRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

const legendreCache = new Map<number, LegendreRule>();

/** The largest Gauss–Legendre order this module builds. */
export const MAX_LEGENDRE_ORDER = 256;

/**
 * The n-point Gauss–Legendre rule: nodes are the roots of P_n, found by Newton's method on the
 * three-term recurrence (k+1)P_{k+1} = (2k+1)xP_k − kP_{k−1} from the asymptotic guesses
 * cos(π(i − ¼)/(n + ½)); weights 2/((1 − x²)P_n′(x)²) (Abramowitz & Stegun 25.4.29).
 */
export function gaussLegendre(n: number): LegendreRule {
  if (!Number.isInteger(n) || n < 1 || n > MAX_LEGENDRE_ORDER)
    throw new RangeError(`Gauss–Legendre order must be an integer from 1 to ${MAX_LEGENDRE_ORDER}`);
  const cached = legendreCache.get(n);
  if (cached) return cached;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const half = Math.ceil(n / 2);
  for (let i = 0; i < half; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 1; k < n; k++) {
        const p2 = ((2 * k + 1) * x * p1 - k * p0) / (k + 1);
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? x : p1;
      const pPrev = n === 1 ? 1 : p0;
      const derivative = (n * (x * pn - pPrev)) / (x * x - 1);
      const step = pn / derivative;
      x -= step;
      if (Math.abs(step) <= 1e-16 * Math.max(1, Math.abs(x))) break;
    }
    // Recompute P_n′ at the converged node for the weight.
    let p0 = 1;
    let p1 = x;
    for (let k = 1; k < n; k++) {
      const p2 = ((2 * k + 1) * x * p1 - k * p0) / (k + 1);
      p0 = p1;
      p1 = p2;
    }
    const derivative = n === 1 ? 1 : (n * (x * p1 - p0)) / (x * x - 1);
    const weight = 2 / ((1 - x * x) * derivative * derivative);
    nodes[i] = x;
    weights[i] = weight;
    nodes[n - 1 - i] = -x;
    weights[n - 1 - i] = weight;
  }
  if (n % 2 === 1) nodes[half - 1] = 0;
  const rule = { nodes, weights };
  legendreCache.set(n, rule);
  return rule;
}

/** The quadrature covers |z| ≤ 12: beyond it the Gaussian density is below 2e-32. */
export const GAUSSIAN_CUTOFF = 12;

/** Default Gauss–Legendre nodes per panel: converged to ~1e-16 (tests/engine/quadrature.test.ts). */
export const DEFAULT_PANEL_ORDER = 20;

const ONE_OVER_SQRT_2PI = 0.3989422804014327;

/**
 * A rule for E_{z~N(0,1)}[f(z)]: nodes on z > 0 first (positiveCount of them), then their
 * mirror images on z < 0, with the Gaussian density folded into the weights.
 */
export class GaussianRule {
  constructor(
    readonly nodes: Float64Array,
    readonly weights: Float64Array,
    readonly positiveCount: number,
    /** Σ of the weights on each half (≈ ½): the self-normalization. */
    private readonly halfWeight: number,
  ) {}

  /** E[f(z)] ≈ ½·(Σ_{z>0} w f / Σ_{z>0} w + Σ_{z<0} w f / Σ_{z<0} w). */
  expect(f: (z: number) => number): number {
    const { nodes, weights, positiveCount } = this;
    let positive = 0;
    let negative = 0;
    for (let i = 0; i < positiveCount; i++) {
      positive += weights[i]! * f(nodes[i]!);
      negative += weights[i]! * f(-nodes[i]!);
    }
    return 0.5 * (positive / this.halfWeight + negative / this.halfWeight);
  }

  /**
   * Several expectations in one pass over the nodes: `evaluate(z, out)` writes f_1(z) … f_k(z)
   * to out[0 … k−1]; the result holds E[f_1] … E[f_k].
   */
  expectMany(count: number, evaluate: (z: number, out: Float64Array) => void): Float64Array {
    const { nodes, weights, positiveCount } = this;
    const values = new Float64Array(count);
    const positive = new Float64Array(count);
    const negative = new Float64Array(count);
    for (let i = 0; i < positiveCount; i++) {
      const w = weights[i]!;
      evaluate(nodes[i]!, values);
      for (let k = 0; k < count; k++) positive[k]! += w * values[k]!;
      evaluate(-nodes[i]!, values);
      for (let k = 0; k < count; k++) negative[k]! += w * values[k]!;
    }
    for (let k = 0; k < count; k++)
      values[k] = 0.5 * (positive[k]! / this.halfWeight + negative[k]! / this.halfWeight);
    return values;
  }
}

/**
 * The composite rule for integrands that vary on the length `featureScale` near z = 0 (1/√q for
 * an activation evaluated at √q·z) and may have a kink or jump at z = 0 exactly.
 *
 * @param featureScale > 0; values ≥ 1 mean "smooth on the Gaussian's own scale".
 * @param order Gauss–Legendre nodes per panel.
 */
export function gaussianRule(featureScale = 1, order = DEFAULT_PANEL_ORDER): GaussianRule {
  if (!(featureScale > 0) || !Number.isFinite(featureScale))
    throw new RangeError(`featureScale must be a finite number > 0, got ${featureScale}`);
  const legendre = gaussLegendre(order);
  const first = Math.min(1, featureScale);
  const edges = [0];
  for (let edge = first; edge < GAUSSIAN_CUTOFF; edge *= 2) edges.push(edge);
  edges.push(GAUSSIAN_CUTOFF);
  const panels = edges.length - 1;
  const nodes = new Float64Array(panels * order);
  const weights = new Float64Array(panels * order);
  let halfWeight = 0;
  for (let p = 0; p < panels; p++) {
    const lo = edges[p]!;
    const hi = edges[p + 1]!;
    const centre = 0.5 * (lo + hi);
    const halfWidth = 0.5 * (hi - lo);
    for (let i = 0; i < order; i++) {
      const z = centre + halfWidth * legendre.nodes[i]!;
      const w = halfWidth * legendre.weights[i]! * ONE_OVER_SQRT_2PI * Math.exp(-0.5 * z * z);
      nodes[p * order + i] = z;
      weights[p * order + i] = w;
      halfWeight += w;
    }
  }
  return new GaussianRule(nodes, weights, nodes.length, halfWeight);
}

/** E_{z~N(0,1)}[f(z)] with the composite rule (see gaussianRule). */
export function gaussianExpectation(
  f: (z: number) => number,
  featureScale = 1,
  order = DEFAULT_PANEL_ORDER,
): number {
  return gaussianRule(featureScale, order).expect(f);
}
