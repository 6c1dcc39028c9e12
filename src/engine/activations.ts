/**
 * The one table of activations. Each entry holds the function and its derivative side by side,
 * in TypeScript (f64, the reference) and in WGSL (f32, for the GPU kernels), with the formula
 * as TeX. Nothing else in gradlab lists activations: the CLI, the parser, the kernels and the
 * UI all read this table.
 *
 * Numerical care (chapter §17.1–17.4, and the stable forms used by scipy.special.expit):
 * - sigmoid never evaluates e^{+x} for large x, so σ(−1000) is 0, not NaN;
 * - derivatives that the textbook writes as σ(1 − σ) or 1 − tanh² are computed in forms that keep
 *   their relative accuracy in the tails (e^{−|x|}/(1+e^{−|x|})², 4e^{−2|x|}/(1+e^{−2|x|})²);
 * - at a kink the derivative follows the chapter: relu'(0) = 0, leaky_relu'(0) = α, elu'(0) = α.
 */
import { normalCdf, normalPdf } from './special.ts';

export const ACTIVATION_NAMES = [
  'sigmoid',
  'tanh',
  'relu',
  'leaky_relu',
  'elu',
  'gelu',
  'gelu_tanh',
  'silu',
  'softplus',
  'step',
  'linear',
] as const;

export type ActivationName = (typeof ACTIVATION_NAMES)[number];

export interface Activation {
  readonly name: ActivationName;
  readonly label: string;
  /** TeX of f(x); α stands for the activation's parameter. */
  readonly tex: string;
  /** TeX of f'(x). */
  readonly derivativeTex: string;
  /** Range of f as TeX, e.g. (0, 1). */
  readonly rangeTex: string;
  /** The paper or chapter section the definition comes from. */
  readonly source: string;
  /** Default α where the activation has one (leaky_relu, elu), otherwise undefined. */
  readonly defaultAlpha?: number;
  readonly forward: (x: number, alpha: number) => number;
  readonly derivative: (x: number, alpha: number) => number;
  /**
   * f(x) and f′(x) together, written to out[0] and out[1], where one transcendental serves both
   * (the CPU backends' fused activation pass). Agrees with forward and derivative to a few ulp.
   */
  readonly forwardAndDerivative?: (x: number, alpha: number, out: Float64Array) => void;
  /** WGSL body of `fn act_forward(x: f32, alpha: f32) -> f32`; may call the prelude's helpers. */
  readonly wgslForward: string;
  /** WGSL body of `fn act_derivative(x: f32, alpha: f32) -> f32`. */
  readonly wgslDerivative: string;
}

/** σ(x), never overflowing: e^{x}/(1+e^{x}) for x < 0. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** σ'(x) = σ(x)(1 − σ(x)) = e^{−|x|}/(1 + e^{−|x|})², accurate in both tails. */
function sigmoidDerivative(x: number): number {
  const e = Math.exp(-Math.abs(x));
  const d = 1 + e;
  return e / (d * d);
}

/** sech²(x) = 1 − tanh²(x) = 4e^{−2|x|}/(1 + e^{−2|x|})², accurate in both tails. */
function sech2(x: number): number {
  const e = Math.exp(-2 * Math.abs(x));
  const d = 1 + e;
  return (4 * e) / (d * d);
}

const GELU_TANH_C = Math.sqrt(2 / Math.PI);
const GELU_TANH_K = 0.044715;
/** Beyond this |x| every GELU-like function equals its asymptote x⁺ in double precision. */
const GELU_TAIL = 40;

