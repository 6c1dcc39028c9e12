/**
 * Mean-field theory of signal and gradient propagation in deep random networks, for the init
 * W ~ N(0, σ_w²/n_in), b ~ N(0, σ_b²) (init `custom`).
 *
 * Sources:
 * - Poole, Lahiri, Raghu, Sohl-Dickstein & Ganguli 2016, "Exponential expressivity in deep neural
 *   networks through transient chaos", eq. 3 (the variance map) and eq. 7 (χ₁).
 * - Schoenholz, Gilmer, Ganguli & Sohl-Dickstein 2017, "Deep information propagation", eq. 5
 *   (ξ_q), eqs. 8–9 (χ_c and ξ_c = −1/ln χ_c at the correlation fixed point c*: c* = 1 and
 *   χ_c = χ₁ in the ordered phase, c* < 1 in the chaotic phase; correlation.ts) and §5
 *   (gradients: ‖δ⁽ˡ⁾‖² ∝ exp(−(L−l)/ξ_∇), ξ_∇⁻¹ = −ln χ₁).
 *
 * With h⁽ˡ⁾ = W⁽ˡ⁾φ(h⁽ˡ⁻¹⁾) + b⁽ˡ⁾ and q⁽ˡ⁾ the variance of a pre-activation of layer l:
 *   q⁽¹⁾   = σ_w²·⟨x²⟩ + σ_b²                        (⟨x²⟩: mean square of the input units)
 *   q⁽ˡ⁺¹⁾ = V(q⁽ˡ⁾) = σ_w²·E[φ(√q⁽ˡ⁾ z)²] + σ_b²     (z ~ N(0, 1))
 *   χ₁     = σ_w²·E[φ′(√q* z)²]                      at the fixed point q* = V(q*).
 * Backpropagation multiplies ‖δ‖² by σ_w²·E[φ′(√q⁽ˡ⁾ z)²] per layer (the weights' factor σ_w² is
 * independent of the layer widths for this init), so ‖δ⁽ˡ⁾‖ ∝ χ₁^{(L−l)/2} once q⁽ˡ⁾ ≈ q*.
 *
 * Expectations use the composite quadrature of quadrature.ts (1-D, and 2-D for the correlation
 * map); activations come from the one table in activations.ts.
 */
import { ACTIVATIONS, resolveAlpha, type ActivationName } from './activations.ts';
import {
  activationJump,
  chaoticCorrelation,
  correlationMap,
  type CorrelationLayer,
  type CorrelationMapPoint,
} from './correlation.ts';
import { INITS } from './inits.ts';
import { gaussianRule } from './quadrature.ts';
import { firstRootSteps, refineRoot, runSteps, type Steps } from './roots.ts';
import { SpecError, type RunSpec } from './spec.ts';

/** The parameters the mean-field theory depends on. */
export interface MeanFieldParams {
  readonly activation: ActivationName;
  /** The activation's parameter (leaky_relu, elu); its default when omitted. */
  readonly alpha?: number;
  /** Weight scale: W ~ N(0, σ_w²/n_in). */
  readonly sigmaW: number;
  /** Bias std: b ~ N(0, σ_b²). */
  readonly sigmaB: number;
  /**
   * ⟨x²⟩, the mean square of the input units, so q⁽¹⁾ = σ_w²⟨x²⟩ + σ_b². Default 1: gradlab's
   * inputs are standard normal.
   */
  readonly inputMeanSquare?: number;
}

/** Gaussian expectations of the activation at pre-activation variance q. */
export interface ActivationMoments {
  readonly q: number;
  /** E[φ(√q z)]. */
  readonly mean: number;
  /** E[φ(√q z)²]. */
  readonly meanSquare: number;
  /** E[φ′(√q z)²]. */
  readonly derivativeMeanSquare: number;
  /**
   * d/dq E[φ(√q z)²] = E[z·φ(√q z)·φ′(√q z)]/√q (Stein's lemma turns it into E[φ′² + φφ″], the
   * form of Schoenholz et al. eq. 5, without needing φ″). At q = 0 the limit φ′(0)²·[φ(0) = 0].
   */
  readonly meanSquareSlope: number;
}

