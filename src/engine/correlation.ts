/**
 * The correlation map of the mean-field theory: how the correlation between the pre-activations
 * of two inputs changes from one layer to the next, and its stable fixed point c*.
 *
 * Sources: Poole, Lahiri, Raghu, Sohl-Dickstein & Ganguli 2016, eq. 5 (the map) and eq. 7 (its
 * slope at c = 1 is χ₁); Schoenholz, Gilmer, Ganguli & Sohl-Dickstein 2017, eq. 3 (the map),
 * eq. 8 (χ_c) and eq. 9 (ξ_c = −1/ln χ_c).
 *
 * With both inputs at variance q and correlation c in a layer, u₁ = √q·z₁ and
 * u₂ = √q·(c·z₁ + √(1 − c²)·z₂) for independent standard normals z₁, z₂, and the next layer has
 *   c′ = C(c) = (σ_w²·E[φ(u₁)φ(u₂)] + σ_b²) / V(q),   V(q) = σ_w²·E[φ(u₁)²] + σ_b²,
 * which at the variance fixed point q* is (1/q*)·(σ_w²·E[φ(u₁)φ(u₂)] + σ_b²). By Price's theorem
 * (d/dΣ₁₂ E[f(u₁)g(u₂)] = E[f′(u₁)g′(u₂)], with Σ₁₂ = q·c) its slope is
 *   C′(c) = σ_w²·q·E[φ′(u₁)φ′(u₂)] / V(q),
 * which is χ_c = σ_w²·E[φ′(u₁)φ′(u₂)] at q*, and χ₁ at c = 1.
 *
 * Shape of the map on [0, 1]: by Mehler's formula E[φ(u₁)φ(u₂)] = Σₙ (aₙ²/n!)·cⁿ with
 * aₙ = E[φ(√q·z)·Heₙ(z)], a power series with non-negative coefficients, so C is increasing and
 * convex there, with C(0) ≥ 0 and C(1) = 1 (at q*, or normalized by V(q)). So c = 1 is
 * always a fixed point; it is the stable one when C′(1) ≤ 1 (the ordered phase at q*: c* = 1,
 * χ_c = χ₁); when C′(1) > 1 (chaotic) there is exactly one more fixed point c* in [0, 1), with
 * C′(c*) < 1, and it attracts every correlation in [0, 1). This module finds it by Newton's method
 * from c = 0, which on a convex decreasing C(c) − c climbs monotonically to c* without overshoot.
 *
 * A jump of φ (step) makes φ′ contain J·δ(u) for the jump J: Price's theorem needs it, so
 * E[φ′(u₁)φ′(u₂)] here is the distributional one, not the table's derivative (whose step′ = 0 is
 * the chapter's convention for backpropagation, and what χ₁ uses). For step the map is
 * C(c) = (σ_w²·(π − arccos c)/(2π) + σ_b²)/q* with C′(1) = ∞: c = 1 is unstable, c* < 1, even
 * though no gradient passes (χ₁ = 0).
 *
 * The 2-D expectations use bivariateGaussianRule (quadrature.ts), split where u₁ = 0 or u₂ = 0.
 */
import { ACTIVATIONS, type ActivationName } from './activations.ts';
import { bivariateGaussianRule, DEFAULT_BIVARIATE_ORDER, gaussianRule } from './quadrature.ts';

/**
 * J = φ(0⁺) − φ(0⁻): the activations in the table are continuous except for a jump at 0 (step).
 * Sampled at ±1e-300, where a continuous φ differs by ~1e-300 from φ(0): below 1e-200 is 0.
 */
export function activationJump(activation: ActivationName, alpha: number): number {
  const { forward } = ACTIVATIONS[activation];
  const jump = forward(1e-300, alpha) - forward(-1e-300, alpha);
  return Math.abs(jump) < 1e-200 ? 0 : jump;
}

/** The 2-D Gaussian expectations of one layer at variance q and correlation c. */
export interface CorrelationMoments {
  readonly q: number;
  readonly c: number;
  /** E[φ(u₁)φ(u₂)]. */
  readonly productMean: number;
  /**
   * E[φ′(u₁)φ′(u₂)] with φ′ the distributional derivative: for a jump J at 0 it adds
   * 2J·E[φ′(u₂) δ(u₁)] + J²·p(0, 0), with p the bivariate density (Infinity at |c| = 1).
   */
  readonly derivativeProductMean: number;
}

/**
 * E[φ(u₁)φ(u₂)] and E[φ′(u₁)φ′(u₂)] for u₁, u₂ ~ N(0, q) with correlation c, by the 2-D rule
 * with its feature scale 1/√q.
 *
 * @param alpha The activation's parameter, already resolved (resolveAlpha).
 * @param q A finite variance > 0 (theory.ts evaluates the limits q → 0⁺, ∞ at 1e-200, 1e40).
 */