export const ACTIVATIONS: Readonly<Record<ActivationName, Activation>> = {
  sigmoid: {
    name: 'sigmoid',
    label: 'Sigmoid',
    tex: '\\sigma(x) = \\frac{1}{1 + e^{-x}}',
    derivativeTex: "\\sigma'(x) = \\sigma(x)\\,(1 - \\sigma(x))",
    rangeTex: '(0, 1)',
    source: 'Chapter §17.1',
    forward: (x) => sigmoid(x),
    derivative: (x) => sigmoidDerivative(x),
    forwardAndDerivative: (x, _alpha, out) => {
      const e = Math.exp(-Math.abs(x));
      const d = 1 + e;
      out[0] = x >= 0 ? 1 / d : e / d;
      out[1] = e / (d * d);
    },
    wgslForward: 'return gl_sigmoid(x);',
    wgslDerivative: 'let e = exp(-abs(x)); let d = 1.0 + e; return e / (d * d);',
  },
  tanh: {
    name: 'tanh',
    label: 'Tanh',
    tex: '\\tanh(x) = \\frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}',
    derivativeTex: "\\tanh'(x) = 1 - \\tanh^2(x)",
    rangeTex: '(-1, 1)',
    source: 'Chapter §17.2',
    forward: (x) => Math.tanh(x),
    derivative: (x) => sech2(x),
    // One exponential for both: e = e^{−2|x|}; tanh|x| = (1 − e)/(1 + e), from expm1 for |x| ≤ ½
    // where 1 − e would cancel; sech² x = 4e/(1 + e)².
    forwardAndDerivative: (x, _alpha, out) => {
      const ax = Math.abs(x);
      let t: number;
      let e: number;
      if (ax <= 0.5) {
        const m = Math.expm1(-2 * ax);
        e = 1 + m;
        t = -m / (2 + m);
      } else {
        e = Math.exp(-2 * ax);
        t = (1 - e) / (1 + e);
      }
      out[0] = x < 0 ? -t : t;
      out[1] = (4 * e) / ((1 + e) * (1 + e));
    },
    // WGSL's tanh may lose accuracy or overflow for large |x| on some drivers: use 2σ(2x) − 1,
    // with the odd symmetry restored so that tanh(−x) = −tanh(x) exactly.
    // Near 0 that form cancels (it gives tanh(x) = 0 for |x| < 6e-8 and a 1e-5 relative error at
    // 1e-3), so |x| < 0.125 uses the Taylor series to x⁹ (truncation below 1e-11 relative).
    wgslForward:
      'let ax = abs(x); if (ax < 0.125) { let x2 = x * x; return x * (1.0 + x2 * (-0.33333333 + x2 * (0.13333333 + x2 * (-0.053968254 + x2 * 0.021869488)))); } let t = 1.0 - 2.0 / (exp(2.0 * ax) + 1.0); return select(t, -t, x < 0.0);',
    wgslDerivative: 'let e = exp(-2.0 * abs(x)); let d = 1.0 + e; return 4.0 * e / (d * d);',
  },
  relu: {
    name: 'relu',
    label: 'ReLU',
    tex: '\\operatorname{ReLU}(x) = \\max(0, x)',
    derivativeTex:
      "\\operatorname{ReLU}'(x) = \\begin{cases} 1 & x > 0 \\\\ 0 & x \\le 0 \\end{cases}",
    rangeTex: '[0, \\infty)',
    source: 'Chapter §17.3 (Glorot, Bordes & Bengio 2011)',
    forward: (x) => (x > 0 ? x : 0),
    derivative: (x) => (x > 0 ? 1 : 0),
    wgslForward: 'return select(0.0, x, x > 0.0);',
    wgslDerivative: 'return select(0.0, 1.0, x > 0.0);',
  },
  leaky_relu: {
    name: 'leaky_relu',
    label: 'Leaky ReLU',
    tex: '\\operatorname{LeakyReLU}(x) = \\begin{cases} x & x > 0 \\\\ \\alpha x & x \\le 0 \\end{cases}',
    derivativeTex:
      "\\operatorname{LeakyReLU}'(x) = \\begin{cases} 1 & x > 0 \\\\ \\alpha & x \\le 0 \\end{cases}",
    rangeTex: '(-\\infty, \\infty)',
    source: 'Chapter §17.4 (Maas et al. 2013)',
    defaultAlpha: 0.01,
    forward: (x, alpha) => (x > 0 ? x : alpha * x),
    derivative: (x, alpha) => (x > 0 ? 1 : alpha),
    wgslForward: 'return select(alpha * x, x, x > 0.0);',
    wgslDerivative: 'return select(alpha, 1.0, x > 0.0);',
  },
  elu: {
    name: 'elu',
    label: 'ELU',
    tex: '\\operatorname{ELU}(x) = \\begin{cases} x & x > 0 \\\\ \\alpha (e^{x} - 1) & x \\le 0 \\end{cases}',
    derivativeTex:
      "\\operatorname{ELU}'(x) = \\begin{cases} 1 & x > 0 \\\\ \\alpha e^{x} & x \\le 0 \\end{cases}",
    rangeTex: '(-\\alpha, \\infty)',
    source: 'Chapter §17.4 (Clevert et al. 2015)',
    defaultAlpha: 1.0,
    forward: (x, alpha) => (x > 0 ? x : alpha * Math.expm1(x)),
    derivative: (x, alpha) => (x > 0 ? 1 : alpha * Math.exp(x)),
    wgslForward: 'return select(alpha * gl_expm1(x), x, x > 0.0);',
    wgslDerivative: 'return select(alpha * exp(min(x, 0.0)), 1.0, x > 0.0);',
  },
  gelu: {
    name: 'gelu',
    label: 'GELU',
    tex: '\\operatorname{GELU}(x) = x\\,\\Phi(x)',
    derivativeTex: "\\operatorname{GELU}'(x) = \\Phi(x) + x\\,\\varphi(x)",
    rangeTex: '[-0.17, \\infty)',
    source: 'Chapter §17.4 (Hendrycks & Gimpel 2016)',
    forward: (x) => {
      if (x > GELU_TAIL) return x;
      if (x < -GELU_TAIL) return 0;
      return x * normalCdf(x);
    },
    derivative: (x) => {
      if (x > GELU_TAIL) return 1;
      if (x < -GELU_TAIL) return 0;
      return normalCdf(x) + x * normalPdf(x);
    },
    wgslForward: 'return x * gl_normal_cdf(x);',
    wgslDerivative:
      'if (abs(x) > 40.0) { return select(0.0, 1.0, x > 0.0); } return gl_normal_cdf(x) + x * 0.3989422804 * exp(-0.5 * x * x);',
  },
  gelu_tanh: {
    name: 'gelu_tanh',
    label: 'GELU (tanh approx.)',
    tex: '\\tfrac12 x \\left(1 + \\tanh\\!\\left(\\sqrt{2/\\pi}\\,(x + 0.044715 x^{3})\\right)\\right)',
    derivativeTex:
      '\\tfrac12 (1 + \\tanh u) + \\tfrac12 x\\,(1 - \\tanh^2 u)\\,\\sqrt{2/\\pi}\\,(1 + 0.134145 x^{2})',
    rangeTex: '[-0.17, \\infty)',
    source: 'Hendrycks & Gimpel 2016, eq. for the tanh approximation',
    // ½(1 + tanh u) = σ(2u): written that way it keeps its accuracy for large negative x.
    forward: (x) => {
      if (x > GELU_TAIL) return x;
      if (x < -GELU_TAIL) return 0;
      return x * sigmoid(2 * GELU_TANH_C * (x + GELU_TANH_K * x * x * x));
    },
    derivative: (x) => {
      if (x > GELU_TAIL) return 1;
      if (x < -GELU_TAIL) return 0;
      const v = 2 * GELU_TANH_C * (x + GELU_TANH_K * x * x * x);
      const dv = 2 * GELU_TANH_C * (1 + 3 * GELU_TANH_K * x * x);
      return sigmoid(v) + x * sigmoidDerivative(v) * dv;
    },
    wgslForward:
      'if (abs(x) > 40.0) { return select(0.0, x, x > 0.0); } return x * gl_sigmoid(1.5957691216 * (x + 0.044715 * x * x * x));',
    wgslDerivative:
      'if (abs(x) > 40.0) { return select(0.0, 1.0, x > 0.0); } let v = 1.5957691216 * (x + 0.044715 * x * x * x); let e = exp(-abs(v)); let d = 1.0 + e; return gl_sigmoid(v) + x * (e / (d * d)) * 1.5957691216 * (1.0 + 0.134145 * x * x);',
  },
  silu: {
    name: 'silu',
    label: 'SiLU (swish)',
    tex: '\\operatorname{SiLU}(x) = x\\,\\sigma(x)',
    derivativeTex: "\\operatorname{SiLU}'(x) = \\sigma(x)\\,(1 + x\\,(1 - \\sigma(x)))",
    rangeTex: '[-0.28, \\infty)',
    source: 'Elfwing et al. 2018; Ramachandran et al. 2017',
    forward: (x) => (x === -Infinity ? 0 : x * sigmoid(x)),
    derivative: (x) => {
      if (x === -Infinity) return 0;
      if (x === Infinity) return 1;
      return sigmoid(x) * (1 + x * sigmoid(-x));
    },
    wgslForward: 'if (x < -80.0) { return 0.0; } return x * gl_sigmoid(x);',
    wgslDerivative:
      'if (x < -80.0) { return 0.0; } if (x > 80.0) { return 1.0; } return gl_sigmoid(x) * (1.0 + x * gl_sigmoid(-x));',
  },
  softplus: {
    name: 'softplus',
    label: 'Softplus',
    tex: '\\operatorname{softplus}(x) = \\ln(1 + e^{x})',
    derivativeTex: "\\operatorname{softplus}'(x) = \\sigma(x)",
    rangeTex: '(0, \\infty)',
    source: 'Dugas et al. 2001',
    forward: (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
    derivative: (x) => sigmoid(x),
    wgslForward: 'return max(x, 0.0) + gl_log1p(exp(-abs(x)));',
    wgslDerivative: 'return gl_sigmoid(x);',
  },
  step: {
    name: 'step',
    label: 'Step (Heaviside)',
    tex: 'H(x) = \\begin{cases} 1 & x > 0 \\\\ 0 & x \\le 0 \\end{cases}',
    derivativeTex: "H'(x) = 0 \\quad (x \\ne 0)",
    rangeTex: '\\{0, 1\\}',
    source: 'Chapter §17.7 (McCulloch & Pitts 1943; Rosenblatt 1958)',
    forward: (x) => (x > 0 ? 1 : 0),
    derivative: () => 0,
    wgslForward: 'return select(0.0, 1.0, x > 0.0);',
    wgslDerivative: 'return 0.0;',
  },
  linear: {
    name: 'linear',
    label: 'Linear (identity)',
    tex: 'f(x) = x',
    derivativeTex: "f'(x) = 1",
    rangeTex: '(-\\infty, \\infty)',
    source: 'identity',
    forward: (x) => x,
    derivative: () => 1,
    wgslForward: 'return x;',
    wgslDerivative: 'return 1.0;',
  },
};

export function isActivationName(name: string): name is ActivationName {
  return (ACTIVATION_NAMES as readonly string[]).includes(name);
}

/** α for an activation: the given value where the activation has a parameter, else its default or 0. */
export function resolveAlpha(name: ActivationName, alpha: number | undefined): number {
  const def = ACTIVATIONS[name].defaultAlpha;
  if (def === undefined) return 0;
  return alpha ?? def;
}

export interface ActivationProperties {
  /** sup |f'(x)|, found numerically on a fine grid and refined. */
  readonly maxAbsDerivative: number;
  /** f(0) = 0. */
  readonly zeroCentred: boolean;
  /** f'(x) → 0 as x → −∞ or x → +∞. */
  readonly saturating: boolean;
  /** f is non-decreasing everywhere on the sampled grid. */
  readonly monotone: boolean;
  /** Smallest and largest value of f seen on [−50, 50]. */
  readonly sampledMin: number;
  readonly sampledMax: number;
}

const propertyCache = new Map<string, ActivationProperties>();

/**
 * Properties computed from the functions themselves, not typed in: the chapter's comparison table
 * (§17.5) lists max |f'| as 0.25 for sigmoid and 1 for tanh and ReLU; here it is measured.
 */
/** The x in [lo, hi] where `f` is smallest (golden-section search; f unimodal there). */
function goldenSection(f: (x: number) => number, lo: number, hi: number): number {
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 80; i++) {
    const m1 = hi - g * (hi - lo);
    const m2 = lo + g * (hi - lo);
    if (f(m1) < f(m2)) hi = m2;
    else lo = m1;
  }
  return (lo + hi) / 2;
}