/** Where q⁽ˡ⁾ goes. */
export type FixedPointKind =
  /** A finite q* > 0 (or q* = q⁽¹⁾ where every q is fixed, as for linear at σ_w = 1, σ_b = 0). */
  | 'finite'
  /** q⁽ˡ⁾ → 0: σ_b = 0, φ(0) = 0 and the map contracts (tanh with σ_w ≤ 1, ReLU with σ_w² < 2). */
  | 'zero'
  /** q⁽ˡ⁾ → ∞: no finite fixed point (linear with σ_w > 1, or σ_w = 1 and σ_b > 0; ReLU, σ_w² ≥ 2). */
  | 'divergent';

export interface FixedPoint {
  readonly kind: FixedPointKind;
  /** q*; 0 for 'zero', Infinity for 'divergent'. */
  readonly qStar: number;
  /** q⁽¹⁾, where the iteration starts. */
  readonly qFirst: number;
  /** V′(q*): the fixed point attracts when |V′(q*)| < 1; NaN when divergent. */
  readonly slope: number;
}

/** Ordered: gradients vanish toward the input. Chaotic: they explode. */
export type Phase = 'ordered' | 'critical' | 'chaotic';

/**
 * Depth scales, in layers. Schoenholz et al. write ξ⁻¹ = −ln(rate); all are reported here as
 * positive lengths, with the direction given by `gradientTrend`.
 */
export interface DepthScales {
  /**
   * ξ_∇ = 1/|ln χ₁|: the number of layers over which ‖δ‖² changes by a factor e. Toward the input
   * it shrinks (χ₁ < 1, 'vanishing'; Schoenholz et al. §5: ξ_∇⁻¹ = −ln χ₁) or grows (χ₁ > 1,
   * 'exploding': then it is the growth length 1/ln χ₁). Infinity at criticality; 0 when χ₁ = 0
   * (the step function: no gradient at all).
   */
  readonly gradient: number;
  readonly gradientTrend: 'vanishing' | 'critical' | 'exploding' | 'zero';
  /**
   * ξ_c = −1/ln χ_c, the depth over which the correlation between two inputs' pre-activations
   * reaches its fixed point c*: |c⁽ˡ⁾ − c*| shrinks by e every ξ_c layers (Schoenholz et al.
   * eq. 9). Ordered phase: c* = 1 and χ_c = χ₁, so ξ_c = ξ_∇. Chaotic phase: c* < 1 and
   * χ_c = C′(c*) < 1, a finite ξ_c. Infinity where χ_c = 1: at criticality, and where q⁽ˡ⁾ → 0 or
   * ∞ (see MeanFieldTheory.chiC). 0 when χ_c = 0 (step).
   */
  readonly correlation: number;
  /**
   * ξ_q = −1/ln|V′(q*)|: the depth over which q⁽ˡ⁾ reaches q* (Schoenholz et al. eq. 5). Infinity
   * when |V′(q*)| = 1 (every q fixed); NaN when q diverges.
   */
  readonly variance: number;
}

export interface MeanFieldTheory {
  readonly activation: ActivationName;
  readonly alpha: number;
  readonly sigmaW: number;
  readonly sigmaB: number;
  readonly fixedPoint: FixedPoint;
  /** q*, as in fixedPoint. */
  readonly qStar: number;
  /**
   * χ₁ = σ_w²·E[φ′(√q* z)²]; for q* = 0 the limit q → 0⁺, for a divergent q the limit q → ∞ (the
   * per-layer gradient factor that deep layers approach).
   */
  readonly chi1: number;
  readonly phase: Phase;
  /**
   * ξ_∇ = 1/|ln χ₁| (DepthScales.gradient): the one number the CLI calls `depthScale`. Read it
   * with depthScales.gradientTrend: vanishing for χ₁ < 1, exploding for χ₁ > 1.
   */
  readonly depthScale: number;
  readonly depthScales: DepthScales;
  /**
   * c*, the stable fixed point of the correlation map C(c) = (σ_w²·E[φ(u₁)φ(u₂)] + σ_b²)/q*
   * (correlation.ts): 1 in the ordered phase and at criticality, in [0, 1) in the chaotic phase.
   * Also < 1 for step, which passes no gradient (χ₁ = 0) but whose jump makes C′(1) infinite.
   */
  readonly cStar: number;
  /**
   * χ_c = C′(c*) = σ_w²·E[φ′(u₁)φ′(u₂)] at c*: χ₁ in the ordered phase, < 1 in the chaotic phase.
   * Where q* is not finite the map is taken in its limit, normalized by the next layer's variance
   * (C(c) = (σ_w²·E[φ(u₁)φ(u₂)] + σ_b²)/V(q), q → 0⁺ or ∞, as for χ₁): there every activation in
   * the table is, to leading order, linear (q → 0⁺) or positively homogeneous (q → ∞, ReLU-like),
   * so C′(1) = 1, c* = 1 and χ_c = 1: correlations approach 1 more slowly than any exponential.
   */
  readonly chiC: number;
}