export function correlationMoments(
  activation: ActivationName,
  alpha: number,
  q: number,
  c: number,
  order = DEFAULT_BIVARIATE_ORDER,
): CorrelationMoments {
  if (!(q > 0) || !Number.isFinite(q))
    throw new RangeError(`variance q must be a finite number > 0, got ${q}`);
  const { forward, derivative } = ACTIVATIONS[activation];
  const root = Math.sqrt(q);
  const rule = bivariateGaussianRule(c, Math.min(1, 1 / root), order);
  const [productMean, smoothPart] = rule.expectMany(2, (x1, x2, out) => {
    const u1 = root * x1;
    const u2 = root * x2;
    out[0] = forward(u1, alpha) * forward(u2, alpha);
    out[1] = derivative(u1, alpha) * derivative(u2, alpha);
  });
  let derivativeProductMean = smoothPart!;
  const jump = activationJump(activation, alpha);
  if (jump !== 0) {
    const conditionalVariance = q * (1 - c) * (1 + c);
    if (conditionalVariance === 0) derivativeProductMean = Infinity;
    else {
      // E[φ′(u₂)δ(u₁)] = p_{u₁}(0)·E[φ′(u₂) | u₁ = 0], u₂ | u₁ = 0 ~ N(0, q(1 − c²)); twice, for
      // the two cross terms. p(0, 0) = 1/(2π·√(q²(1 − c²))).
      const conditionalRoot = Math.sqrt(conditionalVariance);
      const conditionalSlope = gaussianRule(Math.min(1, 1 / conditionalRoot)).expect((z) =>
        derivative(conditionalRoot * z, alpha),
      );
      derivativeProductMean +=
        (2 * jump * conditionalSlope) / Math.sqrt(2 * Math.PI * q) +
        (jump * jump) / (2 * Math.PI * root * conditionalRoot);
    }
  }
  return { q, c, productMean: productMean!, derivativeProductMean };
}

/** One layer of the correlation map: the activation and weights, at a fixed variance q. */
export interface CorrelationLayer {
  readonly activation: ActivationName;
  /** The activation's parameter, resolved. */
  readonly alpha: number;
  readonly sigmaW2: number;
  readonly sigmaB2: number;
  /** Both inputs' pre-activation variance in this layer: q* at the fixed point. */
  readonly q: number;
  /** V(q), the next layer's variance and the map's denominator: q* at the fixed point. */
  readonly nextVariance: number;
}

/** C(c) and C′(c). */
export interface CorrelationMapPoint {
  readonly c: number;
  /** C(c): the next layer's correlation. */
  readonly value: number;
  /** C′(c) = σ_w²·q·E[φ′(u₁)φ′(u₂)]/V(q): χ_c where c = c*. */
  readonly slope: number;
}

/** The correlation map C and its slope at c ∈ [−1, 1] (see the module comment). */
export function correlationMap(layer: CorrelationLayer, c: number): CorrelationMapPoint {
  const { productMean, derivativeProductMean } = correlationMoments(
    layer.activation,
    layer.alpha,
    layer.q,
    c,
  );
  return {
    c,
    value: (layer.sigmaW2 * productMean + layer.sigmaB2) / layer.nextVariance,
    slope: (layer.sigmaW2 * layer.q * derivativeProductMean) / layer.nextVariance,
  };
}

/** The stable fixed point of the correlation map below 1. */
export interface ChaoticCorrelation {
  /** c* ∈ [0, 1). */
  readonly cStar: number;
  /** χ_c = C′(c*) < 1. */
  readonly chiC: number;
  /** Newton steps taken (each one 2-D quadrature). */
  readonly iterations: number;
}

/** Newton steps before giving up; near criticality convergence is linear (halving), ~50 steps. */
const MAX_NEWTON_STEPS = 200;

/**
 * c* < 1 for a layer whose map has C′(1) > 1 (the chaotic phase): Newton's method on
 * g(c) = C(c) − c from c = 0. g is convex on [0, 1] with g(0) ≥ 0, so the iterates increase
 * monotonically to c* (quadratically, or linearly when C′(c*) is within rounding of 1). It stops
 * when a step is below 4e-16, when g(c) ≤ 0 (c* reached to rounding), or when g′(c) ≥ 0, which
 * below c* happens only through rounding next to criticality; c* is then accurate to about
 * 1e-15/(1 − χ_c).
 */
export function chaoticCorrelation(layer: CorrelationLayer): ChaoticCorrelation {
  let c = 0;
  let point = correlationMap(layer, c);
  let iterations = 0;
  while (iterations < MAX_NEWTON_STEPS) {
    const excess = point.value - c;
    const descent = 1 - point.slope;
    if (!(excess > 0) || !(descent > 0)) break;
    const step = excess / descent;
    const next = Math.min(c + step, 1);
    if (!(next > c)) break;
    c = next;
    point = correlationMap(layer, c);
    iterations++;
    if (step <= 4e-16) break;
  }
  return { cStar: c, chiC: point.slope, iterations };
}
