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
  if (order !== DEFAULT_PANEL_ORDER) return buildRule(featureScale, order);
  // At the default order, one rule per power of two of the feature scale, rounded down (a first
  // panel up to twice as fine as asked), each built once: the theory evaluates many q, a sweep
  // or a diverging q⁽ˡ⁾ ever larger ones, and building a rule cost more than using it.
  const exponent = featureScale >= 1 ? 0 : Math.floor(Math.log2(featureScale));
  let rule = standardRules.get(exponent);
  if (!rule) {
    rule = buildRule(2 ** exponent, order);
    standardRules.set(exponent, rule);
    if (standardRules.size > MAX_STANDARD_RULES)
      standardRules.delete(standardRules.keys().next().value!);
  }
  return rule;
}

/**
 * The default order's rules by exponent (their arrays are only read), the oldest dropped first
 * beyond MAX_STANDARD_RULES: enough for every q up to the theory's divergence bound (1e60, an
 * exponent of −100), about 3 MB.
 */
const standardRules = new Map<number, GaussianRule>();
const MAX_STANDARD_RULES = 128;

function buildRule(featureScale: number, order: number): GaussianRule {
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

/**
 * Smallest first panel of the 2-D rule, radially and in angle. Where an integrand's feature is
 * narrower (q ≳ 1e30, reached only in the q → ∞ limits of theory.ts), the first panel leaves it
 * unresolved; that panel carries at most ~1e-15 of the total, so the error stays at rounding
 * level, while grading down to the feature itself would cost ~2 panels per factor of 4.
 */
export const MIN_PANEL_WIDTH = 1e-15;

/**
 * Default Gauss–Legendre nodes per panel of the 2-D rule: 16 reach ~1e-16 on the closed forms of
 * tests/engine/correlation.test.ts (12 reach ~1e-15, 8 ~1e-9), with ~45 000 nodes at q ≤ 1.
 */
export const DEFAULT_BIVARIATE_ORDER = 16;

/** Composite Gauss–Legendre on [0, length], panels doubling from both ends toward the middle. */
function gradedFromBothEnds(
  length: number,
  first: number,
  order: number,
): { fromStart: number[]; fromEnd: number[]; weights: number[] } {
  const legendre = gaussLegendre(order);
  const fromStart: number[] = [];
  const fromEnd: number[] = [];
  const weights: number[] = [];
  if (!(length > 0)) return { fromStart, fromEnd, weights };
  const half = 0.5 * length;
  // Panels [e_k, e_{k+1}] measured from one end: 0, h, 2h, 4h, … clipped at the middle.
  const edges = [0];
  for (let edge = Math.min(first, half); edge < half; edge *= 2) edges.push(edge);
  edges.push(half);
  for (let p = 0; p + 1 < edges.length; p++) {
    const lo = edges[p]!;
    const hi = edges[p + 1]!;
    const centre = 0.5 * (lo + hi);
    const halfWidth = 0.5 * (hi - lo);
    for (let i = 0; i < order; i++) {
      const offset = centre + halfWidth * legendre.nodes[i]!;
      const weight = halfWidth * legendre.weights[i]!;
      // The node near the start, and its mirror near the end; each offset is kept exactly from
      // its own end, the other as length − offset.
      fromStart.push(offset);
      fromEnd.push(length - offset);
      weights.push(weight);
      fromStart.push(length - offset);
      fromEnd.push(offset);
      weights.push(weight);
    }
  }
  return { fromStart, fromEnd, weights };
}

/**
 * A rule for E[f(x₁, x₂)] with (x₁, x₂) standard bivariate normal with correlation c (unit
 * variances), for integrands with kinks or jumps where x₁ = 0 or x₂ = 0: the 2-D counterpart of
 * gaussianRule, for the correlation map of the mean-field theory (correlation.ts).
 *
 * Polar coordinates make both kinks breakpoints of a tensor-product rule: with z₁ = r·cos θ,
 * z₂ = r·sin θ and ψ = θ + π/2,
 *   x₁ = z₁ = r·sin ψ,   x₂ = c·z₁ + √(1 − c²)·z₂ = r·sin(ψ − ψ_c),   ψ_c = arccos c ∈ [0, π],
 * so x₁ = 0 on the rays ψ ∈ {0, π} and x₂ = 0 on ψ ∈ {ψ_c, ψ_c + π}, whatever c is, and the
 * density is e^{−r²/2}·r dr dψ/(2π). The angle is split at those four rays into arcs
 * [0, ψ_c], [ψ_c, π] and their mirror images ψ + π (where x₁, x₂ change sign); each arc gets
 * panels graded geometrically from both ends (first width min(1, featureScale)/12: at radius
 * r ≤ 12 an activation φ(√q·x) turns over within an angle ~1/(√q·r) of the ray where x = 0, and
 * its complex singularities lie straight above the ray, the geometry of gaussianRule's argument).
 * The radius gets gaussianRule's panels [0, s], [s, 2s], … up to 12 with s = min(1, featureScale);
 * on each arc the integrand is analytic in r for every activation in the table (a product of
 * linear pieces for ReLU-like ones, r²-homogeneous).
 *
 * sin ψ and sin(ψ − ψ_c) are computed from each node's distance to the nearer end of its arc,
 * so they are exact zeros at the rays and keep full relative accuracy next to them, also when
 * c → ±1 and two rays nearly meet.
 *
 * Both factors are self-normalized (Σ radial weights = 1, Σ angular weights = 1), so constants
 * are integrated to rounding (~1e-15, the sum of ~45 000 terms). Accuracy (tests/engine/correlation.test.ts): ~1e-15 against the
 * closed forms E[x₁x₂] = c, the arc-cosine kernels of Cho & Saul for ReLU and step, and
 * E[erf(a x₁)erf(a x₂)] = (2/π)·arcsin(2a²c/(1 + 2a²)), with geometric convergence in `order`.
 */
export class BivariateGaussianRule {
  constructor(
    readonly correlation: number,
    /** Radii and their weights (Σ = 1). */
    readonly radii: Float64Array,
    readonly radialWeights: Float64Array,
    /** Per angular node: x₁/r = sin ψ, x₂/r = sin(ψ − ψ_c), and its weight (Σ = 1). */
    readonly firstDirection: Float64Array,
    readonly secondDirection: Float64Array,
    readonly angularWeights: Float64Array,
  ) {}

  /** Nodes in the tensor product: radial × angular. */
  get size(): number {
    return this.radii.length * this.angularWeights.length;
  }

  /** E[f(x₁, x₂)]. */
  expect(f: (x1: number, x2: number) => number): number {
    return this.expectMany(1, (x1, x2, out) => {
      out[0] = f(x1, x2);
    })[0]!;
  }

  /**
   * Several expectations in one pass: `evaluate(x1, x2, out)` writes f_1 … f_k to out[0 … k−1];
   * the result holds E[f_1] … E[f_k].
   */
  expectMany(
    count: number,
    evaluate: (x1: number, x2: number, out: Float64Array) => void,
  ): Float64Array {
    const { radii, radialWeights, firstDirection, secondDirection, angularWeights } = this;
    const values = new Float64Array(count);
    const ring = new Float64Array(count);
    const total = new Float64Array(count);
    for (let i = 0; i < radii.length; i++) {
      const r = radii[i]!;
      ring.fill(0);
      for (let j = 0; j < angularWeights.length; j++) {
        evaluate(r * firstDirection[j]!, r * secondDirection[j]!, values);
        const w = angularWeights[j]!;
        for (let k = 0; k < count; k++) ring[k]! += w * values[k]!;
      }
      const w = radialWeights[i]!;
      for (let k = 0; k < count; k++) total[k]! += w * ring[k]!;
    }
    return total;
  }
}

/**
 * The 2-D rule for correlation c ∈ [−1, 1] and integrands varying on the length `featureScale`
 * near the kink lines (1/√q for activations evaluated at √q·x). See BivariateGaussianRule.
 *
 * @param order Gauss–Legendre nodes per panel, radially and in angle.
 */
export function bivariateGaussianRule(
  correlation: number,
  featureScale = 1,
  order = DEFAULT_BIVARIATE_ORDER,
): BivariateGaussianRule {
  if (!(Math.abs(correlation) <= 1))
    throw new RangeError(`correlation must be a number from −1 to 1, got ${correlation}`);
  if (!(featureScale > 0) || !Number.isFinite(featureScale))
    throw new RangeError(`featureScale must be a finite number > 0, got ${featureScale}`);
  const scale = Math.max(Math.min(1, featureScale), MIN_PANEL_WIDTH);
  // Radial factor: ∫ r e^{−r²/2} dr over 0 … 12, panels as in gaussianRule.
  const legendre = gaussLegendre(order);
  const edges = [0];
  for (let edge = scale; edge < GAUSSIAN_CUTOFF; edge *= 2) edges.push(edge);
  edges.push(GAUSSIAN_CUTOFF);
  const radii = new Float64Array((edges.length - 1) * order);
  const radialWeights = new Float64Array(radii.length);
  let radialSum = 0;
  for (let p = 0; p + 1 < edges.length; p++) {
    const centre = 0.5 * (edges[p]! + edges[p + 1]!);
    const halfWidth = 0.5 * (edges[p + 1]! - edges[p]!);
    for (let i = 0; i < order; i++) {
      const r = centre + halfWidth * legendre.nodes[i]!;
      const w = halfWidth * legendre.weights[i]! * r * Math.exp(-0.5 * r * r);
      radii[p * order + i] = r;
      radialWeights[p * order + i] = w;
      radialSum += w;
    }
  }
  for (let i = 0; i < radialWeights.length; i++) radialWeights[i]! /= radialSum;

  // Angular factor: ψ_c = arccos c from √(1 − c²) = √((1 − c)(1 + c)), accurate near c = ±1.
  const psiC = Math.atan2(Math.sqrt((1 - correlation) * (1 + correlation)), correlation);
  const firstAngle = Math.min(1, featureScale) / GAUSSIAN_CUTOFF;
  const angularFirst = Math.max(firstAngle, MIN_PANEL_WIDTH);
  // Arc [0, ψ_c]: sin ψ = sin(from start), sin(ψ − ψ_c) = −sin(to end).
  // Arc [ψ_c, π]: sin ψ = sin(π − ψ) = sin(to end), sin(ψ − ψ_c) = sin(from start).
  const lower = gradedFromBothEnds(psiC, angularFirst, order);
  const upper = gradedFromBothEnds(Math.PI - psiC, angularFirst, order);
  const half = lower.weights.length + upper.weights.length;
  const firstDirection = new Float64Array(2 * half);
  const secondDirection = new Float64Array(2 * half);
  const angularWeights = new Float64Array(2 * half);
  let angularSum = 0;
  const put = (index: number, first: number, second: number, weight: number): void => {
    // ψ and its mirror ψ + π, where both directions change sign.
    firstDirection[index] = first;
    secondDirection[index] = second;
    angularWeights[index] = weight;
    firstDirection[index + half] = -first;
    secondDirection[index + half] = -second;
    angularWeights[index + half] = weight;
    angularSum += 2 * weight;
  };
  lower.weights.forEach((w, i) =>
    put(i, Math.sin(lower.fromStart[i]!), -Math.sin(lower.fromEnd[i]!), w),
  );
  upper.weights.forEach((w, i) =>
    put(lower.weights.length + i, Math.sin(upper.fromEnd[i]!), Math.sin(upper.fromStart[i]!), w),
  );
  for (let j = 0; j < angularWeights.length; j++) angularWeights[j]! /= angularSum;
  return new BivariateGaussianRule(
    correlation,
    radii,
    radialWeights,
    firstDirection,
    secondDirection,
    angularWeights,
  );
}

/** E[f(x₁, x₂)] for standard normals with correlation c, by bivariateGaussianRule. */
export function bivariateGaussianExpectation(
  f: (x1: number, x2: number) => number,
  correlation: number,
  featureScale = 1,
  order = DEFAULT_BIVARIATE_ORDER,
): number {
  return bivariateGaussianRule(correlation, featureScale, order).expect(f);
}