/** χ₁ within this of 1 counts as critical: the quadrature's own accuracy is ~1e-15. */
export const CRITICAL_TOLERANCE = 1e-12;

/** Where the fixed-point search gives up: q above this is 'divergent'. */
const Q_DIVERGENT = 1e60;
/** Below this the search calls q* zero (when V(0) = 0). */
const Q_ZERO = 1e-200;
/** q at which the limits q → 0⁺ and q → ∞ are evaluated. */
const Q_LIMIT_SMALL = 1e-200;
const Q_LIMIT_LARGE = 1e40;

function resolved(params: MeanFieldParams): {
  forward: (x: number, alpha: number) => number;
  derivative: (x: number, alpha: number) => number;
  alpha: number;
  sigmaW2: number;
  sigmaB2: number;
} {
  const { sigmaW, sigmaB } = params;
  if (!(sigmaW > 0) || !Number.isFinite(sigmaW))
    throw new SpecError('sigma-w', `got ${sigmaW}; allowed: a finite number > 0`);
  if (!(sigmaB >= 0) || !Number.isFinite(sigmaB))
    throw new SpecError('sigma-b', `got ${sigmaB}; allowed: a finite number ≥ 0`);
  const activation = ACTIVATIONS[params.activation];
  if (!activation) throw new SpecError('activation', `unknown activation ${params.activation}`);
  return {
    forward: activation.forward,
    derivative: activation.derivative,
    alpha: resolveAlpha(params.activation, params.alpha),
    sigmaW2: sigmaW * sigmaW,
    sigmaB2: sigmaB * sigmaB,
  };
}

/** E[φ], E[φ²], E[φ′²] and dE[φ²]/dq at variance q ≥ 0, by quadrature. */
export function activationMoments(
  activation: ActivationName,
  alpha: number | undefined,
  q: number,
): ActivationMoments {
  if (!(q >= 0) || !Number.isFinite(q))
    throw new RangeError(`variance q must be a finite number ≥ 0, got ${q}`);
  const { forward, derivative } = ACTIVATIONS[activation];
  const a = resolveAlpha(activation, alpha);
  // q = 0 is the limit q → 0⁺: a kinked φ′ (ReLU) has E[φ′(√q z)²] = ½ for every q > 0.
  const qEval = q === 0 ? Q_LIMIT_SMALL : q;
  const root = Math.sqrt(qEval);
  const rule = gaussianRule(Math.min(1, 1 / root));
  const [mean, meanSquare, derivativeMeanSquare, zProduct] = rule.expectMany(4, (z, out) => {
    const value = forward(root * z, a);
    const slope = derivative(root * z, a);
    out[0] = value;
    out[1] = value * value;
    out[2] = slope * slope;
    out[3] = z * value * slope;
  });
  return {
    q,
    mean: q === 0 ? forward(0, a) : mean!,
    meanSquare: q === 0 ? forward(0, a) ** 2 : meanSquare!,
    derivativeMeanSquare: derivativeMeanSquare!,
    meanSquareSlope: zProduct! / root,
  };
}

/** The variance map V(q) = σ_w²·E[φ(√q z)²] + σ_b² (Poole et al. eq. 3). */
export function varianceMap(params: MeanFieldParams, q: number): number {
  const { sigmaW2, sigmaB2, alpha } = resolved(params);
  return sigmaW2 * activationMoments(params.activation, alpha, q).meanSquare + sigmaB2;
}