export function activationProperties(name: ActivationName, alpha?: number): ActivationProperties {
  const a = resolveAlpha(name, alpha);
  const key = `${name}:${a}`;
  const cached = propertyCache.get(key);
  if (cached) return cached;
  const { forward, derivative } = ACTIVATIONS[name];
  let maxD = 0;
  let argMax = 0;
  let monotone = true;
  let prev = forward(-50, a);
  let min = prev;
  let max = prev;
  let argMin = -50;
  // A grid step of 0.025, then golden-section searches at the grid's extremes: smooth extrema
  // such as GELU's slope 1.1289 at x ≈ 1.4142, or its minimum −0.170 at x ≈ −0.752, sit between
  // grid points. (A page draws this table: a finer grid would only cost it time.) In the tails,
  // beyond ±8, where no activation's slope peaks or minimum lies and the points only bound f's
  // range and check that it is monotone, the step is 0.5: 809 points instead of 4 001, which on
  // a page's first render (cold code) took 30–40 ms for six activations. The points kept are
  // the same numbers as before.
  const steps = 4_000;
  for (let i = 0; i <= steps; i += i < 1_680 || i >= 2_320 ? 20 : 1) {
    const x = -50 + (100 * i) / steps;
    const d = Math.abs(derivative(x, a));
    if (d > maxD) {
      maxD = d;
      argMax = x;
    }
    const f = forward(x, a);
    if (f < prev - 1e-12 * Math.max(1, Math.abs(prev))) monotone = false;
    prev = f;
    if (f < min) {
      min = f;
      argMin = x;
    }
    if (f > max) max = f;
  }
  const slope = (x: number) => Math.abs(derivative(x, a));
  maxD = Math.max(maxD, slope(goldenSection((x) => -slope(x), argMax - 0.025, argMax + 0.025)));
  const value = (x: number) => forward(x, a);
  if (argMin > -50 && argMin < 50) {
    min = Math.min(min, value(goldenSection(value, argMin - 0.025, argMin + 0.025)));
  }
  const tailScale = Math.max(maxD, 1e-300) * 1e-6;
  const props: ActivationProperties = {
    maxAbsDerivative: maxD,
    zeroCentred: forward(0, a) === 0,
    saturating:
      Math.abs(derivative(-50, a)) <= tailScale || Math.abs(derivative(50, a)) <= tailScale,
    monotone,
    sampledMin: min,
    sampledMax: max,
  };
  propertyCache.set(key, props);
  return props;
}