/** q⁽¹⁾ = σ_w²⟨x²⟩ + σ_b². */
export function firstLayerVariance(params: MeanFieldParams): number {
  const { sigmaW2, sigmaB2 } = resolved(params);
  const meanSquare = params.inputMeanSquare ?? 1;
  if (!(meanSquare >= 0) || !Number.isFinite(meanSquare))
    throw new SpecError('input-mean-square', `got ${meanSquare}; allowed: a finite number ≥ 0`);
  return sigmaW2 * meanSquare + sigmaB2;
}

/** The per-layer gradient factor σ_w²·E[φ′(√q z)²] at variance q (χ₁ when q = q*). */
export function gradientFactor(params: MeanFieldParams, q: number): number {
  const { sigmaW2, alpha } = resolved(params);
  if (q === Infinity)
    return (
      sigmaW2 * activationMoments(params.activation, alpha, Q_LIMIT_LARGE).derivativeMeanSquare
    );
  return sigmaW2 * activationMoments(params.activation, alpha, q).derivativeMeanSquare;
}

/**
 * q⁽¹⁾ … q⁽ᵏ⁾ by iterating the variance map: the pre-activation variance of each hidden layer.
 * Values that overflow become Infinity.
 */
export function varianceSequence(params: MeanFieldParams, layers: number): Float64Array {
  if (!Number.isInteger(layers) || layers < 1)
    throw new SpecError('depth', `got ${layers}; allowed: an integer ≥ 1`);
  const out = new Float64Array(layers);
  let q = firstLayerVariance(params);
  for (let l = 0; l < layers; l++) {
    out[l] = q;
    q = Number.isFinite(q) && q < Q_LIMIT_LARGE ? varianceMap(params, q) : Infinity;
  }
  return out;
}

/**
 * The fixed point the iteration q⁽ˡ⁺¹⁾ = V(q⁽ˡ⁾) reaches from q⁽¹⁾. V is increasing in q for every
 * activation in the table (checked in tests/engine/theory.test.ts), so the iterates move
 * monotonically toward the nearest root of V(q) − q in the direction of V(q⁽¹⁾) − q⁽¹⁾. That root
 * is bracketed by stepping q by factors of 4 (down) or 16 (up) and then refined to 1e-15 relative
 * (roots.ts), which is faster than iterating and does not stall near criticality (where iterates
 * creep like 1/l).
 * If the upward search passes 1e60 the map has no finite fixed point: 'divergent'. If the
 * downward search passes 1e-200 and V(0) = 0: 'zero'.
 */
export function fixedPoint(params: MeanFieldParams): FixedPoint {
  const { sigmaW2, sigmaB2, alpha, forward } = resolved(params);
  const moments = (q: number): ActivationMoments => activationMoments(params.activation, alpha, q);
  const excess = (q: number): number => sigmaW2 * moments(q).meanSquare + sigmaB2 - q;
  const slopeAt = (q: number): number => sigmaW2 * moments(q).meanSquareSlope;
  const qFirst = firstLayerVariance(params);
  const valueAtZero = sigmaB2 + sigmaW2 * forward(0, alpha) ** 2;
  const result = (kind: FixedPointKind, qStar: number): FixedPoint => ({
    kind,
    qStar,
    qFirst,
    slope: kind === 'divergent' ? NaN : slopeAt(qStar),
  });
  if (qFirst === 0 && valueAtZero === 0) return result('zero', 0);
  // q⁽¹⁾ beyond f64 (σ_w²⟨x²⟩ overflowed): search from the largest double instead; a bounded φ
  // (tanh, sigmoid) still brings the iterates down to a finite q*.
  const start = qFirst === 0 ? valueAtZero : Math.min(qFirst, Number.MAX_VALUE);
  const startExcess = excess(start);
  if (Math.abs(startExcess) <= 1e-14 * start) return result('finite', start);
  // Bracket [lo, hi] with excess(lo) > 0 > excess(hi). Near q = 0 with V(0) = 0 an excess within
  // rounding of zero (|V(q) − q| ≤ 1e-12·q) does not count as a root: tanh at σ_w = 1, σ_b = 0
  // has V(q) − q ≈ −2q², below rounding for q < 1e-12, and its q⁽ˡ⁾ → 0.
  // The excess at lo and hi, where known (NaN: evaluated before refining).
  let lo: number;
  let hi: number;
  let loExcess: number;
  let hiExcess: number;
  if (startExcess > 0) {
    // V increasing and V(q) > q imply q* ≥ V(q): jump there, then step by 16.
    lo = start;
    loExcess = startExcess;
    hi = 16 * (start + startExcess);
    // An excess within rounding of zero (V(q) = q·(1 ± 1e-16) + σ_b² for linear at σ_w = 1)
    // is not a root either: the map is then the identity plus a positive drift.
    for (;;) {
      // A bracket that overflows f64 (a huge q⁽¹⁾) is past any finite fixed point as well.
      if (hi === Infinity) return result('divergent', Infinity);
      const e = excess(hi);
      if (e < -1e-12 * hi) {
        hiExcess = e;
        break;
      }
      if (hi > Q_DIVERGENT) return result('divergent', Infinity);
      if (e > 0) {
        lo = hi + e;
        loExcess = NaN;
      }
      hi = 16 * Math.max(lo, hi);
    }
  } else {
    hi = start;
    hiExcess = startExcess;
    lo = start / 4;
    for (;;) {
      const e = excess(lo);
      if (e > (valueAtZero === 0 ? 1e-12 * lo : 0)) {
        loExcess = e;
        break;
      }
      if (lo < Q_ZERO) {
        if (valueAtZero === 0) return result('zero', 0);
        lo = 0;
        loExcess = valueAtZero;
        break;
      }
      hi = lo;
      hiExcess = e;
      lo /= 4;
    }
  }
  if (Number.isNaN(loExcess)) loExcess = excess(lo);
  if (loExcess === 0) return result('finite', lo);
  // Searching down toward V(0) = 0, hi may have an excess within rounding of zero but not below
  // it (|V(q) − q| ≤ 1e-12·q): hi is then a fixed point to rounding, and there is no sign change
  // to refine.
  if (!(hiExcess < 0)) return result('finite', hi);
  return result('finite', refineRoot(excess, lo, loExcess, hi, hiExcess, { relative: 1e-15 }));
}

function phaseOf(chi1: number): Phase {
  if (Math.abs(chi1 - 1) <= CRITICAL_TOLERANCE) return 'critical';
  return chi1 < 1 ? 'ordered' : 'chaotic';
}

/**
 * χ₁ alone, without the correlation fixed point's 2-D quadrature (which meanFieldTheory adds):
 * for scans over (σ_w, σ_b) such as the critical line.
 */
export function meanFieldChi1(params: MeanFieldParams): number {
  return gradientFactor(params, fixedPoint(params).qStar);
}

/**
 * The layer whose correlation map the theory solves: at q = q*, divided by q* (Schoenholz et al.
 * eq. 3). Where q* is 0 or ∞ the limit q → 0⁺ or ∞ (evaluated at 1e-200 or 1e40, as χ₁ is),
 * divided by V(q), the next layer's variance, so that C(1) = 1 stays true.
 */
export function correlationLayer(
  params: MeanFieldParams,
  fixed: FixedPoint = fixedPoint(params),
): CorrelationLayer {
  const { sigmaW2, sigmaB2, alpha } = resolved(params);
  const base = { activation: params.activation, alpha, sigmaW2, sigmaB2 };
  if (fixed.kind === 'finite') return { ...base, q: fixed.qStar, nextVariance: fixed.qStar };
  const q = fixed.kind === 'zero' ? Q_LIMIT_SMALL : Q_LIMIT_LARGE;
  return { ...base, q, nextVariance: varianceMap(params, q) };
}

/** C(c) and C′(c), the correlation map of correlationLayer(params), at c ∈ [−1, 1]. */
export function correlationMapOf(params: MeanFieldParams, c: number): CorrelationMapPoint {
  if (!(Math.abs(c) <= 1))
    throw new SpecError('correlation', `got ${c}; allowed: a number from −1 to 1`);
  return correlationMap(correlationLayer(params), c);
}

/** c* and χ_c (see MeanFieldTheory.cStar, chiC). */
function correlationFixedPoint(
  params: MeanFieldParams,
  fixed: FixedPoint,
  chi1: number,
): { cStar: number; chiC: number } {
  const layer = correlationLayer(params, fixed);
  // C′(1) = σ_w²·q·E[φ′(√q z)²]/V(q), from the 1-D moments: χ₁ itself at a finite q*, and
  // infinite for a φ with a jump (step), whose φ′ has a δ there (correlation.ts).
  const slopeAtOne =
    activationJump(params.activation, layer.alpha) !== 0
      ? Infinity
      : fixed.kind === 'finite'
        ? chi1
        : (layer.sigmaW2 *
            layer.q *
            activationMoments(params.activation, layer.alpha, layer.q).derivativeMeanSquare) /
          layer.nextVariance;
  if (slopeAtOne <= 1 + CRITICAL_TOLERANCE) return { cStar: 1, chiC: slopeAtOne };
  const { cStar, chiC } = chaoticCorrelation(layer);
  return { cStar, chiC };
}

/** −1/ln χ for a contraction rate χ ∈ [0, 1]: Infinity within CRITICAL_TOLERANCE of 1, 0 at 0. */
function contractionDepth(rate: number): number {
  if (Math.abs(rate - 1) <= CRITICAL_TOLERANCE) return Infinity;
  if (rate === 0) return 0;
  return -1 / Math.log(rate);
}

/** Everything at once: q*, χ₁, the phase, c*, χ_c and the depth scales. */
export function meanFieldTheory(params: MeanFieldParams): MeanFieldTheory {
  const { alpha } = resolved(params);
  const fixed = fixedPoint(params);
  const chi1 = gradientFactor(params, fixed.qStar);
  const phase = phaseOf(chi1);
  const logChi = Math.log(chi1);
  const gradient = phase === 'critical' ? Infinity : 1 / Math.abs(logChi);
  const gradientTrend =
    chi1 === 0
      ? 'zero'
      : phase === 'critical'
        ? 'critical'
        : phase === 'ordered'
          ? 'vanishing'
          : 'exploding';
  const { cStar, chiC } = correlationFixedPoint(params, fixed, chi1);
  const slope = Math.abs(fixed.slope);
  const variance =
    fixed.kind === 'divergent'
      ? NaN
      : Math.abs(slope - 1) <= CRITICAL_TOLERANCE
        ? Infinity
        : -1 / Math.log(slope);
  return {
    activation: params.activation,
    alpha,
    sigmaW: params.sigmaW,
    sigmaB: params.sigmaB,
    fixedPoint: fixed,
    qStar: fixed.qStar,
    chi1,
    phase,
    depthScale: gradient,
    depthScales: {
      gradient,
      gradientTrend,
      // In the ordered phase χ_c = χ₁: the same number as ξ_∇ to the bit.
      correlation: cStar === 1 && chiC === chi1 ? gradient : contractionDepth(chiC),
      variance,
    },
    cStar,
    chiC,
  };
}

/** Predicted per-layer gradient norms, relative to the output layer's. */
export interface GradientPrediction {
  /** Layers L = depth + 1 (the output layer is L). */
  readonly layers: number;
  /** q⁽¹⁾ … q⁽ᴸ⁻¹⁾: the hidden layers' pre-activation variances. */
  readonly variances: Float64Array;
  /** ‖δ⁽ˡ⁾‖/‖δ⁽ᴸ⁾‖ = χ₁^{(L−l)/2}, index l − 1 (the formula, from q* on). */
  readonly atFixedPoint: Float64Array;
  /**
   * ‖δ⁽ˡ⁾‖/‖δ⁽ᴸ⁾‖ = Π_{k=l}^{L−1} (σ_w²·E[φ′(√q⁽ᵏ⁾ z)²])^{1/2}, index l − 1: the same product with
   * each layer's own q⁽ᵏ⁾, which also covers the transient while q⁽ˡ⁾ approaches q*.
   */
  readonly layerwise: Float64Array;
}

/**
 * The predicted gradient-norm curve of a network with `depth` hidden layers and a linear output
 * layer: ‖δ⁽ˡ⁾‖ = ‖W⁽ˡ⁺¹⁾ᵀδ⁽ˡ⁺¹⁾ ⊙ φ′(h⁽ˡ⁾)‖ shrinks or grows by √(σ_w²·E[φ′(√q⁽ˡ⁾ z)²]) per layer.
 */
export function predictGradientNorms(params: MeanFieldParams, depth: number): GradientPrediction {
  const layers = depth + 1;
  const variances = varianceSequence(params, depth);
  const chi1 = meanFieldChi1(params);
  const atFixedPoint = new Float64Array(layers);
  const layerwise = new Float64Array(layers);
  atFixedPoint[layers - 1] = 1;
  layerwise[layers - 1] = 1;
  for (let l = layers - 1; l >= 1; l--) {
    atFixedPoint[l - 1] = chi1 ** ((layers - l) / 2);
    layerwise[l - 1] = layerwise[l]! * Math.sqrt(gradientFactor(params, variances[l - 1]!));
  }
  return { layers, variances, atFixedPoint, layerwise };
}

/** The hidden layers' σ_w for an init whose weights are i.i.d. (or orthogonal) in a square layer. */
export function effectiveSigmaW(spec: Pick<RunSpec, 'init' | 'width' | 'gain' | 'sigmaW'>): number {
  const init = INITS[spec.init];
  const scale = init.scale(spec.width, spec.width, { gain: spec.gain, sigmaW: spec.sigmaW });
  switch (init.distribution) {
    case 'normal':
      return scale * Math.sqrt(spec.width);
    case 'uniform':
      // U(−a, a) has variance a²/3.
      return scale * Math.sqrt(spec.width / 3);
    case 'orthogonal':
      // A square orthogonal matrix times g preserves ‖x‖² up to g², as σ_w = g does on average.
      return scale;
  }
}

/** The mean-field parameters of a run spec's hidden layers. */
export function meanFieldParamsOf(spec: RunSpec): MeanFieldParams {
  return {
    activation: spec.activation,
    alpha: spec.alpha,
    sigmaW: effectiveSigmaW(spec),
    sigmaB: spec.sigmaB,
  };
}

/** A σ_w² interval to search for the critical line, and the scan's resolution. */
export interface CriticalSearch {
  readonly sigmaW2Min: number;
  readonly sigmaW2Max: number;
  /** Log-spaced scan points before the refinement (default 48). */
  readonly scanSteps?: number;
}

/**
 * The σ_w² at which χ₁ = 1 for a given σ_b² (the order-to-chaos line of Poole et al. fig. 2 and
 * Schoenholz et al. fig. 1): the first sign change of χ₁ − 1 on a log-spaced scan of
 * [sigmaW2Min, sigmaW2Max], refined (roots.ts) to 1e-12 relative. null when χ₁ − 1 does not
 * change sign there (e.g. step, whose χ₁ is 0; or a range entirely inside one phase).
 */
export function criticalSigmaW2(
  activation: ActivationName,
  alpha: number | undefined,
  sigmaB2: number,
  search: CriticalSearch,
): number | null {
  return runSteps(criticalSigmaW2Steps(activation, alpha, sigmaB2, search));
}

/** criticalSigmaW2, yielding after each evaluation of χ₁ (roots.ts Steps). */
export function* criticalSigmaW2Steps(
  activation: ActivationName,
  alpha: number | undefined,
  sigmaB2: number,
  search: CriticalSearch,
): Steps<number | null> {
  const { sigmaW2Min, sigmaW2Max } = search;
  const steps = search.scanSteps ?? 48;
  if (!(sigmaW2Min > 0) || !(sigmaW2Max >= sigmaW2Min) || !Number.isFinite(sigmaW2Max))
    throw new RangeError(`σ_w² search range must satisfy 0 < min ≤ max < ∞`);
  if (!(sigmaB2 >= 0) || !Number.isFinite(sigmaB2))
    throw new RangeError(`σ_b² must be a finite number ≥ 0, got ${sigmaB2}`);
  const sigmaB = Math.sqrt(sigmaB2);
  const excess = (sigmaW2: number): number =>
    meanFieldChi1({ activation, alpha, sigmaW: Math.sqrt(sigmaW2), sigmaB }) - 1;
  const ratio = steps > 0 ? (sigmaW2Max / sigmaW2Min) ** (1 / steps) : 1;
  const scan = Array.from({ length: steps + 1 }, (_, i) =>
    i === 0 ? sigmaW2Min : i === steps ? sigmaW2Max : sigmaW2Min * ratio ** i,
  );
  return yield* firstRootSteps(excess, scan, { relative: 1e-12 });
}
